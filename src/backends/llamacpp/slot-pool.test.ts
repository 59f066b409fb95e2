import { describe, expect, it } from "vitest";
import { SlotPool } from "./slot-pool.js";

describe("SlotPool", () => {
  it("never hands one slot to two users at once and serves waiters in order", async () => {
    const pool = new SlotPool(["a", "b"]);
    const inUse = new Set<string>();
    const order: number[] = [];
    let maxInUse = 0;
    const gates: Array<() => void> = [];
    const jobs = Array.from({ length: 6 }, (_, i) =>
      pool.use(async (slot) => {
        expect(inUse.has(slot)).toBe(false);
        inUse.add(slot);
        maxInUse = Math.max(maxInUse, inUse.size);
        order.push(i);
        await new Promise<void>((resolve) => gates.push(resolve));
        inUse.delete(slot);
      }),
    );
    while (order.length < 6) {
      await new Promise((r) => setImmediate(r));
      gates.shift()?.();
    }
    for (const g of gates) g();
    await Promise.all(jobs);
    expect(maxInUse).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("releases the slot when the user throws", async () => {
    const pool = new SlotPool([1]);
    await expect(pool.use(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(pool.use(async (s) => s)).resolves.toBe(1);
  });
});
