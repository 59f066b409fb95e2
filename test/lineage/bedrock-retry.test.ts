import { describe, expect, it } from "vitest";
import { startFakeBedrock } from "../../src/backends/fake-bedrock/fake-bedrock-server.js";
import { pollBatch, startTestDocket } from "../support/test-docket.js";
import { REJECT } from "./lineage-harness.js";

const HAIKU = "anthropic.claude-3-haiku-20240307-v1:0";
const SONNET = "anthropic.claude-3-5-sonnet-20240620-v1:0";
const modelInput = (i: number) =>
  `{"anthropic_version": "bedrock-2023-05-31", "max_tokens": 20, "temperature": 1.0, "messages": [{"role": "user", "content": "${i % 5 === 0 ? REJECT : ""}Call ${i}"}]}`;
/** Every fourth line has no recordId: Docket names it from its line number, and so does the retry. */
const line = (i: number) =>
  i % 4 === 3
    ? `{"modelInput": ${modelInput(i)}}`
    : `{"recordId": "CALL${i}", "modelInput": ${modelInput(i)}}`;

interface OutLine {
  recordId: string;
  modelInput: unknown;
  modelOutput?: unknown;
  error?: unknown;
}

/**
 * A Bedrock batch file retried with its model changed: Bedrock names the model on the job, so the
 * override changes the child's model (and endpoint), not the bodies, which reach the fake byte
 * for byte; the merged `.out` lines echo each record's own modelInput, in input order.
 */
describe("retry with lineage of a Bedrock batch file", () => {
  it("retries the failures on another model and merges the .out lines", async () => {
    const bedrock = await startFakeBedrock({ fail400Marker: REJECT, recordBodies: true });
    const t = await startTestDocket({
      tune: (c) => {
        c.routes.unshift({
          name: "bedrock",
          models: ["anthropic.*"],
          backend: {
            type: "bedrock",
            region: "us-east-1",
            endpoint: bedrock.url,
            accessKeyId: "AKIDEXAMPLE",
            secretAccessKey: "secret",
          },
          concurrency: 8,
          timeoutMs: 10_000,
          maxAttempts: 3,
        });
      },
    });
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${t.docket.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return (await res.json()) as {
        id: string;
        model: string;
        endpoint: string;
        docket_retry: { records: number };
      };
    };
    try {
      const lines = Array.from({ length: 40 }, (_, i) => line(i));
      const file = await t.openai.files.create({
        file: new File([`${lines.join("\n")}\n`], "calls.jsonl"),
        purpose: "batch",
      });
      const root = await post("/v1/batches", {
        input_file_id: file.id,
        input_format: "bedrock",
        model: HAIKU,
        completion_window: "24h",
      });
      const ended = await pollBatch(t.openai, root.id, ["completed"]);
      expect(ended.request_counts).toEqual({ total: 40, completed: 32, failed: 8 });

      bedrock.setOptions({ fail400Marker: null });
      bedrock.resetStats();
      const child = await post(`/v1/batches/${root.id}/retry`, {
        only: ["failed"],
        overrides: { model: SONNET },
      });
      expect(child).toMatchObject({ model: SONNET, endpoint: `/model/${encodeURIComponent(SONNET)}/invoke` });
      expect(child.docket_retry.records).toBe(8);
      expect((await pollBatch(t.openai, child.id, ["completed"])).request_counts).toMatchObject({
        completed: 8,
      });
      const failed = lines.map((_, i) => i).filter((i) => i % 5 === 0);
      const sent = (bedrock.stats().bodies ?? []).map((b) => [b.path, b.request]);
      expect(sent.map(([, body]) => body).sort()).toEqual(failed.map((i) => modelInput(i)).sort());
      expect(new Set(sent.map(([path]) => path))).toEqual(
        new Set([`/model/${encodeURIComponent(SONNET)}/invoke`]),
      );
      // The child's file keeps the parent's name, so its output is `calls.jsonl.out` too.
      const childFile = await t.openai.files.retrieve(
        (await t.openai.batches.retrieve(child.id)).input_file_id,
      );
      expect(childFile.filename).toBe("calls.jsonl");

      const res = await fetch(`${t.docket.url}/v1/batches/${root.id}/results?merged=true`);
      const merged = (await res.text())
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l) as OutLine);
      expect(merged.map((l) => l.recordId)).toEqual(
        lines.map((_, i) => (i % 4 === 3 ? `L${String(i + 1).padStart(10, "0")}` : `CALL${i}`)),
      );
      expect(merged.every((l) => l.modelOutput !== undefined && l.error === undefined)).toBe(true);
      expect(merged.map((l) => JSON.stringify(l.modelInput))).toEqual(
        lines.map((_, i) => JSON.stringify(JSON.parse(modelInput(i)))),
      );
    } finally {
      await t.close();
      await bedrock.close();
    }
  }, 120_000);
});
