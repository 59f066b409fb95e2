/**
 * Where each top-level member's value lies in the text of a JSON object, so a value can be
 * handed on as the provider's own bytes (bytes in = bytes out) instead of re-serialized. The
 * text must already be known to be valid JSON (parse it first): this only finds boundaries.
 * Null when the text is not an object.
 */
export function topLevelValueSpans(text: string): Map<string, { start: number; end: number }> | null {
  const spans = new Map<string, { start: number; end: number }>();
  let i = skipSpace(text, 0);
  if (text[i] !== "{") return null;
  i = skipSpace(text, i + 1);
  if (text[i] === "}") return spans;
  while (i < text.length) {
    if (text[i] !== '"') return null;
    const keyEnd = skipString(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipSpace(text, keyEnd);
    if (text[i] !== ":") return null;
    const start = skipSpace(text, i + 1);
    const end = skipValue(text, start);
    spans.set(key, { start, end });
    i = skipSpace(text, end);
    if (text[i] === "}") return spans;
    if (text[i] !== ",") return null;
    i = skipSpace(text, i + 1);
  }
  return null;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r"))
    i++;
  return i;
}

/** From an opening quote to just past its closing quote. */
function skipString(text: string, i: number): number {
  i++;
  while (i < text.length) {
    const c = text[i];
    if (c === "\\") i += 2;
    else if (c === '"') return i + 1;
    else i++;
  }
  return i;
}

function skipValue(text: string, i: number): number {
  const first = text[i];
  if (first === '"') return skipString(text, i);
  if (first === "{" || first === "[") {
    let depth = 0;
    while (i < text.length) {
      const c = text[i];
      if (c === '"') {
        i = skipString(text, i);
        continue;
      }
      if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    return i;
  }
  // A number, true, false or null: up to the next delimiter.
  while (i < text.length && !",}] \t\n\r".includes(text[i]!)) i++;
  return i;
}
