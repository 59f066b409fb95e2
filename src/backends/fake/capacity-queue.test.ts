import { describe, expect, it } from "vitest";
import { CapacityQueue } from "./capacity-queue.js";

describe("CapacityQueue", () => {
  it("serves up to the limit and queues the rest in arrival order", () => {
    const q = new CapacityQueue(2);
    const started: number[] = [];
    for (let i = 0; i < 5; i++) q.acquire(() => started.push(i));
    expect(started).toEqual([0, 1]);
    expect(q.queued).toBe(3);
    q.release();
    expect(started).toEqual([0, 1, 2]);
    q.release();
    q.release();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(q.maxInUse).toBe(2);
    expect(q.maxQueued).toBe(3);
  });

  it("skips a waiter that left the queue", () => {
    const q = new CapacityQueue(1);
    const started: string[] = [];
    q.acquire(() => started.push("a"));
    const cancelB = q.acquire(() => started.push("b"));
    q.acquire(() => started.push("c"));
    cancelB();
    expect(q.queued).toBe(1);
    q.release();
    expect(started).toEqual(["a", "c"]);
    expect(q.inUse).toBe(1);
  });

  it("admits waiters when the limit is raised, and handles starts that finish at once", () => {
    const q = new CapacityQueue(1);
    const started: number[] = [];
    q.acquire(() => started.push(0));
    for (let i = 1; i <= 3; i++) {
      q.acquire(() => {
        started.push(i);
        q.release();
      });
    }
    q.setLimit(2);
    expect(started).toEqual([0, 1, 2, 3]);
    expect(q.inUse).toBe(1);
    expect(q.queued).toBe(0);
  });

  it("never exceeds the limit", () => {
    const q = new CapacityQueue(3);
    let peak = 0;
    const running: Array<() => void> = [];
    for (let i = 0; i < 20; i++) {
      q.acquire(() => {
        peak = Math.max(peak, q.inUse);
        running.push(() => q.release());
      });
    }
    while (running.length) running.shift()!();
    expect(peak).toBe(3);
    expect(q.inUse).toBe(0);
  });
});
