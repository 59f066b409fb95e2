import type { Endpoint } from "../domain/job.js";

/**
 * Whether a request asks for a deterministic answer, so that identical requests may share one
 * answer (dedup) and a stored answer may stand in for a new call (cache). Decided on the body
 * alone, never guessed from a model's defaults (which are usually temperature 1):
 * - an embeddings request (`/v1/embeddings`): embeddings do not sample;
 * - `temperature` exactly 0 (any JSON spelling of zero: `0`, `0.0`, `-0`, `0e5`), at the top
 *   level or in Bedrock's `inferenceConfig` (Converse, Nova) or `textGenerationConfig` (Titan);
 * - or a `seed` that is an integer (OpenAI's reproducible sampling), whatever the temperature.
 * Anything else — temperature absent or above 0 with no seed, a seed that is not an integer,
 * a body that is not a JSON object — is not deterministic: never deduplicated, never cached.
 */
export function isDeterministic(endpoint: Endpoint, body: string): boolean {
  if (endpoint === "/v1/embeddings") return true;
  // Most sampled requests name neither: no parse for them (a key spelt with escapes is missed,
  // and such a request is simply sent).
  if (!body.includes('"temperature"') && !body.includes('"seed"')) return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return false;
  }
  if (!isObject(parsed)) return false;
  if (typeof parsed.seed === "number" && Number.isInteger(parsed.seed)) return true;
  return (
    parsed.temperature === 0 ||
    nestedTemperature(parsed.inferenceConfig) === 0 ||
    nestedTemperature(parsed.textGenerationConfig) === 0
  );
}

function nestedTemperature(v: unknown): unknown {
  return isObject(v) ? v.temperature : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
