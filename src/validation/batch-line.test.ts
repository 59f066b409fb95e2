import { describe, expect, it } from "vitest";
import { RouteTable } from "../routing/route-table.js";
import { parseBatchLine, parseBatchLineBytes } from "./batch-line.js";

const routes = new RouteTable([
  {
    name: "gpt",
    models: ["gpt-*"],
    backend: { type: "openai", baseUrl: "http://x/v1" },
    concurrency: 1,
    timeoutMs: 1,
    maxAttempts: 1,
  },
]);
const line = (o: unknown) => JSON.stringify(o);
const good = {
  custom_id: "a",
  method: "POST",
  url: "/v1/chat/completions",
  body: { model: "gpt-4o", messages: [] },
};
const parse = (text: string, seen = new Set<string>()) =>
  parseBatchLine(text, 7, 3, "/v1/chat/completions", routes, seen);

describe("parseBatchLine", () => {
  it("turns a good line into a record routed by model", () => {
    expect(parse(line(good))).toEqual({
      position: 3,
      line: 7,
      customId: "a",
      customIdJson: null,
      route: "gpt",
      body: JSON.stringify(good.body),
      model: "gpt-4o",
    });
  });

  it("keeps the body's exact text and the custom_id's literal when JSON.stringify would differ", () => {
    const body = '{ "model" : "gpt-4o", "seed": 12345678901234567891, "t": 1.0, "x": 1e999, "s": "\\u00e9" }';
    const r = parse(`{"custom_id":"\\ud800","method":"POST","url":"/v1/chat/completions","body":${body}}`);
    expect(r).toMatchObject({ body, customId: "\ud800", customIdJson: '"\\ud800"' });
    const plain = parse(
      `{"custom_id":"caf\u00e9","method":"POST","url":"/v1/chat/completions","body":${body}}`,
    );
    expect(plain).toMatchObject({ customId: "café", customIdJson: null });
  });

  it("tells two lone-surrogate ids apart", () => {
    const seen = new Set<string>();
    const at = (id: string) =>
      parse(
        `{"custom_id":"${id}","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o"}}`,
        seen,
      );
    expect(at("\\ud800")).toHaveProperty("customIdJson", '"\\ud800"');
    expect(at("\\ud801")).toHaveProperty("customIdJson", '"\\ud801"');
    expect(at("\\ud800")).toMatchObject({ code: "duplicate_custom_id" });
  });

  it("refuses deep nesting as a line error before anything parses it", () => {
    const deep = `${"[".repeat(6000)}${"]".repeat(6000)}`;
    const r = parse(
      line({ ...good, body: { model: "gpt-4o" } }).replace('"gpt-4o"}', `"gpt-4o","x":${deep}}`),
    );
    expect(r).toMatchObject({ code: "nesting_too_deep", line: 7 });
    expect((r as { message: string }).message).toContain("more than 128 deep");
  });

  it("bounds the custom_id and quotes a long one elided", () => {
    const long = "x".repeat(1_000_000);
    const r = parse(line({ ...good, custom_id: long })) as { code: string; message: string };
    expect(r.code).toBe("custom_id_too_long");
    expect(r.message.length).toBeLessThan(400);
    expect(parse(line({ ...good, custom_id: "y".repeat(512) }))).toHaveProperty("customId", "y".repeat(512));
    expect(parse(line({ ...good, custom_id: "a\u0000b" }))).toMatchObject({ code: "invalid_custom_id" });
  });

  it("rejects stream: true but not stream: false", () => {
    expect(parse(line({ ...good, body: { ...good.body, stream: true } }))).toMatchObject({
      code: "unsupported_parameter",
      param: "body.stream",
    });
    expect(parse(line({ ...good, body: { ...good.body, stream: false } }))).toHaveProperty("customId");
  });

  it.each([
    ["{not json", "invalid_json", null],
    ["[1]", "invalid_request", null],
    [line({ ...good, custom_id: "" }), "missing_required_parameter", "custom_id"],
    [line({ ...good, method: "GET" }), "invalid_method", "method"],
    [line({ ...good, url: "/v1/embeddings" }), "mismatched_endpoint", "url"],
    [line({ ...good, body: "x" }), "invalid_body", "body"],
    [line({ ...good, body: { messages: [] } }), "missing_required_parameter", "body.model"],
    [line({ ...good, body: { model: "claude-3" } }), "model_not_found", "body.model"],
    [line({ ...good, body: { model: "gpt-4o\u0000" } }), "invalid_request", "body.model"],
    [line({ ...good, custom_id: 5 }), "missing_required_parameter", "custom_id"],
    [line({ ...good, body: [1] }), "invalid_body", "body"],
  ])("reports %s as %s with its line number", (text, code, param) => {
    const r = parse(text);
    expect(r).toMatchObject({ code, param, line: 7 });
    expect((r as { message: string }).message).toMatch(/^Line 7: /);
    expect((r as { message: string }).message).not.toMatch(/Line 7: .*Line 7/);
  });

  it("rejects a custom_id seen before", () => {
    const seen = new Set<string>();
    expect(parse(line(good), seen)).toHaveProperty("customId");
    expect(parse(line(good), seen)).toMatchObject({ code: "duplicate_custom_id" });
  });
});

describe("parseBatchLineBytes", () => {
  const viaBytes = (text: string, seen = new Set<string>()) =>
    parseBatchLineBytes(Buffer.from(text), 7, 3, "/v1/chat/completions", routes, seen);
  const body =
    '{ "model" : "gpt-4o", "seed": 12345678901234567891, "t": 1.0, "x": 1e999, "s": "\\u00e9 é 中 😀" }';
  const cases = [
    `{"custom_id":"\\ud800","method":"POST","url":"/v1/chat/completions","body":${body}}`,
    `{ "custom_id" : "caf\u00e9-中" ,"method":"\\u0050OST","url":"\\/v1\\/chat\\/completions","body":${body} }`,
    `{"k\\u0041":1,"custom_id":"a","custom_id":"b","method":"POST","url":"/v1/chat/completions","body":${body}}`,
    line(good),
    line({ ...good, body: { ...good.body, stream: true } }),
    line({ ...good, custom_id: "x".repeat(5000) }),
    line({ ...good, custom_id: "a\u0000b" }),
    line({ ...good, method: "GET" }),
    line({ ...good, url: "/v1/embeddings" }),
    line({ ...good, body: "x" }),
    line({ ...good, body: { messages: [] } }),
    line({ ...good, body: { model: "claude-3" } }),
    line({ ...good, custom_id: 5 }),
    "{not json",
    `{"custom_id":"a","body":{"model":"gpt-4o"}}x`,
    `{"custom_id":"a","body":{"x":1.}}`,
    `{"custom_id":"é","body":${"[".repeat(200)}${"]".repeat(200)}}`,
    "[1]",
    "12",
  ];

  it.each(cases)("gives what parseBatchLine gives for %s, the body as its bytes", (text) => {
    const want = parse(text);
    const got = viaBytes(text);
    if ("code" in want) {
      expect(got).toEqual(want);
      return;
    }
    expect("body" in got && Buffer.isBuffer(got.body)).toBe(true);
    const { body: gotBody, ...gotRest } = got as { body: Buffer };
    const { body: wantBody, ...wantRest } = want;
    expect(gotRest).toEqual(wantRest);
    expect(gotBody.toString("utf8")).toBe(wantBody);
  });

  it("keeps the body as a view of the line's bytes, not a copy", () => {
    const bytes = Buffer.from(line(good));
    const r = parseBatchLineBytes(bytes, 1, 0, "/v1/chat/completions", routes, new Set());
    const b = (r as { body: Buffer }).body;
    expect(b.buffer).toBe(bytes.buffer);
  });

  it("rejects a custom_id seen before", () => {
    const seen = new Set<string>();
    expect(viaBytes(line(good), seen)).toHaveProperty("customId");
    expect(viaBytes(line(good), seen)).toMatchObject({ code: "duplicate_custom_id" });
  });
});
