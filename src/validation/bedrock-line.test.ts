import { describe, expect, it } from "vitest";
import type { RouteConfig } from "../config/config.js";
import { DEFAULT_VALIDATION_LIMITS } from "../config/validation-limits.js";
import { bedrockInvokeEndpoint } from "../domain/job.js";
import { RouteTable } from "../routing/route-table.js";
import {
  type BedrockLineContext,
  generatedRecordId,
  parseBedrockLine,
  parseBedrockLineBytes,
} from "./bedrock-line.js";

const route = (name: string, models: string[], backend: RouteConfig["backend"]): RouteConfig => ({
  name,
  models,
  backend,
  concurrency: 1,
  timeoutMs: 1,
  maxAttempts: 1,
});
const routes = new RouteTable([
  route("bedrock", ["anthropic.*", "meta.*"], { type: "bedrock", region: "us-east-1" }),
  route("openai", ["gpt-claude"], { type: "openai", baseUrl: "http://x/v1" }),
  route("llama-openai", ["llama-on-openai"], { type: "openai", baseUrl: "http://x/v1" }),
]);
const CLAUDE = "anthropic.claude-3-haiku-20240307-v1:0";

function at(model: string | null = CLAUDE, seenIds = new Set<string>()): BedrockLineContext {
  return {
    job: { model, endpoint: bedrockInvokeEndpoint(model ?? "none") },
    routes,
    seenIds,
    limits: DEFAULT_VALIDATION_LIMITS,
  };
}
const claudeInput =
  '{"anthropic_version":"bedrock-2023-05-31","max_tokens":64,"messages":[{"role":"user","content":"Hi"}]}';

describe("parseBedrockLine", () => {
  it("turns a line into a record on the job's model's route, the modelInput's exact text as its body", () => {
    const input =
      '{ "anthropic_version" : "bedrock-2023-05-31", "seed": 12345678901234567891, "t": 1.0, "messages": [] }';
    expect(parseBedrockLine(`{"recordId":"CALL0000001","modelInput":${input}}`, 4, 2, at())).toEqual({
      position: 2,
      line: 4,
      customId: "CALL0000001",
      customIdJson: null,
      route: "bedrock",
      body: input,
      model: CLAUDE,
    });
  });

  it("gives a line without recordId the id derived from its line number, as Bedrock adds one", () => {
    const r = parseBedrockLine(`{"modelInput":${claudeInput}}`, 12, 0, at());
    expect(r).toMatchObject({ customId: "L0000000012", line: 12 });
    expect(generatedRecordId(12)).toHaveLength(11);
    expect(parseBedrockLine(`{"recordId":null,"modelInput":${claudeInput}}`, 3, 0, at())).toMatchObject({
      customId: "L0000000003",
    });
  });

  it("refuses a duplicate recordId, including one equal to an id Docket generated", () => {
    const seen = new Set<string>();
    expect(parseBedrockLine(`{"recordId":"a","modelInput":{}}`, 1, 0, at(CLAUDE, seen))).not.toHaveProperty(
      "code",
    );
    expect(parseBedrockLine(`{"recordId":"a","modelInput":{}}`, 2, 1, at(CLAUDE, seen))).toMatchObject({
      code: "duplicate_record_id",
      line: 2,
      param: "recordId",
      message: 'Line 2: the recordId "a" appears more than once in the file.',
    });
    expect(parseBedrockLine(`{"modelInput":{}}`, 3, 1, at(CLAUDE, seen))).not.toHaveProperty("code");
    expect(
      parseBedrockLine(`{"recordId":"L0000000003","modelInput":{}}`, 4, 2, at(CLAUDE, seen)),
    ).toMatchObject({ code: "duplicate_record_id", line: 4 });
  });

  it("names each malformed line's problem and field", () => {
    const cases: Array<[string, string, string | null]> = [
      ["{not json", "invalid_json", null],
      ["[1,2]", "invalid_request", null],
      ['{"recordId":"a"}', "invalid_model_input", "modelInput"],
      ['{"recordId":"a","modelInput":"text"}', "invalid_model_input", "modelInput"],
      ['{"recordId":"a","modelInput":[1]}', "invalid_model_input", "modelInput"],
      ['{"recordId":7,"modelInput":{}}', "invalid_record_id", "recordId"],
      ['{"recordId":"","modelInput":{}}', "invalid_record_id", "recordId"],
      ['{"recordId":"a\\u0000b","modelInput":{}}', "invalid_record_id", "recordId"],
      [`{"recordId":"${"x".repeat(5000)}","modelInput":{}}`, "record_id_too_long", "recordId"],
    ];
    for (const [text, code, param] of cases) {
      const r = parseBedrockLine(text, 9, 0, at());
      expect(r, text).toMatchObject({ code, param, line: 9 });
      expect((r as { message: string }).message, text).toMatch(/^Line 9: /);
    }
  });

  it("refuses every line when no route serves the job's model", () => {
    expect(parseBedrockLine(`{"modelInput":{}}`, 1, 0, at("mystery.model-v1"))).toMatchObject({
      code: "model_not_found",
      param: "model",
    });
  });

  it("keeps a recordId's literal when JSON.stringify would write it differently", () => {
    const r = parseBedrockLine(`{"recordId":"\\u0041b","modelInput":{}}`, 1, 0, at());
    expect(r).toMatchObject({ customId: "Ab", customIdJson: '"\\u0041b"' });
  });

  it("bridges a Claude body to a non-Bedrock route and names the field it cannot carry under modelInput", () => {
    expect(
      parseBedrockLine(`{"recordId":"a","modelInput":${claudeInput}}`, 1, 0, at("gpt-claude")),
    ).toMatchObject({
      route: "openai",
      body: claudeInput,
    });
    const beta =
      '{"anthropic_version":"bedrock-2023-05-31","anthropic_beta":["x"],"max_tokens":5,"messages":[{"role":"user","content":"Hi"}]}';
    const r = parseBedrockLine(`{"recordId":"a","modelInput":${beta}}`, 5, 0, at("gpt-claude"));
    expect(r).toMatchObject({ code: "unsupported_by_route", param: "modelInput.anthropic_beta", line: 5 });
    expect((r as { message: string }).message).toMatch(/^Line 5: 'modelInput\.anthropic_beta' /);
    // A Llama body is only runnable on Bedrock itself.
    const llama = parseBedrockLine(`{"modelInput":{"prompt":"Hi","max_gen_len":5}}`, 6, 0, at("gpt-claude"));
    expect(llama).toMatchObject({ code: "unsupported_by_route", param: "modelInput", line: 6 });
  });

  it("reads a big line as bytes the same way, its body a view of the bytes", () => {
    const text = `{"recordId":"big","modelInput":${claudeInput}}`;
    const bytes = Buffer.from(text);
    const r = parseBedrockLineBytes(bytes, 2, 1, at());
    expect(r).toMatchObject({ customId: "big", route: "bedrock" });
    expect(Buffer.isBuffer((r as { body: Buffer }).body)).toBe(true);
    expect((r as { body: Buffer }).body.toString()).toBe(claudeInput);
    expect(parseBedrockLineBytes(Buffer.from('{"recordId":1'), 2, 1, at())).toMatchObject({
      code: "invalid_json",
    });
  });
});
