import type { ScannedLine, Span } from "./json-scan.js";

/**
 * The byte twin of `scanJson` (json-scan.ts) for big lines: the same grammar (exactly what
 * `JSON.parse` accepts; a differential test holds both to it) run on the line's UTF-8 bytes, so
 * a 100 MB line is never decoded into a 100–200 MB JavaScript string next to its bytes. Spans are
 * byte offsets. It only says yes or no: on any failure it returns null and the caller decodes the
 * line and runs the string scanner, whose messages (and character positions) are the ones users
 * see. The bytes must already be valid UTF-8 (the line reader checks that first).
 */

const OBJ = 1;
const ARR = 2;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export function scanJsonBytes(b: Uint8Array, maxDepth: number): ScannedLine | null {
  const n = b.length;
  const stack: number[] = [];
  const members = new Map<string, Span>();
  const nested = new Map<string, Map<string, Span>>();
  let isObject = false;
  let depth = 0;
  let topKey = "";
  let topStart = 0;
  let inner: Map<string, Span> | null = null;
  let innerKey = "";
  let innerStart = 0;

  const keyOf = (start: number, end: number): string => {
    const raw = Buffer.from(b.buffer, b.byteOffset + start + 1, end - start - 2).toString("utf8");
    return raw.includes("\\")
      ? (JSON.parse(Buffer.from(b.buffer, b.byteOffset + start, end - start).toString("utf8")) as string)
      : raw;
  };
  /** Reads `"key" :` at `at`; the index where the member's value starts, or -1. */
  const readKey = (at: number): number => {
    if (b[at] !== QUOTE) return -1;
    const end = skipString(b, at);
    if (end < 0) return -1;
    let p = skipWs(b, end);
    if (b[p] !== 0x3a) return -1;
    p = skipWs(b, p + 1);
    if (stack.length === 1) {
      topKey = keyOf(at, end);
      topStart = p;
    } else if (stack.length === 2 && inner) {
      innerKey = keyOf(at, end);
      innerStart = p;
    }
    return p;
  };

  let i = skipWs(b, 0);
  let expectValue = true;
  for (;;) {
    if (expectValue) {
      const c = b[i];
      if (c === 0x7b || c === 0x5b) {
        stack.push(c === 0x7b ? OBJ : ARR);
        if (stack.length > depth) depth = stack.length;
        if (depth > maxDepth) return null;
        if (stack.length === 1 && c === 0x7b) isObject = true;
        if (stack.length === 2 && c === 0x7b && stack[0] === OBJ) inner = new Map();
        i = skipWs(b, i + 1);
        if (b[i] === (c === 0x7b ? 0x7d : 0x5d)) {
          stack.pop();
          i++;
          expectValue = false;
        } else if (c === 0x7b) {
          i = readKey(i);
          if (i < 0) return null;
        }
        continue;
      }
      if (c === QUOTE) i = skipString(b, i);
      else if (c === 0x2d || (c !== undefined && c >= 0x30 && c <= 0x39)) i = skipNumber(b, i);
      else if (c === 0x74 && word(b, i, "true")) i += 4;
      else if (c === 0x66 && word(b, i, "false")) i += 5;
      else if (c === 0x6e && word(b, i, "null")) i += 4;
      else return null;
      if (i < 0) return null;
      expectValue = false;
      continue;
    }
    if (stack.length === 1 && stack[0] === OBJ) {
      members.set(topKey, { start: topStart, end: i });
      if (inner) {
        nested.set(topKey, inner);
        inner = null;
      } else nested.delete(topKey);
    } else if (stack.length === 2 && inner && stack[1] === OBJ) {
      inner.set(innerKey, { start: innerStart, end: i });
    }
    i = skipWs(b, i);
    if (stack.length === 0) return i < n ? null : { ok: true, isObject, members, nested, depth };
    const c = b[i];
    const top = stack[stack.length - 1];
    if (c === 0x2c) {
      i = skipWs(b, i + 1);
      if (top === OBJ) {
        i = readKey(i);
        if (i < 0) return null;
      }
      expectValue = true;
    } else if ((c === 0x7d && top === OBJ) || (c === 0x5d && top === ARR)) {
      stack.pop();
      i++;
    } else return null;
  }
}

/**
 * A plain buffer that string contents are copied into, a window at a time, to be searched. A
 * big line's bytes live in a resizable ArrayBuffer (spanning-line.ts), and V8 (Node 20) reads
 * such typed arrays element by element about 7× slower than plain ones; long strings are where
 * a line's bytes are, so they are searched in this copy (a native memcpy, then a fast loop).
 */
const WINDOW = Buffer.allocUnsafeSlow(64 * 1024);

/**
 * The first index from `p` holding a quote, a backslash or a control character (what ends or
 * interrupts a string's plain run); `n` when there is none. Bytes of multi-byte characters are
 * all >= 0x80, so never one of these. The window starts small (most strings are short keys and
 * values) and doubles; every read stays in bounds, so the loop stays in optimized code.
 */
function stringStop(b: Uint8Array, p: number, n: number): number {
  let size = 64;
  while (p < n) {
    const len = Math.min(size, n - p);
    WINDOW.set(b.subarray(p, p + len));
    for (let k = 0; k < len; k++) {
      const c = WINDOW[k]!;
      if (c === QUOTE || c === BACKSLASH || c < 0x20) return p + k;
    }
    p += len;
    if (size < WINDOW.length) size *= 2;
  }
  return n;
}

/** Index just past the closing quote of the string starting at `i`; -1 when it is not valid. */
function skipString(b: Uint8Array, i: number): number {
  const n = b.length;
  let p = i + 1;
  for (;;) {
    p = stringStop(b, p, n);
    if (p >= n) return -1;
    const c = b[p];
    if (c === QUOTE) return p + 1;
    if (c !== BACKSLASH) return -1;
    const e = b[p + 1];
    if (e === 0x75) {
      for (let k = p + 2; k < p + 6; k++) if (!isHex(b[k])) return -1;
      p += 6;
    } else if (
      e === QUOTE ||
      e === BACKSLASH ||
      e === 0x2f ||
      e === 0x62 ||
      e === 0x66 ||
      e === 0x6e ||
      e === 0x72 ||
      e === 0x74
    ) {
      p += 2;
    } else return -1;
  }
}

function skipWs(b: Uint8Array, i: number): number {
  const n = b.length;
  while (i < n) {
    const c = b[i];
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
    else return i;
  }
  return i;
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

function isHex(c: number | undefined): boolean {
  return (
    c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66))
  );
}

/**
 * Index just past the number at `i` (JSON's `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`,
 * each optional part taken only when complete, like the string scanner's sticky regex); -1 when
 * no number starts there.
 */
function skipNumber(b: Uint8Array, i: number): number {
  let p = i;
  if (b[p] === 0x2d) p++;
  if (b[p] === 0x30) p++;
  else if (isDigit(b[p])) while (isDigit(b[p])) p++;
  else return -1;
  if (b[p] === 0x2e && isDigit(b[p + 1])) {
    p += 2;
    while (isDigit(b[p])) p++;
  }
  if (b[p] === 0x65 || b[p] === 0x45) {
    const d = b[p + 1] === 0x2b || b[p + 1] === 0x2d ? p + 2 : p + 1;
    if (isDigit(b[d])) {
      p = d + 1;
      while (isDigit(b[p])) p++;
    }
  }
  return p;
}

function word(b: Uint8Array, i: number, w: string): boolean {
  for (let k = 0; k < w.length; k++) if (b[i + k] !== w.charCodeAt(k)) return false;
  return true;
}
