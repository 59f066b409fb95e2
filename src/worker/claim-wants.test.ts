import { describe, expect, it } from "vitest";
import { claimThreshold, claimWants, type RouteHold } from "./claim-wants.js";

const hold = (over: Partial<RouteHold>): RouteHold => ({
  route: "r",
  concurrency: 64,
  inFlight: 0,
  runnable: 0,
  heldProjects: new Set(),
  ...over,
});

describe("claimWants", () => {
  it("fills an idle route up to twice its concurrency, at most a claim batch at a time", () => {
    expect(claimWants([hold({})], 64)).toEqual([{ route: "r", limit: 64 }]);
    expect(claimWants([hold({ concurrency: 4 })], 64)).toEqual([{ route: "r", limit: 8 }]);
  });

  it("waits until nearly a concurrency's worth is free, so claims stay large", () => {
    // 64 in flight, 16 waiting: room 48 < 56.
    expect(claimWants([hold({ inFlight: 64, runnable: 16 })], 64)).toEqual([]);
    // 64 in flight, 8 waiting: room 56, and 8 records still wait for the slots that free meanwhile.
    expect(claimWants([hold({ inFlight: 64, runnable: 8 })], 64)).toEqual([{ route: "r", limit: 56 }]);
  });

  it("claims whatever fits when nothing runs, however little", () => {
    expect(claimWants([hold({ concurrency: 64, runnable: 127 })], 64)).toEqual([{ route: "r", limit: 1 }]);
  });

  it("leaves projects at their ceiling out of the claim", () => {
    const wants = claimWants([hold({ heldProjects: new Set(["p1"]) })], 64);
    expect(wants).toEqual([{ route: "r", limit: 64, skipProjects: ["p1"] }]);
  });

  it("sizes each route on its own", () => {
    const wants = claimWants(
      [hold({ route: "busy", inFlight: 64, runnable: 64 }), hold({ route: "idle", concurrency: 2 })],
      64,
    );
    expect(wants).toEqual([{ route: "idle", limit: 4 }]);
  });
});

describe("claimThreshold", () => {
  it("is a concurrency less an eighth, within [1, claimBatch]", () => {
    expect(claimThreshold(64, 64)).toBe(56);
    expect(claimThreshold(1000, 64)).toBe(64);
    expect(claimThreshold(8, 64)).toBe(7);
    expect(claimThreshold(1, 64)).toBe(1);
    expect(claimThreshold(64, 16)).toBe(16);
  });
});
