import type { OverflowPolicy } from "./overflow-policy.js";
import type { RequestPayload } from "./request-body.js";
import type { CompiledTemplate } from "./template/compile-template.js";
import { countRequestTokens } from "./tokens/request-tokens.js";
import type { TokenCounter } from "./tokens/token-counter.js";

export interface FitInput {
  fields: Record<string, unknown>;
  payload: RequestPayload;
  inputTokens: number;
  template: CompiledTemplate;
  counter: TokenCounter;
  /** Null when unknown: nothing is checked. */
  contextLength: number | null;
  policy: OverflowPolicy;
}

export type FitResult =
  | { ok: true; payload: RequestPayload; inputTokens: number; truncated: boolean }
  | { ok: false; message: string };

/** Tokens the reply may take, which must fit in the context beside the input. */
export function outputReserve(payload: RequestPayload): number {
  if (payload.endpoint === "/v1/embeddings") return 0;
  const max = payload.body.max_tokens;
  return typeof max === "number" ? max : 0;
}

const MAX_TRUNCATION_ATTEMPTS = 6;

/**
 * Checks input tokens + max_tokens against the context length. Under `truncate:<field>` the
 * field is cut by the overflow and the request re-rendered and re-counted, since a cut can
 * change how neighbouring text tokenizes; it shrinks further until the recount fits.
 */
export function fitToContext(input: FitInput): FitResult {
  const { payload, inputTokens, contextLength, policy, counter, template, fields } = input;
  const reserve = outputReserve(payload);
  if (contextLength === null || inputTokens + reserve <= contextLength) {
    return { ok: true, payload, inputTokens, truncated: false };
  }
  const over = `needs ${inputTokens} input tokens + ${reserve} max_tokens = ${inputTokens + reserve}, over the context length of ${contextLength}`;
  if (policy.kind === "reject") return { ok: false, message: `Request ${over}.` };

  const raw = fields[policy.field];
  const value = typeof raw === "string" ? raw : typeof raw === "object" ? JSON.stringify(raw) : String(raw);
  let target = counter.count(value) - (inputTokens + reserve - contextLength);
  for (let attempt = 0; attempt < MAX_TRUNCATION_ATTEMPTS && target >= 0; attempt++) {
    const rendered = template.render({ ...fields, [policy.field]: counter.truncate(value, target) });
    if (!rendered.ok) break;
    const tokens = countRequestTokens(rendered.payload, counter);
    if (tokens + reserve <= contextLength) {
      return { ok: true, payload: rendered.payload, inputTokens: tokens, truncated: true };
    }
    target -= Math.max(1, tokens + reserve - contextLength);
  }
  return { ok: false, message: `Request ${over}, and cutting '${policy.field}' cannot make it fit.` };
}
