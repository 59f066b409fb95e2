import { describe, expect, it } from "vitest";
import type { RouteConfig } from "../config/config.js";
import { RouteTable } from "../routing/route-table.js";
import { anthropicLines } from "./anthropic-line.js";

const route = (name: string, models: string[], backend: RouteConfig["backend"]): RouteConfig => ({
  name,
  models,
  backend,
  concurrency: 1,
  timeoutMs: 1,
  maxAttempts: 1,
});
const routes = new RouteTable([
  route("claude", ["claude-*"], { type: "anthropic" } as RouteConfig["backend"]),
  route("gpt", ["gpt-*"], { type: "openai", baseUrl: "http://x/v1" }),
]);
const at = () => ({ routes, seenIds: new Set<string>(), limits: { maxNestingDepth: 64 } });
const lineOf = (params: string, id = "r1") => `{"custom_id":"${id}","params":${params}}`;
const parse = (params: string, ctx = at()) => anthropicLines.parse(lineOf(params), 3, 2, ctx);

describe("anthropicLines", () => {
  it("keeps the params' exact text as the body, routed by model", () => {
    const params =
      '{ "model":"claude-x", "max_tokens": 10, "messages":[{"role":"user","content":"hi"}], "t": 1.0 }';
    expect(parse(params)).toEqual({
      position: 2,
      line: 3,
      customId: "r1",
      customIdJson: null,
      route: "claude",
      body: params,
      model: "claude-x",
    });
  });

  it("reads big lines as bytes with the same result, the body a view of the bytes", () => {
    const params = '{"model":"claude-x","max_tokens":10,"messages":[{"role":"user","content":"é"}]}';
    const r = anthropicLines.parseBytes(Buffer.from(lineOf(params)), 3, 2, at());
    expect("body" in r && Buffer.isBuffer(r.body) && r.body.toString("utf8")).toBe(params);
  });

  it.each([
    ['{"max_tokens":1,"messages":[{}]}', "params.model: Field required"],
    ['{"model":"claude-x","messages":[{}]}', "params.max_tokens: Field required"],
    ['{"model":"claude-x","max_tokens":0,"messages":[{}]}', "params.max_tokens: Input should be an integer"],
    [
      '{"model":"claude-x","max_tokens":1.5,"messages":[{}]}',
      "params.max_tokens: Input should be an integer",
    ],
    ['{"model":"claude-x","max_tokens":1}', "params.messages: Field required"],
    ['{"model":"claude-x","max_tokens":1,"messages":{}}', "params.messages: Input should be a valid list"],
    [
      '{"model":"claude-x","max_tokens":1,"messages":[ ]}',
      "params.messages: List should have at least 1 item",
    ],
    ['{"model":"claude-x","max_tokens":1,"messages":[{}],"stream":true}', "params.stream"],
    ['{"model":"llama-3","max_tokens":1,"messages":[{}]}', 'no route serves the model "llama-3"'],
  ])("a bad request %s fails only itself, as invalid_request_error", (params, message) => {
    const r = parse(params);
    expect(r).toMatchObject({ customId: "r1", line: 3, failure: { code: "invalid_request_error" } });
    expect("failure" in r && r.failure?.message).toContain(message);
  });

  it("a field the route's dialect cannot carry fails the request, naming the field under params", () => {
    // Anthropic's `top_k` has no OpenAI chat equivalent (src/bridge refuses it).
    const r = parse('{"model":"gpt-4o","max_tokens":5,"messages":[{"role":"user","content":"x"}],"top_k":3}');
    expect(r).toMatchObject({ failure: { code: "invalid_request_error" } });
    expect("failure" in r && r.failure?.message).toMatch(/^params\.top_k: /);
  });

  it("a bridgeable request is routed to the other dialect's route", () => {
    const r = parse('{"model":"gpt-4o","max_tokens":5,"messages":[{"role":"user","content":"x"}]}');
    expect(r).toMatchObject({ route: "gpt", model: "gpt-4o" });
    expect("failure" in r && r.failure).toBeFalsy();
  });

  it("params nested deeper than the configured limit fail only their request", () => {
    const deep = `{"model":"claude-x","max_tokens":1,"messages":[{}],"x":${"[".repeat(80)}${"]".repeat(80)}}`;
    const r = parse(deep);
    expect(r).toMatchObject({ customId: "r1", failure: { code: "invalid_request_error" } });
    expect("failure" in r && r.failure?.message).toContain("validation.maxNestingDepth");
  });

  it("a line Docket did not write that way fails the batch (a bug, never silent)", () => {
    const ctx = at();
    expect(anthropicLines.parse('{"custom_id":"a"}', 4, 0, ctx)).toMatchObject({
      code: "invalid_line",
      line: 4,
    });
    expect(anthropicLines.parse("{", 5, 0, ctx)).toMatchObject({ code: "invalid_line", line: 5 });
    const good = '{"model":"claude-x","max_tokens":1,"messages":[{}]}';
    expect(anthropicLines.parse(lineOf(good), 6, 0, ctx)).toMatchObject({ route: "claude" });
    expect(anthropicLines.parse(lineOf(good), 7, 1, ctx)).toMatchObject({ code: "invalid_line", line: 7 });
  });
});
