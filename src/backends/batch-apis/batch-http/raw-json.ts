/**
 * Raw spans of JSON values inside a line, so a provider's answer body reaches the user byte for
 * byte (bytes in = bytes out): `JSON.stringify(JSON.parse(x))` would rewrite numbers such as
 * `1.0`, escapes and spacing. Only what the batch clients need: members of nested objects.
 *
 * Ingest runs this on every result (100,000 a provider job), so it reads each character at most
 * once: an object on the path is entered at its start (its end is never looked for), members
 * before the wanted one are skipped, strings are skipped with `indexOf` to their closing quote,
 * and a key is compared as written unless it holds an escape. It checks structure (quotes,
 * brackets, colons, commas) only where it reads; a line must be valid JSON for a span of it to
 * be valid JSON.
 */

/** The text of the value at `path` (object keys, outermost first), or null if absent or not JSON. */
export function rawJsonAt(text: string, path: readonly string[]): string | null {
  let start = skipSpace(text, 0);
  for (const key of path) {
    start = memberStart(text, start, key);
    if (start < 0) return null;
  }
  const end = valueEnd(text, start);
  return end < 0 ? null : text.slice(start, end);
}

/** The value at `path`, parsed (a small part of a line: an id, a type, an error); undefined when absent or not JSON. */
export function parsedJsonAt(text: string, path: readonly string[]): unknown {
  const raw = rawJsonAt(text, path);
  if (raw === null) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The index just past the JSON value starting at `i` (no space before it), or -1 if there is
 * none: for a reader that knows where a value starts without walking the members before it.
 */
export function jsonValueEnd(text: string, i: number): number {
  return valueEnd(text, i);
}

/** Whether all `text` holds from `i` on is `closers` closing braces, with JSON whitespace around them. */
export function endsWithClosers(text: string, i: number, closers: number): boolean {
  let j = skipSpace(text, i);
  for (let k = 0; k < closers; k++) {
    if (text.charCodeAt(j) !== 125 /* } */) return false;
    j = skipSpace(text, j + 1);
  }
  return j === text.length;
}

/** Whether the text starts as a JSON object would (what a result line must be). */
export function looksLikeJsonObject(text: string): boolean {
  return text.charCodeAt(skipSpace(text, 0)) === 123 /* { */;
}

/**
 * Where the value of member `key` of the object at `at` starts; -1 if `at` is no object, has no
 * such key, or is broken before it.
 */
function memberStart(text: string, at: number, key: string): number {
  if (text.charCodeAt(at) !== 123 /* { */) return -1;
  let i = skipSpace(text, at + 1);
  if (text.charCodeAt(i) === 125 /* } */) return -1;
  for (;;) {
    const keyEnd = stringEnd(text, i);
    if (keyEnd < 0) return -1;
    const found = isKey(text, i, keyEnd, key);
    i = skipSpace(text, keyEnd);
    if (text.charCodeAt(i) !== 58 /* : */) return -1;
    const valueStart = skipSpace(text, i + 1);
    if (found) return valueStart;
    const end = valueEnd(text, valueStart);
    if (end < 0) return -1;
    i = skipSpace(text, end);
    if (text.charCodeAt(i) !== 44 /* , */) return -1;
    i = skipSpace(text, i + 1);
  }
}

/** Whether the string token [start, end) (quotes included) names `key`. */
function isKey(text: string, start: number, end: number, key: string): boolean {
  const raw = text.slice(start + 1, end - 1);
  // A key with an escape (rare) is compared decoded; else as written, with nothing to parse.
  return raw.includes("\\") ? (JSON.parse(text.slice(start, end)) as string) === key : raw === key;
}

/** The index just past the JSON value starting at `i`, or -1 if there is none. */
function valueEnd(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 34 /* " */) return stringEnd(text, i);
  if (c === 123 /* { */ || c === 91 /* [ */) {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const d = text.charCodeAt(j);
      if (d === 34) {
        j = stringEnd(text, j) - 1;
        if (j < 0) return -1;
      } else if (d === 123 || d === 91) depth++;
      else if ((d === 125 || d === 93) && --depth === 0) return j + 1;
    }
    return -1;
  }
  // A number or literal: up to the next delimiter.
  let j = i;
  while (j < text.length && !isDelimiter(text.charCodeAt(j))) j++;
  return j > i ? j : -1;
}

/** From an opening quote to just past its closing one (a quote after an even run of backslashes). */
function stringEnd(text: string, i: number): number {
  if (text.charCodeAt(i) !== 34) return -1;
  let from = i + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return -1;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === 92 /* \ */) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

function isDelimiter(c: number): boolean {
  return c === 44 || c === 125 || c === 93 || isSpace(c); // , } ] and space
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}
