import { createReadStream } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { watchBackendRequests } from "../support/backend-requests.js";
import { chatBatchLines, writeLines } from "../support/batch-files.js";
import { pollBatch, startTestDocket, type TestDocket } from "../support/test-docket.js";

describe("route limits against a real fake backend", () => {
  let t: TestDocket;
  afterEach(async () => t?.close());

  async function submit(n: number) {
    const path = writeLines(join(t.dataDir, "in.jsonl"), chatBatchLines(n));
    const file = await t.openai.files.create({ file: createReadStream(path), purpose: "batch" });
    return t.openai.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
    });
  }

  it("a Retry-After pauses the whole route, not just the record that got it", async () => {
    t = await startTestDocket({
      fake: { rate429: 1, retryAfterSeconds: 2, latencyMs: 5 },
      route: { concurrency: 4 },
    });
    const sentByDocket = watchBackendRequests(new URL(t.fake.url).origin);
    try {
      const batch = await submit(40);
      while ((t.fake.stats().byStatus[429] ?? 0) === 0) await sleep(5);
      const firstRefusal = Date.now();
      t.fake.setOptions({ rate429: 0 });
      // Requests already on the wire arrive: every one Docket handed its client has reached the
      // fake and been answered (a fixed 100 ms wait was too short on a loaded machine).
      const deadline = Date.now() + 5_000;
      for (;;) {
        const s = t.fake.stats();
        if (s.requests >= sentByDocket.created().length && s.inFlight + s.queued === 0) break;
        if (Date.now() > deadline) throw new Error("requests sent before the pause never arrived");
        await sleep(5);
      }
      const settled = t.fake.stats().requests;
      await sleep(Math.max(0, firstRefusal + 1600 - Date.now()));
      // Within the 2 s pause nothing more is sent, although 36+ records are waiting to run.
      expect(t.fake.stats().requests).toBe(settled);
      const done = await pollBatch(t.openai, batch.id, ["completed"]);
      expect(done.request_counts).toEqual({ total: 40, completed: 40, failed: 0 });
      expect(Date.now() - firstRefusal).toBeGreaterThanOrEqual(1900);
    } finally {
      sentByDocket.stop();
    }
  });

  it("holds a requests-per-minute limit it was told", async () => {
    t = await startTestDocket({ fake: { latencyMs: 1 }, route: { concurrency: 16, rpm: 600 } });
    await submit(200);
    const start = Date.now();
    while ((t.fake.stats().requests ?? 0) === 0) await sleep(5);
    await sleep(3000);
    const sent = t.fake.stats().requests;
    const seconds = (Date.now() - start) / 1000;
    // 10/s steady plus one second of burst; without the limit all 200 would be done by now.
    expect(sent).toBeLessThanOrEqual(Math.ceil(10 * seconds) + 10 + 2);
    expect(sent).toBeGreaterThanOrEqual(Math.floor(10 * (seconds - 1)));
  });

  it("the adaptive loop settles near the backend's capacity and backs off when it drops", async () => {
    t = await startTestDocket({
      // 400 ms per request, not 30: the loop reads queueing from latency, and on a loaded 2-core
      // machine event-loop stalls of 50-150 ms look like a queue at a fast backend (it settled at
      // 3 with 30 ms, at 7 once with 200 ms). Still 20 answers a second at capacity 8 and 5 at
      // capacity 2, plenty for each phase. The capacities, and what is checked, are unchanged.
      fake: { capacity: 8, latencyMs: 400 },
      route: { concurrency: 64, adaptive: true },
    });
    await submit(6000);
    const sample = async (ms: number) => {
      const seen: number[] = [];
      const end = Date.now() + ms;
      while (Date.now() < end) {
        const s = t.fake.stats();
        seen.push(s.inFlight + s.queued);
        await sleep(20);
      }
      return seen;
    };
    await sample(3000); // converge
    const high = await sample(1500);
    expect(median(high)).toBeGreaterThanOrEqual(8);
    expect(median(high)).toBeLessThanOrEqual(8 + 14);
    t.fake.setOptions({ capacity: 2 });
    await sample(4000); // back off
    const low = await sample(1500);
    expect(median(low)).toBeGreaterThanOrEqual(2);
    expect(median(low)).toBeLessThanOrEqual(2 + 8);
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
