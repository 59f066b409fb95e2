import { createReadStream } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { watchBackendRequests } from "../support/backend-requests.js";
import { chatBatchLines, parseJsonl, writeLines } from "../support/batch-files.js";
import { pollBatch, startTestDocket, type TestDocket } from "../support/test-docket.js";

const RECORDS = 300;
const CONCURRENCY = 16;

/** Wall-clock ms with sub-ms precision, on the same clock as the fake's arrival stamps. */
const preciseNow = () => performance.timeOrigin + performance.now();

/**
 * "Stops stop" (issue 17): once `POST /v1/batches/{id}/cancel` has returned, embedded
 * `docket serve` sends no further request of that batch. Requests already in flight may finish;
 * records claimed but not yet sent (the worker's prefetch) are cancelled at once.
 *
 * "Sent" is when Docket handed a request to its HTTP client (undici's `request:create`
 * channel). The fake's arrival stamps are reconciled with it by count: every request that
 * reached the backend was sent before the cancel returned. Arrival times alone are not exact
 * here: the fake shares this process's event loop, and on a loaded machine it read requests
 * sent ~30 ms before the cancel returned only just after it (and a request sent on a fresh
 * connection is written only once that connection is up).
 */
describe("cancel stops sending at once (embedded serve, openai SDK)", () => {
  let t: TestDocket;
  let wire: ReturnType<typeof watchBackendRequests>;

  beforeAll(async () => {
    t = await startTestDocket({
      fake: { latencyMs: 300, recordArrivals: true },
      route: { concurrency: CONCURRENCY },
    });
    wire = watchBackendRequests(new URL(t.fake.url).origin);
  });
  afterAll(async () => {
    wire?.stop();
    await t?.close();
  });

  async function waitForArrivals(n: number): Promise<void> {
    const deadline = Date.now() + 20_000;
    while ((t.fake.stats().arrivals?.length ?? 0) < n) {
      if (Date.now() > deadline) throw new Error(`only ${t.fake.stats().arrivals?.length} requests arrived`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  // Several cancel moments: early (first claims), mid-run, later (prefetch refilled many times).
  it.each([20, 45, 90, 130])(
    "sends nothing after cancel returns (cancelled after %i arrivals)",
    async (after) => {
      t.fake.resetStats();
      wire.clear();
      const path = writeLines(join(t.dataDir, `in-${after}.jsonl`), chatBatchLines(RECORDS));
      const file = await t.openai.files.create({ file: createReadStream(path), purpose: "batch" });
      const batch = await t.openai.batches.create({
        input_file_id: file.id,
        endpoint: "/v1/chat/completions",
        completion_window: "24h",
      });
      await waitForArrivals(after);

      const cancelling = await t.openai.batches.cancel(batch.id);
      const returnedAt = preciseNow();
      expect(cancelling.status).toBe("cancelling");

      const done = await pollBatch(t.openai, batch.id, ["cancelled", "completed"], 30_000);
      const sent = wire.created();
      const arrivals = t.fake.stats().arrivals ?? [];
      const sentAfter = sent
        .filter((at) => at > returnedAt)
        .map((at) => `+${(at - returnedAt).toFixed(1)} ms`);
      expect(sentAfter, "requests sent to the backend after cancel returned").toEqual([]);
      // Nothing reached the backend but what was sent before the cancel returned.
      expect(wire.written()).toHaveLength(sent.length);
      expect(arrivals).toHaveLength(sent.length);
      expect(done.status).toBe("cancelled");

      // What finished is in the output file; everything else is cancelled, nothing was lost.
      const counts = done.request_counts!;
      expect(counts.total).toBe(RECORDS);
      expect(counts.failed).toBe(0);
      // Every request that reached the backend finished (in flight at the cancel: allowed to finish).
      expect(counts.completed).toBe(arrivals.length);
      expect(counts.completed).toBeLessThan(RECORDS);
      const output = done.output_file_id
        ? parseJsonl<{ custom_id: string }>(await (await t.openai.files.content(done.output_file_id)).text())
        : [];
      expect(output).toHaveLength(counts.completed);
      const errors = done.error_file_id
        ? parseJsonl<{ error: { code: string } }>(
            await (await t.openai.files.content(done.error_file_id)).text(),
          )
        : [];
      expect(errors).toHaveLength(RECORDS - counts.completed);
      expect(errors.every((e) => e.error.code === "batch_cancelled")).toBe(true);
    },
  );
});

describe("cancel with worker.abortInFlightOnStop", () => {
  let t: TestDocket;
  afterAll(async () => t?.close());

  it("aborts the requests in flight too: they end cancelled, without an answer", async () => {
    t = await startTestDocket({
      fake: { latencyMs: 2_000, recordArrivals: true },
      route: { concurrency: CONCURRENCY },
      tune: (c) => {
        c.worker.abortInFlightOnStop = true;
      },
    });
    const file = await t.openai.files.create({
      file: new File([`${chatBatchLines(100).join("\n")}\n`], "in.jsonl"),
      purpose: "batch",
    });
    const batch = await t.openai.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
    });
    const deadline = Date.now() + 20_000;
    while ((t.fake.stats().arrivals?.length ?? 0) < CONCURRENCY && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    await t.openai.batches.cancel(batch.id);
    const done = await pollBatch(t.openai, batch.id, ["cancelled", "completed"], 10_000);
    // None of the 16 calls in flight was allowed to finish (each would have answered after 2 s).
    expect(done.status).toBe("cancelled");
    expect(done.request_counts).toEqual({ total: 100, completed: 0, failed: 0 });
    expect(t.fake.stats().requests).toBe(CONCURRENCY);
    const errors = parseJsonl<{ error: { code: string } }>(
      await (await t.openai.files.content(done.error_file_id!)).text(),
    );
    expect(errors).toHaveLength(100);
    expect(errors.every((e) => e.error.code === "batch_cancelled")).toBe(true);
  });
});
