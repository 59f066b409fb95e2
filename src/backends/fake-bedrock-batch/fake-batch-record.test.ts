import { describe, expect, it } from "vitest";
import { processRecord, readInputLine } from "./fake-batch-record.js";

const CLAUDE = "anthropic.claude-3-haiku-20240307-v1:0";

describe("fake batch records", () => {
  it("reads an input line, refusing one without an 11-character record id", () => {
    expect(readInputLine('{"recordId":"ABCDEFGHIJ1","modelInput":{"a":1}}', 1)).toEqual({
      recordId: "ABCDEFGHIJ1",
      modelInput: '{"a":1}',
    });
    expect(readInputLine('{"recordId":"short","modelInput":{}}', 4)).toMatch(/^Line 4: recordId/);
    expect(readInputLine('{"recordId":"ABCDEFGHIJ1","modelInput":[]}', 2)).toMatch(/modelInput/);
    expect(readInputLine("{", 3)).toMatch(/^Line 3 .*not valid JSON/);
  });

  it("answers with the runtime fake's body, or an error line", () => {
    const record = {
      recordId: "ABCDEFGHIJ1",
      modelInput: JSON.stringify({
        anthropic_version: "bedrock-2023-05-31",
        max_tokens: 10,
        messages: [{ role: "user", content: "hi" }],
      }),
    };
    const ok = processRecord(record, CLAUDE, "InvokeModel", { kind: "answer" }, 5);
    const line = JSON.parse(ok.line);
    expect(line.recordId).toBe("ABCDEFGHIJ1");
    expect(line.modelOutput.usage.output_tokens).toBe(5);
    expect(ok).toMatchObject({ ok: true, outputTokens: 5 });

    const refused = processRecord(
      { ...record, modelInput: '{"prompt":"x"}' },
      CLAUDE,
      "InvokeModel",
      { kind: "answer" },
      5,
    );
    expect(JSON.parse(refused.line).error).toMatchObject({ errorCode: 400 });
    expect(refused.ok).toBe(false);

    const picked = processRecord(
      record,
      CLAUDE,
      "InvokeModel",
      { kind: "error", errorCode: 429, errorMessage: "slow down" },
      5,
    );
    expect(JSON.parse(picked.line).error).toEqual({ errorCode: 429, errorMessage: "slow down" });
  });
});
