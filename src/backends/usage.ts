import { jsonValueEnd } from "./batch-apis/batch-http/raw-json.js";

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
  const at = usageObjectAt(body);
  if (at < 0) return extractUsageParsed(body);
  // Null too goes the long way: the last `"usage"` may be a nested one, and the body's own is read then.
  return usageInPlace(body, at) ?? extractUsageParsed(body);
}

/** `extractUsage` by parsing: the `usage` object alone, else the whole body (exported for the tests that hold the two equal). */
export function extractUsageParsed(body: string): TokenUsage | null {
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
 * Where the object after the last `"usage":` key starts (-1: none). Inside JSON strings quotes
 * are escaped, so the literal `"usage"` followed by a colon can only be a key.
 */
function usageObjectAt(body: string): number {
  const key = body.lastIndexOf('"usage"');
  if (key < 0) return -1;
  let i = key + 7;
  while (isSpace(body.charCodeAt(i))) i++;
  if (body.charCodeAt(i) !== 58 /* : */) return -1;
  i++;
  while (isSpace(body.charCodeAt(i))) i++;
  return body.charCodeAt(i) === 123 /* { */ ? i : -1;
}

/** The parsed value after the last `"usage":` key (undefined: none, or not clean JSON). */
function usageSlice(body: string): unknown {
  let i = usageObjectAt(body);
  if (i < 0) return undefined;
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
/** The members `fromUsageObject` reads, by the length of their names (as `usageInPlace` tells them apart). */
const PROMPT = 0;
const INPUT = 1;
const COMPLETION = 2;
const OUTPUT = 3;
const CACHE_WRITE = 4;
const CACHE_READ = 5;

/** Which counted member the name between `start` and `end` is (-1: another one). */
function countedAt(body: string, start: number, end: number): number {
  switch (end - start) {
    case 12:
      return body.startsWith("input_tokens", start) ? INPUT : -1;
    case 13:
      if (body.startsWith("prompt_tokens", start)) return PROMPT;
      return body.startsWith("output_tokens", start) ? OUTPUT : -1;
    case 17:
      return body.startsWith("completion_tokens", start) ? COMPLETION : -1;
    case 23:
      return body.startsWith("cache_read_input_tokens", start) ? CACHE_READ : -1;
    case 27:
      return body.startsWith("cache_creation_input_tokens", start) ? CACHE_WRITE : -1;
    default:
      return -1;
  }
}

/** A member that is there but neither a number nor null (fromUsageObject treats it as such). */
const OTHER = -1;
/** A member that is not there, or null (`??` passes over both). */
const ABSENT = -2;

/**
 * `fromUsageObject` of the usage object at `start`, read in place: its members scanned once,
 * counted names told apart where they lie, plain integers read digit by digit, nothing
 * allocated. Provider batch ingest runs this on every answer of a 100,000-line results file,
 * where slicing and parsing the object took ~3 µs a line. Undefined for anything less plain (an
 * escape in a name, a number with a sign, fraction, exponent or leading zero, malformed JSON):
 * the caller then parses, with the same answer.
 */
function usageInPlace(body: string, start: number): TokenUsage | null | undefined {
  // Each counted member's value: a count, OTHER or ABSENT (the last one written wins, as in JSON.parse).
  const found = [ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT];
  let i = start + 1;
  for (let first = true; ; first = false) {
    while (isSpace(body.charCodeAt(i))) i++;
    if (first && body.charCodeAt(i) === 125 /* } */) break; // {}
    if (body.charCodeAt(i) !== 34 /* " */) return undefined;
    const nameEnd = body.indexOf('"', i + 1);
    if (nameEnd < 0) return undefined;
    for (let k = i + 1; k < nameEnd; k++) if (body.charCodeAt(k) === 92 /* \\ */) return undefined;
    const member = countedAt(body, i + 1, nameEnd);
    i = nameEnd + 1;
    while (isSpace(body.charCodeAt(i))) i++;
    if (body.charCodeAt(i) !== 58 /* : */) return undefined;
    i++;
    while (isSpace(body.charCodeAt(i))) i++;
    const c = body.charCodeAt(i);
    let value = OTHER;
    if (c >= 48 && c <= 57) {
      let n = 0;
      let digits = 0;
      for (let d = c; d >= 48 && d <= 57; d = body.charCodeAt(++i)) {
        n = n * 10 + (d - 48);
        digits++;
      }
      const after = body.charCodeAt(i);
      if ((c === 48 && digits > 1) || digits > 15 || after === 46 || after === 101 || after === 69)
        return undefined; // 0-led, beyond exact integers, fraction or exponent
      value = n;
    } else {
      const end = valueEndAt(body, i);
      if (end < 0) return undefined;
      if (c === 110 /* n */) value = ABSENT;
      i = end;
    }
    if (member >= 0) found[member] = value;
    while (isSpace(body.charCodeAt(i))) i++;
    const sep = body.charCodeAt(i++);
    if (sep === 125 /* } */) break;
    if (sep !== 44 /* , */) return undefined;
  }
  const input = found[PROMPT] !== ABSENT ? found[PROMPT]! : found[INPUT]!;
  if (input < 0) return null; // absent, or not a number
  const output = found[COMPLETION] !== ABSENT ? found[COMPLETION]! : found[OUTPUT]!;
  return {
    inputTokens: input + Math.max(0, found[CACHE_WRITE]!) + Math.max(0, found[CACHE_READ]!),
    outputTokens: Math.max(0, output),
  };
}

/**
 * Just past the JSON value at `i` that is not a number (a string, object, array or literal), or
 * -1 when it is malformed or unterminated. A literal must be one of JSON's three; nesting must
 * balance and strings must close (raw-json.ts's scan).
 */
function valueEndAt(body: string, i: number): number {
  const c = body.charCodeAt(i);
  if (c === 34 /* " */ || c === 123 /* { */ || c === 91 /* [ */) return jsonValueEnd(body, i);
  if (c === 110 /* n */) return body.startsWith("null", i) ? i + 4 : -1;
  if (c === 116 /* t */) return body.startsWith("true", i) ? i + 4 : -1;
  if (c === 102 /* f */) return body.startsWith("false", i) ? i + 5 : -1;
  return -1;
}

function count(tokens: unknown): number {
  return typeof tokens === "number" ? tokens : 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}
