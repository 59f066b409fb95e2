import {
  type FakeBackendOptions,
  FakeOptionsError,
  mergeWithOwnFractions,
  optionsObject,
  type ResolvedFakeOptions,
} from "../fake/fake-options.js";

/**
 * The OpenAI fake's knobs (latency, capacity, rate429 + retryAfterSeconds, rate500, rateHang,
 * rpm/tpm, fail400Marker, markerPattern, outputTokens, seed, recordBodies/recordArrivals) plus
 * Anthropic's own: `rate529` (overloaded_error) and an API key to check. Embeddings and the
 * discarding of huge bodies have no meaning here and are refused by name.
 */
export interface FakeAnthropicOptions extends Omit<FakeBackendOptions, "embeddingDim" | "discardBodiesOver"> {
  /** Fraction of requests answered 529 `overloaded_error`. */
  rate529?: number;
  /** When set, requests must carry it as `x-api-key` or `authorization: Bearer`; else 401. */
  apiKey?: string | null;
}

export interface ResolvedAnthropicOptions extends ResolvedFakeOptions {
  rate529: number;
  apiKey: string | null;
}

const REFUSED = new Set(["embeddingDim", "discardBodiesOver"]);

export function mergeAnthropicOptions(
  current: ResolvedAnthropicOptions,
  update: unknown,
): ResolvedAnthropicOptions {
  const { apiKey, ...common } = optionsObject(update, "Fake Anthropic");
  for (const key of Object.keys(common)) {
    if (REFUSED.has(key) && common[key] !== undefined)
      throw new FakeOptionsError(`Option '${key}' is not one of the fake Anthropic server's.`);
  }
  const next = mergeWithOwnFractions(current, common, ["rate529"]);
  if (apiKey !== undefined) {
    if (apiKey !== null && (typeof apiKey !== "string" || apiKey === "")) {
      throw new FakeOptionsError("Option 'apiKey' must be a non-empty string or null.");
    }
    next.apiKey = apiKey;
  }
  return next;
}
