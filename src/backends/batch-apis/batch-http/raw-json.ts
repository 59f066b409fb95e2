/**
 * Raw spans of JSON values inside a line, so a provider's answer body reaches the user byte for
 * byte (bytes in = bytes out): `JSON.stringify(JSON.parse(x))` would rewrite numbers such as
 * `1.0`, escapes and spacing. Only what the batch clients need: members of nested objects.
 */

/** The text of the value at `path` (object keys, outermost first), or null if absent or not JSON. */
export function rawJsonAt(text: string, path: readonly string[]): string | null {
  let start = skipSpace(text, 0);
  let end = valueEnd(text, start);
  if (end < 0) return null;
  for (const key of path) {
    const span = memberSpan(text, start, key);
    if (!span) return null;
    [start, end] = span;
  }
  return text.slice(start, end);
}

/** The [start, end) of member `key` of the object at `at`; null if `at` is no object or has no such key. */
function memberSpan(text: string, at: number, key: string): [number, number] | null {
  if (text.charCodeAt(at) !== 123 /* { */) return null;
  let i = skipSpace(text, at + 1);
  if (text.charCodeAt(i) === 125 /* } */) return null;
  for (;;) {
    const keyEnd = stringEnd(text, i);
    if (keyEnd < 0) return null;
    const name = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipSpace(text, keyEnd);
    if (text.charCodeAt(i) !== 58 /* : */) return null;
    const valueStart = skipSpace(text, i + 1);
    const end = valueEnd(text, valueStart);
    if (end < 0) return null;
    if (name === key) return [valueStart, end];
    i = skipSpace(text, end);
    if (text.charCodeAt(i) !== 44 /* , */) return null;
    i = skipSpace(text, i + 1);
  }
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
  while (j < text.length && !",}] \t\r\n".includes(text[j]!)) j++;
  return j > i ? j : -1;
}

function stringEnd(text: string, i: number): number {
  if (text.charCodeAt(i) !== 34) return -1;
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 92 /* \ */) j++;
    else if (c === 34) return j + 1;
  }
  return -1;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && " \t\r\n".includes(text[i]!)) i++;
  return i;
}
