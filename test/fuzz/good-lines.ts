import type { Rand } from "./fuzz-seed.js";

/**
 * Valid batch lines that are awkward to carry byte for byte: numbers beyond double precision,
 * prototype keys, lone-surrogate escapes, escaped NUL, raw multi-byte UTF-8, CR as JSON
 * whitespace, shuffled keys. The line's `body` and `custom_id` are kept as the raw JSON text
 * they were written as, which is what the backend and the output file must show.
 */
export interface GoodLine {
  /** The line without its terminator. */
  text: string;
  /** The raw JSON literal of `custom_id` as written. */
  rawId: string;
  /** The raw JSON text of the `body` value as written (no surrounding whitespace). */
  rawBody: string;
  /** Unique ASCII tag inside the body's message content, to find what the backend received. */
  marker: string;
}

export const ENDPOINT = "/v1/chat/completions";

/** Numbers whose text changes if parsed and re-serialised. */
const NUMBERS = [
  "12345678901234567891",
  "-12345678901234567891",
  "123456789012345678901234567890",
  "1.0",
  "-0",
  "-0.0",
  "1E+2",
  "1e999",
  "-1e999",
  "5e-324",
  "1e-400",
  "0.1000000000000000055511151231257827",
  "2.50",
];

/** Body members beyond model/messages: each a raw `"key":value` text. */
const EXTRAS = [
  () => `"seed":12345678901234567891`,
  () => `"temperature":1.0`,
  (r: Rand) => `"x_numbers":[${r.shuffle([...NUMBERS]).join(",")}]`,
  () => `"__proto__":{"polluted":true}`,
  () => `"constructor":{"prototype":{"polluted":true}}`,
  () => `"stream":false`,
  () => `"x_nul":"a\\u0000b"`,
  () => `"x_text":"\\ud800 \\udc00 \\uDBFF\\uDFFF \\ud83d\\ude00 é 中 😀 \u2028 \u2029 \\/ \\b\\f"`,
  (r: Rand) => {
    const depth = r.int(2, 10);
    return `"x_nested":${"[".repeat(depth)}0${"]".repeat(depth)}`;
  },
];

/** Pieces of message content: escapes (some only meaningful as written), raw UTF-8, plain words. */
const CONTENT_PIECES = [
  "what is 2 + 2?",
  "\\n",
  "\\t",
  '\\"',
  "\\\\",
  "\\/",
  "\\u00e9",
  "\\u00E9",
  "\\ud83d\\ude00",
  "\\ud800",
  "\\udfff",
  "\\uDC00\\uD800",
  "\\u0000",
  "é",
  "中文",
  "😀",
  "\u007f",
  " ",
];

function ws(r: Rand): string {
  // Mostly compact; sometimes spaces, tabs, and rarely a CR, which is JSON whitespace and not
  // a line break (the team's rule for every file size).
  const d = r.next();
  if (d < 0.6) return "";
  if (d < 0.8) return " ";
  if (d < 0.9) return "\t ";
  if (d < 0.96) return "  ";
  return "\r";
}

function rawId(r: Rand, base: string): string {
  switch (r.int(0, 9)) {
    case 0:
      return `"${base}-\\u0041"`;
    case 1:
      return `"${base}-\\ud800"`;
    case 2:
      return `"${base}-\\uDC00\\uD800"`;
    case 3:
      return `"${base}-é中😀"`;
    case 4:
      return `"${base}${"x".repeat(Math.max(0, 510 - base.length))}"`;
    case 5:
      return `"${base}-\\/\\"\\\\"`;
    case 6:
      return `"${base}-\\ud83d\\ude00"`;
    default:
      return `"${base}"`;
  }
}

function content(r: Rand, marker: string, padBytes: number): string {
  let s = marker;
  const n = r.int(1, 6);
  for (let i = 0; i < n; i++) s += r.pick(CONTENT_PIECES);
  if (padBytes > 0) s += " pad ".repeat(Math.ceil(padBytes / 5));
  return `"${s}"`;
}

export function goodLine(
  r: Rand,
  tag: { prefix: string; file: number; line: number },
  opts: { padBytes?: number; rawId?: string } = {},
): GoodLine {
  const fileTag = `f${String(tag.file).padStart(4, "0")}`;
  const marker = `${tag.prefix}:${fileTag}:l${tag.line}:`;
  const model = r.chance(0.05) ? `"fake\\u002dmodel"` : r.pick([`"fake-model"`, `"fake-other"`]);
  const members = [
    `"model":${ws(r)}${model}`,
    `"messages":${ws(r)}[{"role":"user",${ws(r)}"content":${content(r, marker, opts.padBytes ?? 0)}}]`,
    `"max_tokens":${ws(r)}4`,
  ];
  // Distinct extras: a repeated key would be valid JSON but says nothing more.
  for (const extra of r.shuffle([...EXTRAS]).slice(0, r.int(0, 3))) members.push(extra(r));
  r.shuffle(members);
  const rawBody = `{${ws(r)}${members.join(`,${ws(r)}`)}${ws(r)}}`;
  const id = opts.rawId ?? rawId(r, `id-${tag.prefix}-${fileTag}-l${tag.line}`);
  const method = r.chance(0.03) ? `"\\u0050OST"` : `"POST"`;
  const url = r.chance(0.03) ? `"\\/v1\\/chat\\/completions"` : `"${ENDPOINT}"`;
  const top = [
    `"custom_id":${ws(r)}${id}`,
    `"method":${method}`,
    `"url":${url}`,
    `"body":${ws(r)}${rawBody}`,
  ];
  if (r.chance(0.05)) top.push(`"constructor":{"name":"x"}`);
  r.shuffle(top);
  const text = `${ws(r)}{${top.join(`,${ws(r)}`)}${ws(r)}}${r.chance(0.1) ? " " : ""}`;
  return { text, rawId: id, rawBody, marker };
}

/** Builds a line from raw member texts (undefined: member left out), for bad-line variants. */
export function lineOf(m: {
  id?: string;
  method?: string;
  url?: string;
  body?: string;
  extra?: string;
}): string {
  const parts: string[] = [];
  if (m.id !== undefined) parts.push(`"custom_id":${m.id}`);
  if (m.method !== undefined) parts.push(`"method":${m.method}`);
  if (m.url !== undefined) parts.push(`"url":${m.url}`);
  if (m.body !== undefined) parts.push(`"body":${m.body}`);
  if (m.extra !== undefined) parts.push(m.extra);
  return `{${parts.join(",")}}`;
}

export function simpleBody(marker: string, extra = ""): string {
  return `{"model":"fake-model","max_tokens":4,"messages":[{"role":"user","content":"${marker}"}]${extra}}`;
}
