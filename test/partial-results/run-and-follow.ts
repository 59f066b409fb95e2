import { toFile } from "openai";
import { expect } from "vitest";
import { chatBatchLines } from "../support/batch-files.js";
import { pollBatch, type TestDocket } from "../support/test-docket.js";
import { collectEvents, expectRecordChain, PartialFollower } from "./partial-reader.js";

/** The fake backend of the test: latency, 5% answered 500 (retried), FAIL400 bodies answered 400. */
export const RUN_OPTIONS = {
  fake: { latencyMs: 15, rate500: 0.05, fail400Marker: "FAIL400", seed: 11 },
  route: { concurrency: 32 },
};

/** Every 97th record (from the 14th) fails for good. */
const failsForGood = (i: number) => i % 97 === 13;

export async function submitChatBatch(t: TestDocket, lines: string[]): Promise<string> {
  const file = await t.openai.files.create({
    file: await toFile(Buffer.from(`${lines.join("\n")}\n`), "in.jsonl"),
    purpose: "batch",
  });
  const batch = await t.openai.batches.create({
    input_file_id: file.id,
    endpoint: "/v1/chat/completions",
    completion_window: "24h",
  });
  return batch.id;
}

export async function fileBytes(t: TestDocket, id: string | null | undefined): Promise<Buffer> {
  if (!id) return Buffer.alloc(0);
  return Buffer.from(await (await t.openai.files.content(id)).arrayBuffer());
}

/**
 * The test: an `n`-record batch on `t` (a Docket built with RUN_OPTIONS), its partial
 * results read every 200 ms from submission to the end (output and error file in step), and its
 * SSE stream with `record` events, all checked against the final files.
 */
export async function expectPartialReadsMatchFinalFiles(t: TestDocket, n: number): Promise<PartialFollower> {
  const lines = chatBatchLines(n, { mark: (i) => (failsForGood(i) ? "FAIL400 " : null) });
  const failing = lines.filter((_, i) => failsForGood(i)).length;
  const before = t.fake.stats().requests;
  const id = await submitChatBatch(t, lines);
  const url = t.docket.url;
  const events = collectEvents(`${url}/v1/batches/${id}/events?records=true&interval_ms=100`);
  const follower = new PartialFollower(`${url}/v1/batches/${id}/results`, { errors: true });
  await follower.followToEnd(200);

  const done = await pollBatch(t.openai, id, ["completed"], 10_000);
  expect(done.request_counts).toMatchObject({ total: n, failed: failing, completed: n - failing });
  expect(follower.text("output").equals(await fileBytes(t, done.output_file_id))).toBe(true);
  expect(follower.text("errors").equals(await fileBytes(t, done.error_file_id))).toBe(true);
  expect(follower.cursor).toBe(n);
  // Lines came while the job ran, not all at the end, and retries really happened.
  expect(follower.movedBeforeEnd).toBeGreaterThanOrEqual(3);
  expect(t.fake.stats().requests - before).toBeGreaterThan(n);
  expect(expectRecordChain(await events, n)).toBeGreaterThanOrEqual(3);

  // After the end, a read from the start serves the same bytes again (any cursor, any time).
  const again = new PartialFollower(`${url}/v1/batches/${id}/results`, { errors: true, limit: 10_000 });
  expect((await again.poll()).complete).toBe(true);
  expect(again.text("output").equals(follower.text("output"))).toBe(true);
  expect(again.text("errors").equals(follower.text("errors"))).toBe(true);
  return follower;
}
