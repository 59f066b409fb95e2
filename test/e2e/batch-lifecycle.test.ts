import { createReadStream } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { chatBatchLines, parseJsonl, writeLines } from "../support/batch-files.js";
import { pollBatch, startTestDocket, type TestDocket } from "../support/test-docket.js";

interface OutputLine {
  id: string;
  custom_id: string;
  response: { status_code: number; request_id: string | null; body: Record<string, unknown> } | null;
  error: { code: string; message: string } | null;
}

describe("batch lifecycle through the official openai SDK", () => {
  let t: TestDocket;
  afterEach(async () => t?.close());

  async function submit(lines: string[], window = "24h") {
    const path = writeLines(join(t.dataDir, `input-${Date.now()}.jsonl`), lines);
    const file = await t.openai.files.create({ file: createReadStream(path), purpose: "batch" });
    return t.openai.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: window as "24h",
    });
  }

  async function readFile(id: string | null | undefined): Promise<OutputLine[]> {
    if (!id) return [];
    const res = await t.openai.files.content(id);
    return parseJsonl<OutputLine>(await res.text());
  }

  it("runs a 1,000-line batch to completed with output in input order and bodies as the backend sent", async () => {
    t = await startTestDocket({ fake: { recordBodies: true } });
    const lines = chatBatchLines(1000);
    const created = await submit(lines);
    expect(created.status).toBe("validating");
    const done = await pollBatch(t.openai, created.id, ["completed", "failed"]);
    expect(done.status).toBe("completed");
    expect(done.request_counts).toEqual({ total: 1000, completed: 1000, failed: 0 });
    expect(done.error_file_id).toBeNull();
    for (const k of ["in_progress_at", "finalizing_at", "completed_at"] as const)
      expect(done[k]).toBeGreaterThan(0);

    const output = await readFile(done.output_file_id);
    expect(output.map((l) => l.custom_id)).toEqual(lines.map((l) => JSON.parse(l).custom_id));
    // each body is exactly what the backend answered to that very request
    const answered = new Map((t.fake.stats().bodies ?? []).map((b) => [b.request, b.response]));
    expect(answered.size).toBe(1000);
    const requestOf = new Map(
      lines.map((l) => [JSON.parse(l).custom_id, JSON.stringify(JSON.parse(l).body)]),
    );
    for (const line of output) {
      expect(line.error).toBeNull();
      expect(line.response?.status_code).toBe(200);
      const sent = answered.get(requestOf.get(line.custom_id)!);
      expect(sent).toBeDefined();
      expect(line.response?.body).toEqual(JSON.parse(sent!));
    }
    expect(t.fake.stats().requests).toBe(1000);
  });

  it("retries 429s and 500s until a 2,000-record batch completes with no failures", async () => {
    t = await startTestDocket({ fake: { rate429: 0.2, rate500: 0.05, retryAfterSeconds: 0, seed: 7 } });
    const created = await submit(chatBatchLines(2000));
    const done = await pollBatch(t.openai, created.id, ["completed", "failed"], 120_000);
    expect(done.request_counts).toEqual({ total: 2000, completed: 2000, failed: 0 });
    const stats = t.fake.stats();
    expect(stats.byStatus[429]).toBeGreaterThan(200);
    expect(stats.byStatus[500]).toBeGreaterThan(30);
    expect((await readFile(done.output_file_id)).length).toBe(2000);
  });

  it("puts exactly the records the backend rejects with 400 in the error file, with the backend's body", async () => {
    t = await startTestDocket({ fake: { fail400Marker: "REJECT-ME" } });
    const bad = new Set([3, 17, 42, 99]);
    const created = await submit(chatBatchLines(120, { mark: (i) => (bad.has(i) ? "REJECT-ME " : null) }));
    const done = await pollBatch(t.openai, created.id, ["completed", "failed"]);
    expect(done.status).toBe("completed");
    expect(done.request_counts).toEqual({ total: 120, completed: 116, failed: 4 });
    const errors = await readFile(done.error_file_id);
    expect(errors.map((e) => e.custom_id)).toEqual([...bad].map((i) => `req-${String(i).padStart(5, "0")}`));
    for (const e of errors) {
      expect(e.error).toBeNull();
      expect(e.response?.status_code).toBe(400);
      expect(e.response?.body).toMatchObject({ error: { type: "invalid_request_error" } });
    }
    // 400s are not retried
    expect(t.fake.stats().byStatus[400]).toBe(4);
  });

  it("fails a file with 5 malformed lines at validating, listing every line, and sends nothing", async () => {
    t = await startTestDocket();
    const lines = chatBatchLines(100);
    lines[4] = "{ this is not json";
    lines[19] = JSON.stringify({ ...JSON.parse(lines[19]!), custom_id: undefined });
    lines[39] = JSON.stringify({ ...JSON.parse(lines[39]!), url: "/v1/embeddings" });
    lines[59] = JSON.stringify({
      ...JSON.parse(lines[59]!),
      body: { model: "unrouted-model", messages: [] },
    });
    lines[79] = lines[0]!; // duplicate custom_id
    const created = await submit(lines);
    const done = await pollBatch(t.openai, created.id, ["failed", "completed"]);
    expect(done.status).toBe("failed");
    expect(done.failed_at).toBeGreaterThan(0);
    const errs = done.errors?.data ?? [];
    expect(errs.map((e) => e.line)).toEqual([5, 20, 40, 60, 80]);
    expect(errs.map((e) => e.code)).toEqual([
      "invalid_json",
      "missing_required_parameter",
      "mismatched_endpoint",
      "model_not_found",
      "duplicate_custom_id",
    ]);
    expect(t.fake.stats().requests).toBe(0);
  });

  it("cancels mid-batch: ends cancelled with the partial output available", async () => {
    t = await startTestDocket({ fake: { latencyMs: 20 }, route: { concurrency: 4 } });
    const created = await submit(chatBatchLines(400));
    await pollUntil(
      async () => (await t.openai.batches.retrieve(created.id)).request_counts!.completed >= 20,
    );
    const cancelling = await t.openai.batches.cancel(created.id);
    expect(["cancelling", "cancelled"]).toContain(cancelling.status);
    const done = await pollBatch(t.openai, created.id, ["cancelled"]);
    expect(done.cancelled_at).toBeGreaterThan(0);
    const output = await readFile(done.output_file_id);
    const errors = await readFile(done.error_file_id);
    expect(output.length).toBe(done.request_counts!.completed);
    expect(output.length).toBeGreaterThanOrEqual(20);
    expect(output.length).toBeLessThan(400);
    expect(output.length + errors.length).toBe(400);
    expect(new Set(errors.map((e) => e.error?.code))).toEqual(new Set(["batch_cancelled"]));
    // requests stop: nothing reaches the backend after the batch ended
    const sent = t.fake.stats().requests;
    await new Promise((r) => setTimeout(r, 300));
    expect(t.fake.stats().requests).toBe(sent);
  });

  it("expires a batch past a 3-second window with partial output and batch_expired errors", async () => {
    t = await startTestDocket({ fake: { latencyMs: 50 }, route: { concurrency: 2 } });
    const created = await submit(chatBatchLines(300), "3s");
    expect(created.expires_at! - created.created_at).toBe(3);
    const done = await pollBatch(t.openai, created.id, ["expired", "completed"], 30_000);
    expect(done.status).toBe("expired");
    expect(done.expired_at).toBeGreaterThan(0);
    const output = await readFile(done.output_file_id);
    const errors = await readFile(done.error_file_id);
    expect(output.length).toBeGreaterThan(0);
    expect(output.length).toBeLessThan(300);
    expect(output.length + errors.length).toBe(300);
    expect(errors.every((e) => e.error?.code === "batch_expired" && e.response === null)).toBe(true);
    // both files keep input order
    const order = [...output, ...errors].map((l) => l.custom_id).sort();
    expect(order).toEqual(chatBatchLines(300).map((l) => JSON.parse(l).custom_id));
    expect(output.map((l) => l.custom_id)).toEqual([...output.map((l) => l.custom_id)].sort());
  });
});

async function pollUntil(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
