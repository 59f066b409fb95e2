/**
 * The raw text of each top-level member of a JSON object line, without parsing values: the
 * only way to see whether Docket echoed a `custom_id` literal exactly as written (JSON.parse
 * would hide a changed escape or a replaced lone surrogate). Works on a latin1 string so that
 * each character is one byte of the file. Returns null when the line is not a JSON object.
 */
export function rawMembers(line: string): Map<string, string> | null {
  let i = skipWs(line, 0);
  if (line[i] !== "{") return null;
  const out = new Map<string, string>();
  i = skipWs(line, i + 1);
  if (line[i] === "}") return out;
  for (;;) {
    if (line[i] !== '"') return null;
    const keyEnd = endOfString(line, i);
    if (keyEnd < 0) return null;
    let key: string;
    try {
      key = JSON.parse(Buffer.from(line.slice(i, keyEnd), "latin1").toString("utf8")) as string;
    } catch {
      return null;
    }
    i = skipWs(line, keyEnd);
    if (line[i] !== ":") return null;
    i = skipWs(line, i + 1);
    const valueEnd = endOfValue(line, i);
    if (valueEnd < 0) return null;
    out.set(key, line.slice(i, valueEnd));
    i = skipWs(line, valueEnd);
    if (line[i] === "}") return out;
    if (line[i] !== ",") return null;
    i = skipWs(line, i + 1);
  }
}

function skipWs(s: string, i: number): number {
  while (i < s.length && (s[i] === " " || s[i] === "\t" || s[i] === "\r" || s[i] === "\n")) i++;
  return i;
}

/** Index just past the closing quote of the string starting at `i`, or -1. */
function endOfString(s: string, i: number): number {
  for (let j = i + 1; j < s.length; j++) {
    if (s[j] === "\\") j++;
    else if (s[j] === '"') return j + 1;
  }
  return -1;
}

function endOfValue(s: string, i: number): number {
  const c = s[i];
  if (c === '"') return endOfString(s, i);
  if (c === "{" || c === "[") {
    let depth = 0;
    for (let j = i; j < s.length; j++) {
      const d = s[j];
      if (d === '"') {
        j = endOfString(s, j) - 1;
        if (j < 0) return -1;
      } else if (d === "{" || d === "[") depth++;
      else if (d === "}" || d === "]") {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  while (j < s.length && !",}] \t\r\n".includes(s[j]!)) j++;
  return j > i ? j : -1;
}
