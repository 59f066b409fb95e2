import { describe, expect, it } from "vitest";
import type { CacheHit } from "../domain/dedup.js";
import { dedupKey, keyPrefix } from "./dedup-key.js";
import {
  JobDedupPlanner,
  type JobDedupPolicy,
  MAX_DEDUP_BODY_CHARS,
  type PlannedRecord,
} from "./job-dedup-planner.js";

const det = (n: number) => `{"model":"m","temperature":0,"messages":[{"role":"user","content":"q${n}"}]}`;
const hot = (n: number) => `{"model":"m","temperature":1,"messages":[{"role":"user","content":"q${n}"}]}`;
const rec = (position: number, body: string | Buffer, route = "r1"): PlannedRecord => ({
  position,
  line: position + 1,
  customId: `c${position}`,
  route,
  body,
  model: "m",
});
const policy = (over: Partial<JobDedupPolicy> = {}): JobDedupPolicy => ({
  projectId: "p",
  endpoint: "/v1/chat/completions",
  dedupFor: () => true,
  cacheFor: () => false,
  maxDistinct: 1000,
  priceOf: () => ({ inputPerMTok: 1_000_000, outputPerMTok: 2_000_000 }),
  ...over,
});
const noCache = async () => new Map<string, CacheHit>();
const keyOf = (body: string, route = "r1") =>
  dedupKey(keyPrefix({ projectId: "p", route, endpoint: "/v1/chat/completions" }), body);

describe("JobDedupPlanner", () => {
  it("makes the first record of a body its leader and later ones its followers, across chunks", async () => {
    const planner = new JobDedupPlanner(policy());
    const first = [rec(0, det(1)), rec(1, det(2)), rec(2, det(1)), rec(3, det(3))];
    expect(await planner.plan(first, noCache)).toEqual([]);
    expect(first.map((r) => r.dedup)).toEqual([
      { key: keyOf(det(1)), due: "fanout" },
      { key: keyOf(det(2)) },
      { key: keyOf(det(1)), follows: 0 },
      { key: keyOf(det(3)) },
    ]);
    // Leaders of earlier chunks that get their first follower now are returned, once each.
    const second = [rec(4, det(2)), rec(5, det(2)), rec(6, det(1)), rec(7, det(3))];
    expect(await planner.plan(second, noCache)).toEqual([1, 3]);
    expect(second.map((r) => r.dedup?.follows)).toEqual([1, 1, 0, 3]);
  });

  it("never touches a request that is not deterministic, a failed one or a huge one", async () => {
    const planner = new JobDedupPlanner(policy());
    const failed = { ...rec(2, det(1)), failure: { code: "x", message: "y" } };
    const huge = rec(3, `{"temperature":0,"x":"${"a".repeat(MAX_DEDUP_BODY_CHARS)}"}`);
    const chunk = [rec(0, hot(1)), rec(1, hot(1)), failed, huge, rec(4, Buffer.from(det(1)))];
    await planner.plan(chunk, noCache);
    expect(chunk.map((r) => r.dedup)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it("answers from the cache first, keeps what it sends, and counts the dollars saved", async () => {
    const planner = new JobDedupPlanner(policy({ cacheFor: () => true }));
    const asked: string[][] = [];
    const cached = keyOf(det(1));
    const chunk = [rec(0, det(1)), rec(1, det(2)), rec(2, det(1)), rec(3, det(2))];
    await planner.plan(chunk, async (keys) => {
      asked.push(keys);
      return new Map([[cached, { inputTokens: 3, outputTokens: 5 }]]);
    });
    expect(asked).toEqual([[cached, keyOf(det(2))]]);
    expect(chunk.map((r) => r.dedup)).toEqual([
      { key: cached, fromCache: { savedUsd: 13 }, due: "cache" },
      { key: keyOf(det(2)), due: "cache" },
      { key: cached, fromCache: { savedUsd: 13 }, due: "cache" },
      { key: keyOf(det(2)), follows: 1 },
    ]);
  });

  it("keys by route, dedups only where it is on, and stops remembering at its bound", async () => {
    const planner = new JobDedupPlanner(policy({ dedupFor: (r) => r === "r1", maxDistinct: 2 }));
    const chunk = [
      rec(0, det(1)),
      rec(1, det(1), "r2"),
      rec(2, det(1), "r2"),
      rec(3, det(2)),
      rec(4, det(3)),
      rec(5, det(3)),
      rec(6, det(1), "r1"),
    ];
    await planner.plan(chunk, noCache);
    expect(chunk.map((r) => r.dedup?.follows)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      0,
    ]);
    // r2 does not dedup (and has no cache): its records carry no decision at all.
    expect(chunk[1]!.dedup).toBeUndefined();
    // The third distinct body is past the bound: sent as it is, with its key.
    expect(chunk[5]!.dedup).toEqual({ key: keyOf(det(3)) });
  });
});
