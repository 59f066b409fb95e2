import { beforeEach, describe, expect, it } from "vitest";
import type { RecordDedup } from "../../src/domain/dedup.js";
import type { AttemptResult, ClaimedRecord, NewRecord } from "../../src/domain/record.js";
import type { HandOnRequest, Store } from "../../src/store/store.js";
import { insertTestJob, T0 } from "./fixtures.js";

/** An answer with what JSON round trips would change: escapes, a big number, trailing zeros. */
const ANSWER =
  '{"id":"chatcmpl-1","choices":[{"message":{"content":"h\\u00e9 \\ud83d\\ude00"}}],"n":12345678901234567891,"t":1.50}';
const PRICE = { inputPerMTok: 1_000_000, outputPerMTok: 2_000_000 };

const handOn = (over: Partial<HandOnRequest> = {}): HandOnRequest => ({
  limit: 100,
  now: T0 + 1000,
  cacheTtlMs: 60_000,
  maxEntryBytes: 1024 * 1024,
  priceOf: (model) => (model === "m" ? PRICE : null),
  ...over,
});

const rec = (
  position: number,
  dedup?: RecordDedup,
  body = `{"temperature":0,"q":${position}}`,
): NewRecord => ({
  position,
  line: position + 1,
  customId: `c${position}`,
  route: "r1",
  body,
  ...(dedup ? { dedup } : {}),
});

const succeeded = (r: ClaimedRecord, body = ANSWER, status = 200): AttemptResult => ({
  recordId: r.id,
  attempt: r.attempt,
  outcome: {
    kind: "succeeded",
    response: { statusCode: status, requestId: `req-${r.customId}`, body },
    usage: { inputTokens: 3, outputTokens: 5 },
  },
});

const rejected = (r: ClaimedRecord): AttemptResult => ({
  recordId: r.id,
  attempt: r.attempt,
  outcome: {
    kind: "failed",
    response: { statusCode: 400, requestId: "req-bad", body: '{"error":{"message":"bad"}}' },
    error: { code: "http_400", message: "bad" },
  },
});

/**
 * Identical requests once (docs/dedup-and-cache.md): followers are stored `following`, never
 * claimed, and take their leader's end and answer exactly once; the response cache keeps
 * succeeded answers of leaders due to it and answers later jobs' records at insert, byte for byte,
 * counted on the job; it stays within its bounds. Both engines.
 */
export function describeDedupContract(engine: string, openStore: () => Promise<Store>): void {
  describe(`store contract (identical requests once): ${engine}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await openStore();
      return () => store.close();
    });

    /** A job of `records`, validated and started, with the leaders of earlier chunks marked. */
    async function startedJob(records: NewRecord[], markLater: number[] = []) {
      const id = await insertTestJob(store, { dedup: { dedup: true, cache: null } });
      expect(await store.claimValidation("v", 30_000, T0)).toBeDefined();
      await store.insertRecords(id, records, 3);
      await store.markLeaders(id, markLater);
      expect(await store.finishValidation(id, records.length, T0, "m")).toBe(true);
      return id;
    }

    const claimAll = () =>
      store.claimRecords({ owner: "w", routes: [{ route: "r1", limit: 100 }], leaseMs: 10_000, now: T0 });

    it("never claims a follower, and hands each leader's answer to its followers exactly once", async () => {
      const key = (n: number) => `k${n}`.padEnd(64, "0");
      const id = await startedJob(
        [
          rec(0, { key: key(0), due: "fanout" }),
          rec(1, { key: key(0), follows: 0 }),
          rec(2, { key: key(0), follows: 0 }),
          rec(3, { key: key(3) }),
          rec(4, { key: key(3), follows: 3 }),
          rec(5),
        ],
        [3],
      );
      const claimed = await claimAll();
      expect(claimed.map((r) => r.customId)).toEqual(["c0", "c3", "c5"]);
      const [leader, failing, plain] = claimed as [ClaimedRecord, ClaimedRecord, ClaimedRecord];
      // Nothing is handed on before a leader ends; the job is not finished with followers open.
      expect((await store.handOnAnswers(handOn())).leaders).toBe(0);
      await store.recordResults([succeeded(leader), rejected(failing), succeeded(plain)], T0 + 10);
      expect(await store.claimFinalizable(T0 + 20)).toEqual([]);

      expect(await store.handOnAnswers(handOn())).toEqual({ leaders: 2, followers: 3, cached: 0 });
      // Repeated (as after a crash): nothing is due any more, nothing is written twice.
      expect(await store.handOnAnswers(handOn())).toEqual({ leaders: 0, followers: 0, cached: 0 });

      const finished = await store.readFinished(id, -1, 10);
      expect(finished.map((r) => [r.customId, r.state, r.servedFrom ?? null])).toEqual([
        ["c0", "succeeded", null],
        ["c1", "succeeded", "leader"],
        ["c2", "succeeded", "leader"],
        ["c3", "failed", null],
        ["c4", "failed", "leader"],
        ["c5", "succeeded", null],
      ]);
      expect(finished[1]!.response).toEqual({ statusCode: 200, requestId: "req-c0", body: ANSWER });
      expect(finished[4]!.response).toEqual(finished[3]!.response);
      expect(finished[4]!.error).toEqual({ code: "http_400", message: "bad" });

      const job = (await store.getJob(id))!;
      expect(job.tally).toEqual({ succeeded: 4, failed: 2, cancelled: 0, expired: 0 });
      // Real usage counts the calls made; the followers' is what was saved.
      expect(job.usage).toEqual({ inputTokens: 6, outputTokens: 10 });
      expect(job.dedup).toEqual({
        dedup: true,
        cache: null,
        deduplicated: 3,
        cached: 0,
        savedInputTokens: 6,
        savedOutputTokens: 10,
        savedUsd: 26,
      });
      expect(await store.claimFinalizable(T0 + 30)).toEqual([{ id, endStatus: "completed" }]);
    });

    it("keeps followers waiting through a leader's retries, and ends them with a cancel or an expiry", async () => {
      const cancelled = await startedJob([
        rec(0, { key: "a", due: "fanout" }),
        rec(1, { key: "a", follows: 0 }),
      ]);
      const [leader] = await claimAll();
      await store.recordResults(
        [
          {
            recordId: leader!.id,
            attempt: leader!.attempt,
            outcome: {
              kind: "retry",
              runAt: T0,
              response: null,
              error: { code: "timeout", message: "slow" },
            },
          },
        ],
        T0,
      );
      expect((await store.handOnAnswers(handOn())).leaders).toBe(0);
      await store.cancelJob(cancelled, T0 + 1);
      // The cancelled leader ends; its follower is still open, so the job is not drained yet.
      expect(await store.claimFinalizable(T0 + 2)).toEqual([]);
      expect(await store.handOnAnswers(handOn())).toEqual({ leaders: 1, followers: 1, cached: 0 });
      expect(await store.claimFinalizable(T0 + 3)).toEqual([{ id: cancelled, endStatus: "cancelled" }]);
      const job = (await store.getJob(cancelled))!;
      expect(job.tally.cancelled).toBe(2);
      expect(job.dedup?.deduplicated).toBe(0);

      const expiring = await startedJob([
        rec(0, { key: "b", due: "fanout" }),
        rec(1, { key: "b", follows: 0 }),
      ]);
      expect(await store.expireJobs(T0 + 2 * 86_400_000)).toEqual([expiring]);
      expect((await store.readFinished(expiring, -1, 10)).map((r) => r.state)).toEqual([
        "expired",
        "expired",
      ]);
      expect((await store.getJob(expiring))!.tally.expired).toBe(2);
      // The expired leader has no follower left to hand anything to.
      expect(await store.handOnAnswers(handOn({ now: T0 + 2 * 86_400_000 }))).toEqual({
        leaders: 1,
        followers: 0,
        cached: 0,
      });
    });

    it("caches a succeeded leader's answer and answers a later job's records from it, byte for byte", async () => {
      const key = "c".repeat(64);
      const first = await startedJob([
        rec(0, { key, due: "cache" }),
        rec(1, { key: "d".repeat(64), due: "cache" }),
      ]);
      const [leader, other] = await claimAll();
      await store.recordResults([succeeded(leader!), succeeded(other!, ANSWER, 500)], T0);
      expect(await store.handOnAnswers(handOn())).toEqual({ leaders: 2, followers: 0, cached: 1 });
      expect((await store.getJob(first))!.dedup?.deduplicated).toBe(0);
      expect(await store.cacheSize()).toEqual({ entries: 1, bytes: Buffer.byteLength(ANSWER) });

      const hits = await store.readCache([key, "d".repeat(64), "e".repeat(64)], T0 + 2000);
      expect([...hits]).toEqual([[key, { inputTokens: 3, outputTokens: 5 }]]);
      // Past its TTL an entry is not served.
      expect((await store.readCache([key], T0 + 1000 + 60_000)).size).toBe(0);

      const later = await startedJob([
        rec(0, { key, fromCache: { savedUsd: 13 }, due: "cache" }),
        rec(1, { key, fromCache: { savedUsd: 13 }, due: "cache" }),
        // Evicted since the lookup: stored to be sent instead, due to the cache.
        rec(2, { key: "f".repeat(64), fromCache: { savedUsd: 13 }, due: "cache" }),
      ]);
      const finished = await store.readFinished(later, -1, 10);
      expect(finished.map((r) => [r.state, r.servedFrom ?? null])).toEqual([
        ["succeeded", "cache"],
        ["succeeded", "cache"],
        ["pending", null],
      ]);
      expect(finished[0]!.response).toEqual({ statusCode: 200, requestId: "req-c0", body: ANSWER });
      const job = (await store.getJob(later))!;
      expect(job.tally.succeeded).toBe(2);
      expect(job.usage).toEqual({ inputTokens: 0, outputTokens: 0 });
      expect(job.dedup).toMatchObject({
        cached: 2,
        savedInputTokens: 6,
        savedOutputTokens: 10,
        savedUsd: 26,
      });
      expect((await claimAll()).map((r) => r.customId)).toEqual(["c2"]);
    });

    it("caches only 2xx answers within the entry size, and a validation retry forgets its hits", async () => {
      const big = `{"x":"${"y".repeat(200)}"}`;
      await startedJob([
        rec(0, { key: "g".repeat(64), due: "cache" }),
        rec(1, { key: "h".repeat(64), due: "cache" }),
      ]);
      const [a, b] = await claimAll();
      await store.recordResults([succeeded(a!, big), rejected(b!)], T0);
      expect((await store.handOnAnswers(handOn({ maxEntryBytes: 100 }))).cached).toBe(0);
      expect((await store.cacheSize()).entries).toBe(0);

      // A cached answer, then a job whose validation dies after inserting a hit and starts again.
      await startedJob([rec(0, { key: "i".repeat(64), due: "cache" })]);
      const [c] = await claimAll();
      await store.recordResults([succeeded(c!)], T0);
      await store.handOnAnswers(handOn());
      const id = await insertTestJob(store);
      await store.claimValidation("v1", 1000, T0);
      await store.insertRecords(id, [rec(0, { key: "i".repeat(64), fromCache: { savedUsd: 1 } })], 3);
      expect((await store.getJob(id))!.dedup?.cached).toBe(1);
      expect((await store.claimValidation("v2", 1000, T0 + 5000))?.id).toBe(id);
      const restarted = (await store.getJob(id))!;
      expect(restarted.tally.succeeded).toBe(0);
      expect(restarted.dedup).toMatchObject({ cached: 0, savedInputTokens: 0, savedUsd: 0 });
    });

    it("trims the cache: expired entries first, then the least recently used, within a delete budget", async () => {
      const keys = ["1", "2", "3", "4"].map((k) => k.repeat(64));
      await startedJob(keys.map((key, i) => rec(i, { key, due: "cache" })));
      const claimed = await claimAll();
      await store.recordResults(
        claimed.map((r) => succeeded(r, `{"n":${r.customId.slice(1)}}`)),
        T0,
      );
      await store.handOnAnswers(handOn({ now: T0 }));
      // Used later: keys[0] and keys[1] are the most recently used.
      await store.readCache([keys[0]!, keys[1]!], T0 + 10);
      const bounds = { maxEntries: 2, maxBytes: 1_000_000, maxDeletes: 100 };
      expect(await store.trimCache(T0 + 20, bounds)).toBe(2);
      expect([...(await store.readCache(keys, T0 + 30)).keys()].sort()).toEqual([keys[0], keys[1]]);
      expect(await store.trimCache(T0 + 30, { ...bounds, maxBytes: 7 })).toBe(1);
      expect(await store.trimCache(T0 + 60_000, { ...bounds, maxDeletes: 1 })).toBe(1);
      expect(await store.cacheSize()).toEqual({ entries: 0, bytes: 0 });
    });
  });
}
