import { toFile } from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { chatBatchLines, parseJsonl } from "../support/batch-files.js";
import { pollBatch, startTestDocket, type TestDocket } from "../support/test-docket.js";

interface OutputLine {
  custom_id: string;
  response: { status_code: number; body: { usage?: { prompt_tokens: number; completion_tokens: number } } };
}

/**
 * The Batch fields that only a real run fills in (model, usage, the output files' expiry),
 * through the official SDK against an embedded Docket and its real worker.
 */
describe("OpenAI batch fields filled by a run", () => {
  let t: TestDocket;
  afterEach(async () => t?.close());

  it("reports the model, the full usage shape and output_expires_after on the files", async () => {
    t = await startTestDocket({ fake: { fail400Marker: "BAD" } });
    const lines = chatBatchLines(6, { model: "fake-model-7", mark: (i) => (i === 4 ? "BAD " : null) });
    const file = await t.openai.files.create({
      file: await toFile(Buffer.from(`${lines.join("\n")}\n`), "in.jsonl"),
      purpose: "batch",
    });
    const created = await t.openai.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
      output_expires_after: { anchor: "created_at", seconds: 7200 },
    });
    expect(created.model).toBeNull();

    const done = await pollBatch(t.openai, created.id, ["completed", "failed"]);
    expect(done.status).toBe("completed");
    expect(done.model).toBe("fake-model-7");
    expect(done.request_counts).toEqual({ total: 6, completed: 5, failed: 1 });

    const output = parseJsonl<OutputLine>(await (await t.openai.files.content(done.output_file_id!)).text());
    const input = output.reduce((n, l) => n + (l.response.body.usage?.prompt_tokens ?? 0), 0);
    const outputTokens = output.reduce((n, l) => n + (l.response.body.usage?.completion_tokens ?? 0), 0);
    expect(input).toBeGreaterThan(0);
    expect(done.usage).toEqual({
      input_tokens: input,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: outputTokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: input + outputTokens,
    });

    // OpenAI anchors the expiry on each file's own creation, not the batch's.
    for (const id of [done.output_file_id!, done.error_file_id!]) {
      const f = await t.openai.files.retrieve(id);
      expect(f.purpose).toBe("batch_output");
      expect(f.status).toBe("processed");
      expect(f.expires_at! - f.created_at).toBe(7200);
    }
  });
});
