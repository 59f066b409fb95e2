import { describe, expect, it } from "vitest";
import type { RouteConfig } from "../config/config.js";
import type { ClaimedRecord } from "../domain/record.js";
import { HeldRecords } from "./held-records.js";

const route = {
  name: "r",
  models: ["*"],
  backend: { type: "openai", baseUrl: "http://127.0.0.1:9/v1" },
  concurrency: 4,
  timeoutMs: 1000,
  maxAttempts: 3,
} as RouteConfig;

const record = (id: number, jobId: string): ClaimedRecord => ({
  id,
  jobId,
  projectId: "p",
  customId: `c${id}`,
  route: "r",
  kind: "batch",
  endpoint: "/v1/chat/completions",
  body: "{}",
  attempt: 1,
  maxAttempts: 3,
});

describe("HeldRecords", () => {
  it("takes a job's prefetch out and forgets those leases, leaving other jobs' records queued", () => {
    const h = new HeldRecords([route]);
    for (const r of [record(1, "a"), record(2, "b"), record(3, "a")]) h.add(r);
    expect(h.takeJob("a", false).map((r) => r.id)).toEqual([1, 3]);
    expect(h.slots.get("r")!.queue.map((r) => r.id)).toEqual([2]);
    expect(h.leases()).toEqual([{ id: 2, attempt: 1 }]);
    expect(h.jobs(false)).toEqual(new Set(["b"]));
  });

  it("aborts a stopped job's call in flight and marks it given back, so its answer is not written", () => {
    const h = new HeldRecords([route]);
    h.add(record(1, "a"));
    const held = h.get(1)!;
    h.slots.get("r")!.queue.shift();
    held.controller = new AbortController();
    h.takeJob("a", true);
    expect(held.controller.signal.aborted).toBe(true);
    expect(h.finish(1, held)).toEqual({ stillHeld: true, released: true });
    expect(h.size).toBe(0);
  });

  it("drops a lost lease: its call is aborted, its queued copy removed, and its late finish is not held", () => {
    const h = new HeldRecords([route]);
    h.add(record(1, "a"));
    h.add(record(2, "a"));
    const running = h.get(1)!;
    h.slots.get("r")!.queue.shift();
    running.controller = new AbortController();
    h.dropLost([1, 2]);
    expect(running.controller.signal.aborted).toBe(true);
    expect(h.slots.get("r")!.queue).toEqual([]);
    expect(h.finish(1, running)).toEqual({ stillHeld: false, released: false });
  });
});
