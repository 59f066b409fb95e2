import { parseJsonObject } from "../../domain/json-object.js";
import { extractUsage, type TokenUsage } from "../usage.js";

/** Bedrock Runtime reports every InvokeModel call's token counts in these response headers. */
export const INPUT_TOKENS_HEADER = "x-amzn-bedrock-input-token-count";
export const OUTPUT_TOKENS_HEADER = "x-amzn-bedrock-output-token-count";

/**
 * Token counts of an InvokeModel answer. The headers are Bedrock's own count for every model
 * family, so they win; without them (a proxy that strips them) the body's own fields are read,
 * in each family's shape: Anthropic `usage.input_tokens` (+ cache tokens), Nova
 * `usage.inputTokens`, Llama `prompt_token_count`/`generation_token_count`, Titan
 * `inputTextTokenCount` + `results[].tokenCount`. Null when neither says.
 */
export function invokeUsage(headers: Record<string, string | undefined>, body: string): TokenUsage | null {
  const input = headerCount(headers[INPUT_TOKENS_HEADER]);
  const output = headerCount(headers[OUTPUT_TOKENS_HEADER]);
  if (input !== null) return { inputTokens: input, outputTokens: output ?? 0 };
  return extractUsage(body) ?? familyUsage(body);
}

/**
 * Converse's `usage`. `inputTokens` there leaves out prompt-cache reads and writes, which are
 * input all the same (billed and rate-limited), so they are added in, as for Anthropic.
 */
export function converseUsage(usage: unknown): TokenUsage | null {
  if (typeof usage !== "object" || usage === null) return null;
  const u = usage as Record<string, unknown>;
  if (typeof u.inputTokens !== "number") return null;
  return {
    inputTokens: u.inputTokens + count(u.cacheReadInputTokens) + count(u.cacheWriteInputTokens),
    outputTokens: count(u.outputTokens),
  };
}

function familyUsage(body: string): TokenUsage | null {
  const top = parseJsonObject(body);
  if (top === null) return null;
  const nova = converseUsage(top.usage);
  if (nova) return nova;
  if (typeof top.prompt_token_count === "number") {
    return { inputTokens: top.prompt_token_count, outputTokens: count(top.generation_token_count) };
  }
  if (typeof top.inputTextTokenCount === "number") {
    let output = 0;
    if (Array.isArray(top.results)) {
      for (const r of top.results) output += count((r as { tokenCount?: unknown } | null)?.tokenCount);
    }
    return { inputTokens: top.inputTextTokenCount, outputTokens: output };
  }
  return null;
}

function headerCount(value: string | undefined): number | null {
  if (value === undefined || value.trim() === "") return null;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : null;
}

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}
