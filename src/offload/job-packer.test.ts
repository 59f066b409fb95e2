import { describe, expect, it } from "vitest";
import { JobPacker, smallJobDecision } from "./job-packer.js";

describe("JobPacker", () => {
  it("stops at the record quota", () => {
    const p = new JobPacker({ maxRecordsPerJob: 3, maxBytesPerJob: 1_000 }, null);
    expect([1, 2, 3, 4].map(() => p.offer(10, 1))).toEqual(["taken", "taken", "taken", "full"]);
    expect(p.full).toBe(true);
    expect(p.bytes).toBe(33);
  });

  it("counts each line's newline toward the byte quota", () => {
    const p = new JobPacker({ maxRecordsPerJob: 100, maxBytesPerJob: 22 }, null);
    expect(p.offer(10, 1)).toBe("taken");
    expect(p.offer(10, 1)).toBe("taken");
    expect(p.offer(0, 1)).toBe("full");
    expect(p.bytes).toBe(22);
  });

  it("refuses a record that alone exceeds the byte quota as too big, never as full", () => {
    const p = new JobPacker({ maxRecordsPerJob: 100, maxBytesPerJob: 10 }, null);
    expect(p.offer(10, 1)).toBe("too_big");
    expect(p.records).toBe(0);
  });

  it("keeps within the token room; a first record over the whole limit goes only when nothing else is enqueued", () => {
    const quotas = { maxRecordsPerJob: 100, maxBytesPerJob: 1e9, maxEnqueuedTokens: 50 };
    const p = new JobPacker(quotas, 50);
    expect(p.offer(1, 60)).toBe("taken");
    expect(p.offer(1, 1)).toBe("full");
    const q = new JobPacker(quotas, 50);
    expect([q.offer(1, 20), q.offer(1, 20), q.offer(1, 20)]).toEqual(["taken", "taken", "full"]);
    // Other provider jobs hold 40 of the 50: a record of 20 waits, one of 10 goes.
    const r = new JobPacker(quotas, 10);
    expect(r.offer(1, 20)).toBe("full");
    expect(r.records).toBe(0);
    expect(r.offer(1, 10)).toBe("taken");
    expect(new JobPacker(quotas, 0).offer(1, 1)).toBe("full");
  });
});

describe("smallJobDecision", () => {
  it("submits at the minimum, waits below it, and goes on-demand only when the deadline needs it", () => {
    expect(smallJobDecision(100, 100, { deadlineNear: false, hasOnlineRoute: false })).toBe("submit");
    expect(smallJobDecision(99, 100, { deadlineNear: false, hasOnlineRoute: true })).toBe("wait");
    expect(smallJobDecision(99, 100, { deadlineNear: true, hasOnlineRoute: true })).toBe("on-demand");
    expect(smallJobDecision(99, 100, { deadlineNear: true, hasOnlineRoute: false })).toBe("wait");
  });
});
