export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

/**
 * Token counts from a response body, in any of the shapes backends answer with:
 * chat/completions (`prompt_tokens`/`completion_tokens`), embeddings (`prompt_tokens` only,
 * output 0) and responses/messages (`input_tokens`/`output_tokens`, plus Anthropic's cache
 * tokens). Null when absent.
 *
 * This runs on every successful record, and bodies can be large (an embeddings batch is tens of
 * kilobytes of floats), so it first parses only the top-level `usage` object, which OpenAI-style
 * servers write last; it falls back to parsing the whole body when that slice is not clean JSON.
 */
export function extractUsage(body: string): TokenUsage | null {
  const sliced = usageSlice(body);
  if (sliced !== undefined) {
    const usage = fromUsageObject(sliced);
    if (usage) return usage;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  return isObject(parsed) ? fromUsageObject(parsed.usage) : null;
}

/**
 * The parsed value after the last `"usage":` key. Inside JSON strings quotes are escaped, so the
 * literal `"usage"` followed by a colon can only be a key.
 */
function usageSlice(body: string): unknown {
  const key = body.lastIndexOf('"usage"');
  if (key < 0) return undefined;
  let i = key + 7;
  while (isSpace(body.charCodeAt(i))) i++;
  if (body.charCodeAt(i) !== 58 /* : */) return undefined;
  i++;
  while (isSpace(body.charCodeAt(i))) i++;
  if (body.charCodeAt(i) !== 123 /* { */) return undefined;
  const start = i;
  let depth = 0;
  let inString = false;
  for (; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123) depth++;
    else if (c === 125 /* } */ && --depth === 0) {
      try {
        return JSON.parse(body.slice(start, i + 1));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

function fromUsageObject(usage: unknown): TokenUsage | null {
  if (!isObject(usage)) return null;
  const input = usage.prompt_tokens ?? usage.input_tokens;
  if (typeof input !== "number") return null;
  const output = usage.completion_tokens ?? usage.output_tokens ?? 0;
  return {
    inputTokens: input + count(usage.cache_creation_input_tokens) + count(usage.cache_read_input_tokens),
    outputTokens: typeof output === "number" ? output : 0,
  };
}

/**
 * Anthropic counts prompt tokens written to or read from its cache apart from `input_tokens`
 * (OpenAI's `cached_tokens` are already inside `prompt_tokens`); they are input all the same,
 * billed and rate-limited, so they are added in (docs/providers.md). Null or absent: none.
 */
function count(tokens: unknown): number {
  return typeof tokens === "number" ? tokens : 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}
