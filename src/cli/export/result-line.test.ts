import { describe, expect, it } from "vitest";
import { responseOutput } from "./response-output.js";
import { parseResultLine } from "./result-line.js";

const line = (o: unknown) => JSON.stringify(o);
const chat = (content: string | null) => ({
  object: "chat.completion",
  choices: [{ index: 0, message: { role: "assistant", content } }],
  usage: { prompt_tokens: 11, completion_tokens: 7 },
});

describe("responseOutput", () => {
  it.each([
    ["chat", chat("Hello."), "Hello."],
    ["completions", { object: "text_completion", choices: [{ text: "Hi" }] }, "Hi"],
    ["responses output_text", { object: "response", output_text: "Yes" }, "Yes"],
    [
      "responses parts",
      {
        object: "response",
        output: [
          {
            type: "message",
            content: [
              { type: "output_text", text: "A" },
              { type: "output_text", text: "B" },
            ],
          },
        ],
      },
      "AB",
    ],
    ["one embedding", { object: "list", data: [{ embedding: [0.5, -1] }] }, "[0.5,-1]"],
    ["two embeddings", { object: "list", data: [{ embedding: [1] }, { embedding: [2] }] }, "[[1],[2]]"],
    ["anthropic message", { type: "message", content: [{ type: "text", text: "Hey" }] }, "Hey"],
    ["unknown", { foo: 1 }, null],
  ])("reads the text of %s", (_name, body, text) => {
    expect(responseOutput(body).output).toBe(text);
  });

  it("reads both usage spellings", () => {
    expect(responseOutput(chat("x"))).toMatchObject({ inputTokens: 11, outputTokens: 7 });
    expect(responseOutput({ usage: { input_tokens: 3, output_tokens: 4 } })).toMatchObject({
      inputTokens: 3,
      outputTokens: 4,
    });
    expect(responseOutput({ object: "list", data: [], usage: { prompt_tokens: 2 } })).toMatchObject({
      inputTokens: 2,
      outputTokens: null,
    });
  });
});

describe("parseResultLine", () => {
  it("reads a success from an output file line", () => {
    const r = parseResultLine(
      line({
        id: "batch_req_42",
        custom_id: "a",
        response: { status_code: 200, body: chat("Done.") },
        error: null,
      }),
    );
    expect(r).toEqual({
      customId: "a",
      seq: 42,
      status: "succeeded",
      errorCode: null,
      errorMessage: null,
      output: "Done.",
      inputTokens: 11,
      outputTokens: 7,
    });
  });

  it("keeps the provider's code and message for an HTTP error", () => {
    const r = parseResultLine(
      line({
        id: "batch_req_1",
        custom_id: "b",
        response: {
          status_code: 400,
          body: {
            error: { message: "Too long.", type: "invalid_request_error", code: "context_length_exceeded" },
          },
        },
        error: null,
      }),
    );
    expect(r).toMatchObject({
      status: "failed",
      errorCode: "context_length_exceeded",
      errorMessage: "Too long.",
      output: null,
    });
  });

  it.each([
    ["batch_cancelled", "cancelled"],
    ["budget_exceeded", "cancelled"],
    ["batch_expired", "expired"],
    ["attempts_exhausted", "failed"],
  ])("maps Docket's %s to %s", (code, status) => {
    const r = parseResultLine(
      line({ id: "batch_req_3", custom_id: "c", response: null, error: { code, message: "m" } }),
    );
    expect(r).toMatchObject({ status, errorCode: code, errorMessage: "m" });
  });

  it("refuses a line that is not a result", () => {
    expect(() => parseResultLine('{"x":1}')).toThrow(/custom_id/);
  });
});
