import { DocketError } from "../../domain/errors.js";
import { PREP_ENDPOINTS, type PrepEndpoint } from "../request-body.js";

/**
 * A prompt template file (JSON). Text fields are Mustache templates over a row's fields:
 * `system` + `user` (or `prompt`) for chat, `prompt` for completions, `input` for embeddings.
 * `params` holds any other body parameters, passed through unchanged.
 */
export interface TemplateSpec {
  model: string;
  endpoint: PrepEndpoint;
  system?: string;
  user?: string;
  prompt?: string;
  input?: string;
  max_tokens?: number;
  temperature?: number;
  response_format?: Record<string, unknown>;
  params?: Record<string, unknown>;
}

const KNOWN_KEYS = new Set([
  "model",
  "endpoint",
  "system",
  "user",
  "prompt",
  "input",
  "max_tokens",
  "temperature",
  "response_format",
  "params",
]);

const invalid = (source: string, message: string) =>
  new DocketError("invalid_template", `Template ${source}: ${message}`);

/** Checks a parsed template file and fills in the endpoint it implies. */
export function parseTemplateSpec(value: unknown, source: string): TemplateSpec {
  if (!isObject(value)) throw invalid(source, "must be a JSON object.");
  for (const key of Object.keys(value)) {
    if (!KNOWN_KEYS.has(key)) {
      throw invalid(source, `unknown key '${key}' (put extra body parameters under "params").`);
    }
  }
  const str = (key: string): string | undefined => {
    const v = value[key];
    if (v === undefined) return undefined;
    if (typeof v !== "string") throw invalid(source, `"${key}" must be a string.`);
    return v;
  };
  const num = (key: string, check: (n: number) => boolean, what: string): number | undefined => {
    const v = value[key];
    if (v === undefined) return undefined;
    if (typeof v !== "number" || !check(v)) throw invalid(source, `"${key}" must be ${what}.`);
    return v;
  };
  const obj = (key: string): Record<string, unknown> | undefined => {
    const v = value[key];
    if (v === undefined) return undefined;
    if (!isObject(v)) throw invalid(source, `"${key}" must be a JSON object.`);
    return v;
  };

  const model = str("model");
  if (model === undefined || model === "") throw invalid(source, `"model" is required.`);
  const spec: TemplateSpec = {
    model,
    endpoint: "/v1/chat/completions",
    system: str("system"),
    user: str("user"),
    prompt: str("prompt"),
    input: str("input"),
    max_tokens: num("max_tokens", (n) => Number.isInteger(n) && n > 0, "a positive integer"),
    temperature: num("temperature", (n) => n >= 0 && n <= 2, "a number from 0 to 2"),
    response_format: obj("response_format"),
    params: obj("params"),
  };
  const endpoint = str("endpoint");
  if (endpoint !== undefined && !(PREP_ENDPOINTS as readonly string[]).includes(endpoint)) {
    throw invalid(source, `"endpoint" must be one of ${PREP_ENDPOINTS.join(", ")}.`);
  }
  spec.endpoint =
    (endpoint as PrepEndpoint | undefined) ?? (spec.input !== undefined ? "/v1/embeddings" : spec.endpoint);
  checkTextFields(spec, source);
  return Object.fromEntries(
    Object.entries(spec).filter(([, v]) => v !== undefined),
  ) as unknown as TemplateSpec;
}

function checkTextFields(spec: TemplateSpec, source: string): void {
  const has = (k: "system" | "user" | "prompt" | "input") => spec[k] !== undefined;
  if (spec.endpoint === "/v1/chat/completions") {
    if (has("user") === has("prompt"))
      throw invalid(source, `a chat template needs exactly one of "user" or "prompt".`);
    if (has("input")) throw invalid(source, `"input" is only for the /v1/embeddings endpoint.`);
  } else if (spec.endpoint === "/v1/completions") {
    if (!has("prompt") || has("user") || has("system") || has("input")) {
      throw invalid(source, `a /v1/completions template takes "prompt" only.`);
    }
  } else {
    if (!has("input") || has("user") || has("system") || has("prompt")) {
      throw invalid(source, `a /v1/embeddings template takes "input" only.`);
    }
    if (
      spec.max_tokens !== undefined ||
      spec.temperature !== undefined ||
      spec.response_format !== undefined
    ) {
      throw invalid(source, `max_tokens, temperature and response_format do not apply to embeddings.`);
    }
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
