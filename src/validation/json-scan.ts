/**
 * A validating, iterative (never recursive) JSON scanner for one input line. It accepts exactly
 * what `JSON.parse` accepts (a differential test holds it to that), but instead of building
 * values it reports where the members of the top-level object, and of the objects directly inside
 * it, are in the text. Validation then reads the few small values it checks (`custom_id`,
 * `method`, `url`, `body.model`, `body.stream`) from those spans and keeps `body` as the exact
 * text the user wrote: nothing is re-serialised, so big integers, `1.0`, `1e999` and escapes
 * reach the backend byte for byte.
 *
 * Nesting is counted as it goes and refused past `maxDepth` before anything else runs, so a
 * 6,000-deep line is a line error, never a stack overflow.
 */

/** Where a value is in the text: `text.slice(start, end)` is its exact JSON text. */
export interface Span {
  start: number;
  end: number;
}

export interface ScannedLine {
  ok: true;
  /** True when the line is a JSON object (only then are `members` filled). */
  isObject: boolean;
  /** The top-level object's members (the last one wins for a repeated key, as in JSON.parse). */
  members: Map<string, Span>;
  /** For each top-level member whose value is an object: that object's members. */
  nested: Map<string, Map<string, Span>>;
  /** Deepest nesting of objects and arrays (a scalar line has 0). */
  depth: number;
}

export interface ScanFailure {
  ok: false;
  code: "invalid_json" | "nesting_too_deep";
  message: string;
  /** Character index in the line where the problem is. */
  position: number;
}

const OBJ = 1;
const ARR = 2;

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;

export function scanJson(text: string, maxDepth: number): ScannedLine | ScanFailure {
  const n = text.length;
  const stack: number[] = [];
  const members = new Map<string, Span>();
  const nested = new Map<string, Map<string, Span>>();
  let isObject = false;
  let depth = 0;
  // The member of the top-level object being read, and (when its value is an object) the
  // member of that object being read.
  let topKey = "";
  let topStart = 0;
  let inner: Map<string, Span> | null = null;
  let innerKey = "";
  let innerStart = 0;

  const fail = (message: string, position: number): ScanFailure => ({
    ok: false,
    code: "invalid_json",
    message: `${message} at position ${position}`,
    position,
  });
  const unexpected = (i: number): ScanFailure =>
    i >= n ? fail("Unexpected end of JSON input", i) : fail(`Unexpected character ${describe(text, i)}`, i);

  /** Index just past the closing quote of the string starting at `i`, or a failure. */
  const skipString = (i: number): number | ScanFailure => {
    let p = i + 1;
    for (;;) {
      let c = text.charCodeAt(p);
      // A plain loop beats a sticky regex here: most strings are short keys and values.
      while (c !== 0x22 && c !== 0x5c && c >= 0x20) c = text.charCodeAt(++p);
      if (p >= n) return fail("Unterminated string", i);
      if (c === 0x22) return p + 1;
      if (c !== 0x5c) return fail("Bad control character in string", p);
      const e = text.charCodeAt(p + 1);
      if (e === 0x75) {
        HEX4.lastIndex = p + 2;
        if (!HEX4.test(text)) return fail("Bad Unicode escape in string", p);
        p += 6;
      } else if (
        e === 0x22 ||
        e === 0x5c ||
        e === 0x2f ||
        e === 0x62 ||
        e === 0x66 ||
        e === 0x6e ||
        e === 0x72 ||
        e === 0x74
      ) {
        p += 2;
      } else {
        return fail("Bad escaped character in string", p);
      }
    }
  };
  const keyOf = (start: number, end: number): string => {
    const raw = text.slice(start + 1, end - 1);
    return raw.includes("\\") ? (JSON.parse(text.slice(start, end)) as string) : raw;
  };

  let i = skipWs(text, 0);
  // `expectValue`: a value starts at i; otherwise a value just ended at i.
  let expectValue = true;
  for (;;) {
    if (expectValue) {
      const c = text.charCodeAt(i);
      if (c === 0x7b || c === 0x5b) {
        stack.push(c === 0x7b ? OBJ : ARR);
        if (stack.length > depth) depth = stack.length;
        if (depth > maxDepth) {
          return {
            ok: false,
            code: "nesting_too_deep",
            message: `objects and arrays are nested more than ${maxDepth} deep`,
            position: i,
          };
        }
        if (stack.length === 1 && c === 0x7b) isObject = true;
        if (stack.length === 2 && c === 0x7b && stack[0] === OBJ) inner = new Map();
        i = skipWs(text, i + 1);
        const close = c === 0x7b ? 0x7d : 0x5d;
        if (text.charCodeAt(i) === close) {
          stack.pop();
          i++;
          expectValue = false;
        } else if (c === 0x7b) {
          const r = readKey(i);
          if (typeof r !== "number") return r;
          i = r;
        }
        continue;
      }
      if (c === 0x22) {
        const r = skipString(i);
        if (typeof r !== "number") return r;
        i = r;
      } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
        NUMBER.lastIndex = i;
        if (!NUMBER.test(text)) return fail("No number after minus sign", i);
        i = NUMBER.lastIndex;
      } else if (c === 0x74 && text.startsWith("true", i)) i += 4;
      else if (c === 0x66 && text.startsWith("false", i)) i += 5;
      else if (c === 0x6e && text.startsWith("null", i)) i += 4;
      else return unexpected(i);
      expectValue = false;
      continue;
    }
    // A value ended at i: close the member it belonged to.
    if (stack.length === 1 && stack[0] === OBJ) {
      members.set(topKey, { start: topStart, end: i });
      if (inner) {
        nested.set(topKey, inner);
        inner = null;
      } else nested.delete(topKey);
    } else if (stack.length === 2 && inner && stack[1] === OBJ) {
      inner.set(innerKey, { start: innerStart, end: i });
    }
    i = skipWs(text, i);
    if (stack.length === 0) {
      if (i < n) return fail(`Unexpected non-whitespace character ${describe(text, i)} after JSON`, i);
      return { ok: true, isObject, members, nested, depth };
    }
    const c = text.charCodeAt(i);
    const top = stack[stack.length - 1];
    if (c === 0x2c) {
      i = skipWs(text, i + 1);
      if (top === OBJ) {
        const r = readKey(i);
        if (typeof r !== "number") return r;
        i = r;
      }
      expectValue = true;
    } else if ((c === 0x7d && top === OBJ) || (c === 0x5d && top === ARR)) {
      stack.pop();
      i++;
    } else {
      return unexpected(i);
    }
  }

  /** Reads `"key" :` at i; returns the index where the member's value starts. */
  function readKey(at: number): number | ScanFailure {
    if (text.charCodeAt(at) !== 0x22) return at >= n ? unexpected(at) : fail("Expected property name", at);
    const end = skipString(at);
    if (typeof end !== "number") return end;
    let p = skipWs(text, end);
    if (text.charCodeAt(p) !== 0x3a) return fail("Expected ':' after property name", p);
    p = skipWs(text, p + 1);
    if (stack.length === 1) {
      topKey = keyOf(at, end);
      topStart = p;
    } else if (stack.length === 2 && inner) {
      innerKey = keyOf(at, end);
      innerStart = p;
    }
    return p;
  }
}

function skipWs(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
    else return i;
  }
}

/** The character at i, quoted, for a message (control characters as \uXXXX). */
function describe(text: string, i: number): string {
  const c = text.charCodeAt(i);
  return c < 0x20 || c === 0x7f
    ? `\\u${c.toString(16).padStart(4, "0")}`
    : `'${String.fromCodePoint(text.codePointAt(i) ?? c)}'`;
}
