import { describe, expect, it } from "vitest";
import { seededRandom } from "../domain/seeded-random.js";
import { scanJson } from "./json-scan.js";
import { scanJsonBytes } from "./json-scan-bytes.js";

/** Deterministic draws, so a failing input can be reproduced from its seed. */
const rng = seededRandom;

const PIECES = [
  '"a"',
  '"\\u00e9"',
  '"\\ud800"',
  '"x\\"y"',
  '"\\n\\t\\/"',
  "0",
  "-0",
  "1.0",
  "1e999",
  "-12.5E-3",
  "12345678901234567891",
  "true",
  "false",
  "null",
  '"é😀"',
];

function randomJson(r: () => number, depth: number): string {
  const k = r();
  if (depth > 4 || k < 0.4) return PIECES[Math.floor(r() * PIECES.length)]!;
  const ws = () => [" ", "", "\n", "\t", "\r", ""][Math.floor(r() * 6)]!;
  const n = Math.floor(r() * 4);
  const items: string[] = [];
  if (k < 0.7) {
    for (let i = 0; i < n; i++) items.push(`${ws()}${randomJson(r, depth + 1)}${ws()}`);
    return `[${items.join(",")}]`;
  }
  const keys = ["custom_id", "body", "model", "stream", "a", "__proto__", "k\\u0041", "a"];
  for (let i = 0; i < n; i++) {
    items.push(`${ws()}"${keys[Math.floor(r() * keys.length)]}"${ws()}:${ws()}${randomJson(r, depth + 1)}`);
  }
  return `{${items.join(",")}}`;
}

const NOISE = [
  '"',
  "\\",
  "{",
  "}",
  "[",
  "]",
  ",",
  ":",
  "0",
  "-",
  ".",
  "e",
  "x",
  " ",
  "\u0001",
  "u",
  "t",
  "n",
];

function mutate(r: () => number, s: string): string {
  const i = Math.floor(r() * (s.length + 1));
  const m = r();
  if (m < 0.33) return s.slice(0, i) + s.slice(i + 1);
  if (m < 0.66) return s.slice(0, i) + NOISE[Math.floor(r() * NOISE.length)]! + s.slice(i);
  return s.slice(0, i);
}

function parses(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

describe("scanJson", () => {
  it("agrees with JSON.parse on thousands of random valid and broken inputs", () => {
    const r = rng(17);
    let valid = 0;
    let broken = 0;
    for (let n = 0; n < 6000; n++) {
      let text = randomJson(r, 0);
      if (r() < 0.5) text = mutate(r, text);
      if (r() < 0.2) text = mutate(r, text);
      const expected = parses(text);
      const got = scanJson(text, 64);
      if (got.ok !== expected.ok) throw new Error(`disagreement on ${JSON.stringify(text)}`);
      if (!got.ok || !expected.ok) {
        broken++;
        continue;
      }
      valid++;
      const v = expected.value;
      const isObj = typeof v === "object" && v !== null && !Array.isArray(v);
      expect(got.isObject).toBe(isObj);
      if (!isObj) continue;
      const obj = v as Record<string, unknown>;
      expect([...got.members.keys()].sort()).toEqual(Object.keys(obj).sort());
      for (const [key, span] of got.members) {
        // Each span is the exact text of the value JSON.parse kept (the last of repeated keys).
        expect(JSON.stringify(JSON.parse(text.slice(span.start, span.end)))).toBe(JSON.stringify(obj[key]));
        const inner = got.nested.get(key);
        const value = obj[key];
        const innerIsObj = typeof value === "object" && value !== null && !Array.isArray(value);
        expect(inner !== undefined).toBe(innerIsObj);
        if (!inner) continue;
        for (const [k2, s2] of inner) {
          expect(JSON.stringify(JSON.parse(text.slice(s2.start, s2.end)))).toBe(
            JSON.stringify((value as Record<string, unknown>)[k2]),
          );
        }
        expect(inner.size).toBe(Object.keys(value as object).length);
      }
    }
    // The generator must exercise both sides.
    expect(valid).toBeGreaterThan(1500);
    expect(broken).toBeGreaterThan(1500);
  });

  it("has a byte twin that accepts exactly what JSON.parse accepts and finds the same members", () => {
    const r = rng(1717);
    let valid = 0;
    let broken = 0;
    let deep = 0;
    for (let n = 0; n < 6000; n++) {
      let text = randomJson(r, 0);
      if (r() < 0.5) text = mutate(r, text);
      if (r() < 0.2) text = mutate(r, text);
      // What the bytes say (a mutation may split a surrogate pair: UTF-8 has U+FFFD there).
      const bytes = Buffer.from(text);
      const decoded = bytes.toString("utf8");
      const maxDepth = r() < 0.2 ? 2 : 64;
      const got = scanJsonBytes(bytes, maxDepth);
      const want = scanJson(decoded, maxDepth);
      if (got === null) {
        if (want.ok)
          throw new Error(`bytes refused what the string scanner took: ${JSON.stringify(decoded)}`);
        if (want.code === "nesting_too_deep") deep++;
        else broken++;
        expect(want.code === "nesting_too_deep" || !parses(decoded).ok).toBe(true);
        continue;
      }
      if (!want.ok) throw new Error(`bytes took what the string scanner refused: ${JSON.stringify(decoded)}`);
      expect(parses(decoded).ok).toBe(true);
      valid++;
      expect(got.isObject).toBe(want.isObject);
      expect(got.depth).toBe(want.depth);
      const lit = (s: { start: number; end: number }) => bytes.toString("utf8", s.start, s.end);
      expect([...got.members.keys()]).toEqual([...want.members.keys()]);
      for (const [key, span] of got.members) {
        const w = want.members.get(key)!;
        expect(lit(span)).toBe(decoded.slice(w.start, w.end));
      }
      expect([...got.nested.keys()]).toEqual([...want.nested.keys()]);
      for (const [key, inner] of got.nested) {
        const wInner = want.nested.get(key)!;
        expect([...inner.keys()]).toEqual([...wInner.keys()]);
        for (const [k2, s2] of inner) {
          const w = wInner.get(k2)!;
          expect(lit(s2)).toBe(decoded.slice(w.start, w.end));
        }
      }
    }
    expect(valid).toBeGreaterThan(1500);
    expect(broken).toBeGreaterThan(1500);
    expect(deep).toBeGreaterThan(50);
  });

  it.each([
    "",
    " ",
    "-",
    "-0",
    "01",
    "1.",
    "1.e5",
    "1e",
    "1e+",
    "1E-7",
    "-0.5e+10",
    "tru",
    "nul",
    "falsey",
    '"\\u12"',
    '"\\u12G4"',
    '"\\uABcd"',
    '"a\u0001"',
    '"\u007f"',
    '{"a":1,}',
    "[1,]",
    "[1 2]",
    '{"a" 1}',
    '{"a":1 "b":2}',
    '{"é":"中","😀":[true,false,null]}',
    "\t\r\n [ ] \n",
    '"x"y',
  ])("bytes and JSON.parse agree on %j", (text) => {
    expect(scanJsonBytes(Buffer.from(text), 8) !== null).toBe(parses(text).ok);
  });

  it("byte twin: long strings, their ends and escapes at every window edge, in a resizable buffer too", () => {
    const inResizable = (b: Buffer): Buffer => {
      const ab = new (ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer)(
        b.length,
        { maxByteLength: b.length + 1024 },
      );
      const view = Buffer.from(ab, 0, b.length);
      b.copy(view);
      return view;
    };
    let checked = 0;
    for (const at of [0, 1, 62, 63, 64, 65, 191, 192, 193, 447, 448, 449, 65_535, 65_536, 65_537, 200_000]) {
      for (const stop of ['"', "\\n", "\\u00e9", "\u0001", "\t", "é", "\\x"]) {
        const value = `${"a".repeat(at)}${stop}${"b".repeat(at % 7)}`;
        const text = `{"k":"${value}","m":1}`;
        const want = scanJson(text, 8);
        for (const bytes of [Buffer.from(text), inResizable(Buffer.from(text))]) {
          const got = scanJsonBytes(bytes, 8);
          expect(got !== null, JSON.stringify(stop) + at).toBe(want.ok);
          if (got && want.ok) {
            const span = got.members.get("m")!;
            expect(bytes.toString("utf8", span.start, span.end)).toBe("1");
            const k = got.members.get("k")!;
            const w = want.members.get("k")!;
            expect(bytes.toString("utf8", k.start, k.end)).toBe(text.slice(w.start, w.end));
          }
          checked++;
        }
      }
    }
    expect(checked).toBe(16 * 7 * 2);
  });

  it("keeps the exact text of values, never a re-serialisation", () => {
    const text =
      '{"custom_id":"\\ud800","body":{"seed":12345678901234567891,"t":1.0,"x":1e999,"s":"\\u00e9"}}';
    const r = scanJson(text, 8);
    if (!r.ok) throw new Error(r.message);
    const body = r.members.get("body")!;
    expect(text.slice(body.start, body.end)).toBe(
      '{"seed":12345678901234567891,"t":1.0,"x":1e999,"s":"\\u00e9"}',
    );
    const id = r.members.get("custom_id")!;
    expect(text.slice(id.start, id.end)).toBe('"\\ud800"');
  });

  it("refuses deep nesting without recursion, even 100,000 deep", () => {
    const deep = `{"body":${"[".repeat(100_000)}${"]".repeat(100_000)}}`;
    const r = scanJson(deep, 128);
    expect(r).toMatchObject({ ok: false, code: "nesting_too_deep" });
    // Under the limit, the same shape is fine and its depth is reported.
    const ok = scanJson(`{"body":${"[".repeat(100)}${"]".repeat(100)}}`, 128);
    expect(ok).toMatchObject({ ok: true, depth: 101 });
  });

  it.each([
    ["", "Unexpected end of JSON input"],
    ['{"a":1', "Unexpected end"],
    ['{"a":1}x', "after JSON"],
    ['{"a":"\u0001"}', "Bad control character"],
    ['{"a":"\\x"}', "Bad escaped character"],
    ['{"a":01}', "Unexpected character '1'"],
    ["{a:1}", "Expected property name"],
  ])("describes %j as invalid (%s)", (text, message) => {
    const r = scanJson(text, 8);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(message);
  });
});
