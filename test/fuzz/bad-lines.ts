import type { Rand } from "./fuzz-seed.js";
import { ENDPOINT, type GoodLine, lineOf, simpleBody } from "./good-lines.js";

/**
 * One bad line and what the team decided Docket must say about it: a line error naming this
 * line (always), and where the rule is specific, the `param`, a code pattern, or the byte
 * offset of invalid UTF-8 (`badBytes`: the bad sequence's first and last byte in the line).
 */
export interface BadLine {
  kind: string;
  bytes: Buffer;
  param?: string;
  code?: RegExp;
  badBytes?: { first: number; last: number };
}

export interface BadLineContext {
  /** Line number this line will have (1-based). */
  line: number;
  /** A fresh valid line to damage (its marker never reaches the backend: the batch fails). */
  good: () => GoodLine;
  /** custom_id literals of valid lines earlier in the same file. */
  earlierIds: string[];
}

const INVALID_UTF8: Record<string, number[][]> = {
  "utf8-overlong": [
    [0xc0, 0xaf],
    [0xc1, 0xbf],
    [0xe0, 0x80, 0xaf],
    [0xf0, 0x80, 0x80, 0xaf],
  ],
  "utf8-surrogate": [
    [0xed, 0xa0, 0x80],
    [0xed, 0xbf, 0xbf],
    [0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80],
  ],
  "utf8-truncated": [[0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xc3]],
  "utf8-stray-continuation": [[0x80], [0xbf], [0x80, 0x80, 0x80]],
  "utf8-invalid-byte": [[0xfe], [0xff], [0xf5, 0x80, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]],
  "utf8-above-max": [[0xf4, 0x90, 0x80, 0x80]],
};

function injectAt(text: string, at: number, bytes: Buffer): { bytes: Buffer; first: number } {
  const head = Buffer.from(text.slice(0, at));
  return { bytes: Buffer.concat([head, bytes, Buffer.from(text.slice(at))]), first: head.length };
}

function invalidUtf8(kind: string): (r: Rand, c: BadLineContext) => BadLine {
  return (r, c) => {
    const seq = Buffer.from(r.pick(INVALID_UTF8[kind]!));
    const g = c.good();
    const site = r.int(0, 3);
    let at: number;
    if (site === 0)
      at = g.text.indexOf(g.marker) + g.marker.length; // inside the content string
    else if (site === 1)
      at = g.text.indexOf(g.rawId) + 1; // inside the custom_id string
    else if (site === 2)
      at = g.text.indexOf("{") + 1; // between tokens
    else at = g.text.length; // at the end of the line (a truncated sequence right before the newline)
    const { bytes, first } = injectAt(g.text, at, seq);
    return { kind, bytes, badBytes: { first, last: first + seq.length - 1 } };
  };
}

const ID = (c: BadLineContext, r: Rand) => `"bad-l${c.line}-${r.int(0, 1e9)}"`;
const MARK = (c: BadLineContext) => `FZB:bad:l${c.line}:`;
const text = (kind: string, s: string, extra: Omit<BadLine, "kind" | "bytes"> = {}): BadLine => ({
  kind,
  bytes: Buffer.from(s),
  ...extra,
});

type Gen = (r: Rand, c: BadLineContext) => BadLine | null;

export const BAD_LINES: Record<string, Gen> = {
  ...Object.fromEntries(Object.keys(INVALID_UTF8).map((k) => [k, invalidUtf8(k)])),
  "nul-raw": (r, c) => {
    const g = c.good();
    const at = r.chance(0.5) ? g.text.indexOf(g.marker) + g.marker.length : g.text.indexOf("{") + 1;
    return { kind: "nul-raw", bytes: injectAt(g.text, at, Buffer.from([0])).bytes };
  },
  "nul-escaped-custom-id": (r, c) =>
    text(
      "nul-escaped-custom-id",
      lineOf({
        id: r.pick([`"a\\u0000b-l${c.line}"`, `"\\u0000"`, `"x-l${c.line}\\u0000"`]),
        method: `"POST"`,
        url: `"${ENDPOINT}"`,
        body: simpleBody(MARK(c)),
      }),
      { param: "custom_id" },
    ),
  "deep-nesting": (r, c) => {
    const depth = r.int(2_000, 10_000);
    const nest = r.chance(0.5)
      ? `${"[".repeat(depth)}1${"]".repeat(depth)}`
      : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
    const body = simpleBody(MARK(c), `,"x_deep":${nest}`);
    return text("deep-nesting", lineOf({ id: ID(c, r), method: `"POST"`, url: `"${ENDPOINT}"`, body }), {
      code: /nest|depth/i,
    });
  },
  "deep-nesting-unclosed": (r, c) => {
    const depth = r.int(2_000, 8_000);
    return text("deep-nesting-unclosed", `{"custom_id":${ID(c, r)},"body":${"[".repeat(depth)}`);
  },
  truncated: (r, c) => {
    const g = c.good();
    const bytes = Buffer.from(g.text);
    const open = bytes.indexOf("{");
    const close = bytes.lastIndexOf("}");
    return { kind: "truncated", bytes: bytes.subarray(0, r.int(open + 1, close)) };
  },
  "duplicate-custom-id": (r, c) => {
    if (c.earlierIds.length === 0) return null;
    const id = r.pick(c.earlierIds);
    return text(
      "duplicate-custom-id",
      lineOf({ id, method: `"POST"`, url: `"${ENDPOINT}"`, body: simpleBody(MARK(c)) }),
      { param: "custom_id" },
    );
  },
  "long-custom-id": (r, c) =>
    text(
      "long-custom-id",
      lineOf({
        id: `"${"L".repeat(r.int(1_048_576, 1_100_000))}-${c.line}"`,
        method: `"POST"`,
        url: `"${ENDPOINT}"`,
        body: simpleBody(MARK(c)),
      }),
      { param: "custom_id" },
    ),
  "wrong-method": (r, c) => {
    const method = r.pick([`"GET"`, `"post"`, `1`, `null`, `"POST "`, undefined]);
    const line = lineOf({ id: ID(c, r), method, url: `"${ENDPOINT}"`, body: simpleBody(MARK(c)) });
    return text("wrong-method", line, { param: "method" });
  },
  "wrong-url": (r, c) => {
    const url = r.pick([
      `"/v1/embeddings"`,
      `"/v1/chat/completions/"`,
      `""`,
      `"/V1/chat/completions"`,
      `"/v1/chat/completions?x=1"`,
      `"/v1/../v1/chat/completions"`,
      undefined,
    ]);
    const line = lineOf({ id: ID(c, r), method: `"POST"`, url, body: simpleBody(MARK(c)) });
    return text("wrong-url", line, { param: "url" });
  },
  "wrong-model": (r, c) => {
    const model = r.pick([`"model":"nope-model",`, `"model":"",`, `"model":5,`, `"model":null,`, ``]);
    const body = `{${model}"messages":[{"role":"user","content":"${MARK(c)}"}]}`;
    const line = lineOf({ id: ID(c, r), method: `"POST"`, url: `"${ENDPOINT}"`, body });
    return text("wrong-model", line, { param: "body.model" });
  },
  "stream-true": (r, c) => {
    const line = lineOf({
      id: ID(c, r),
      method: `"POST"`,
      url: `"${ENDPOINT}"`,
      body: simpleBody(MARK(c), r.pick([`,"stream":true`, `,"stream":true,"stream_options":{}`])),
    });
    return text("stream-true", line, { param: "body.stream" });
  },
  "not-an-object": (r) =>
    text(
      "not-an-object",
      r.pick([`[]`, `1`, `"x"`, `null`, `true`, `[{"custom_id":"a"}]`, `12345678901234567891`]),
    ),
  "body-not-object": (r, c) => {
    const body = r.pick([`[]`, `"x"`, `null`, `1`, `1e999`, undefined]);
    const line = lineOf({ id: ID(c, r), method: `"POST"`, url: `"${ENDPOINT}"`, body });
    return text("body-not-object", line, { param: "body" });
  },
  "custom-id-not-string": (r, c) => {
    const id = r.pick([`12345678901234567891`, `null`, `{}`, `""`, `1e999`, `["a"]`, `-0`, undefined]);
    const line = lineOf({ id, method: `"POST"`, url: `"${ENDPOINT}"`, body: simpleBody(MARK(c)) });
    return text("custom-id-not-string", line, { param: "custom_id" });
  },
  "proto-model": (r, c) => {
    const body = `{"__proto__":{"model":"fake-model"},"messages":[{"role":"user","content":"${MARK(c)}"}]}`;
    const line = lineOf({ id: ID(c, r), method: `"POST"`, url: `"${ENDPOINT}"`, body });
    return text("proto-model", line, { param: "body.model" });
  },
  "proto-top": (r, c) => {
    const inner = lineOf({ id: ID(c, r), method: `"POST"`, url: `"${ENDPOINT}"`, body: simpleBody(MARK(c)) });
    return text("proto-top", `{"__proto__":${inner}}`, { param: "custom_id" });
  },
  "bom-mid-file": (_r, c) => {
    if (c.line === 1) return null;
    return {
      kind: "bom-mid-file",
      bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(c.good().text)]),
    };
  },
  "lone-cr": (_r, c) => text("lone-cr", `${c.good().text}\r${c.good().text}`),
  "trailing-garbage": (r, c) =>
    text("trailing-garbage", `${c.good().text}${r.pick([" x", "}", "{}", ",", "\u00a0"])}`),
  "invalid-json": (r, c) => {
    const m = MARK(c);
    return text(
      "invalid-json",
      r.pick([
        `{'custom_id':'a','method':'POST'}`,
        `{"custom_id":"a-${c.line}","method":"POST","url":"${ENDPOINT}","body":{"model":"fake-model","x":NaN}}`,
        `{"custom_id":"a-${c.line}","method":"POST","url":"${ENDPOINT}","body":{"model":"fake-model","x":Infinity}}`,
        `{"custom_id":"a-${c.line}","method":"POST",}`,
        `{custom_id:"a"}`,
        `{"custom_id":"a-${c.line}"} // ${m}`,
        `{"custom_id":"a-${c.line}","body":{"model":"fake-model","x":01}}`,
        `{"custom_id":"a-${c.line}","body":{"model":"fake-model","x":"\\x41"}}`,
        `{"custom_id":"a-${c.line}","body":{"model":"fake-model","x":"\\ud8"}}`,
      ]),
    );
  },
  "raw-control-char": (r, c) => {
    const g = c.good();
    const at = g.text.indexOf(g.marker) + g.marker.length;
    return {
      kind: "raw-control-char",
      bytes: injectAt(g.text, at, Buffer.from([r.pick([1, 9, 31, 27])])).bytes,
    };
  },
  "huge-truncated": (r, c) => {
    const pad = "z".repeat(r.int(2, 4) * 1024 * 1024);
    return text(
      "huge-truncated",
      `{"custom_id":${ID(c, r)},"method":"POST","url":"${ENDPOINT}","body":{"x":"${pad}`,
    );
  },
};

/** The same 1 MB custom_id on every line: too long, and (if ever accepted) a duplicate. */
export function sameLongIdLine(c: BadLineContext): BadLine {
  return text(
    "same-long-custom-id",
    lineOf({
      id: `"${"S".repeat(1_048_576)}"`,
      method: `"POST"`,
      url: `"${ENDPOINT}"`,
      body: simpleBody(MARK(c)),
    }),
    { param: "custom_id" },
  );
}

/** Kinds that cost megabytes each: drawn rarely so the suite stays fast. */
export const EXPENSIVE_KINDS = new Set(["long-custom-id", "huge-truncated"]);
