import type pg from "pg";
import type { CacheHit } from "../../domain/dedup.js";
import type { NewRecord } from "../../domain/record.js";
import { cacheableAnswer, DUE_COLUMN, type HandOnRow, savingsOf } from "../dedup-rows.js";
import type { DedupStore } from "../dedup-store.js";
import {
  COUNT_CACHE_HITS_SQL,
  COUNT_FOLLOWERS_SQL,
  DELETE_EXPIRED_SQL,
  DUE_LEADERS_SQL,
  FOLLOW_LEADERS_SQL,
  INSERT_CACHE_HITS_SQL,
  INSERT_DEDUP_RECORDS_SQL,
  LEADERS_DONE_SQL,
  READ_CACHE_SQL,
  STORE_ANSWERS_SQL,
} from "./dedup-sql.js";
import { query, transaction } from "./pg-connection.js";

/** Identical requests once on PostgreSQL (DedupStore); the records' own inserts are `pgInsertDedupRecords`. */
export function pgDedup(pool: pg.Pool): DedupStore {
  return {
    async markLeaders(jobId, positions) {
      if (positions.length === 0) return;
      await query(
        pool,
        `UPDATE records SET dedup_due = GREATEST(COALESCE(dedup_due, 0), 1)
         WHERE job_id = $1 AND position = ANY($2::int[])`,
        [jobId, positions],
      );
    },

    async readCache(keys, now) {
      const hits = new Map<string, CacheHit>();
      if (keys.length === 0) return hits;
      const rows = await query<{ key: string; input_tokens: number | null; output_tokens: number | null }>(
        pool,
        READ_CACHE_SQL,
        [keys, now],
      );
      for (const r of rows) hits.set(r.key, { inputTokens: r.input_tokens, outputTokens: r.output_tokens });
      return hits;
    },

    async handOnAnswers(o) {
      return transaction(pool, async (c) => {
        const leaders = (await c.query<HandOnRow>(DUE_LEADERS_SQL, [o.limit])).rows;
        if (leaders.length === 0) return { leaders: 0, followers: 0, cached: 0 };
        const ids = leaders.map((l) => Number(l.id));
        const followed = (
          await c.query<{ job_id: string; follows: number }>(FOLLOW_LEADERS_SQL, [ids, o.now])
        ).rows;
        const perLeader = new Map<string, number>();
        for (const f of followed) {
          const at = `${f.job_id}\n${f.follows}`;
          perLeader.set(at, (perLeader.get(at) ?? 0) + 1);
        }
        // One counter update per job, in id order (the lock order of jobs rows in this engine).
        const perJob = new Map<string, number[]>();
        const answers = new Map<string, NonNullable<ReturnType<typeof cacheableAnswer>> & { l: HandOnRow }>();
        for (const l of leaders) {
          const n = perLeader.get(`${l.job_id}\n${l.position}`) ?? 0;
          if (n > 0) {
            const add = savingsOf(l, n, o.priceOf(l.model));
            const sum = perJob.get(l.job_id);
            perJob.set(l.job_id, sum ? sum.map((v, i) => v + add[i]!) : add);
          }
          const answer =
            Number(l.dedup_due) === DUE_COLUMN.cache ? cacheableAnswer(l, o.maxEntryBytes) : null;
          // The latest leader of a key wins (one upsert statement may not touch a key twice).
          if (answer) answers.set(l.dedup_key!, { ...answer, l });
        }
        for (const jobId of [...perJob.keys()].sort())
          await c.query(COUNT_FOLLOWERS_SQL, [jobId, ...perJob.get(jobId)!]);
        if (answers.size > 0) {
          const a = [...answers.entries()];
          await c.query(STORE_ANSWERS_SQL, [
            a.map(([key]) => key),
            a.map(([, x]) => x.l.route),
            a.map(([, x]) => x.statusCode),
            a.map(([, x]) => x.requestId),
            a.map(([, x]) => x.body),
            a.map(([, x]) => x.l.input_tokens),
            a.map(([, x]) => x.l.output_tokens),
            a.map(([, x]) => x.bytes),
            o.now,
            o.now + o.cacheTtlMs,
          ]);
        }
        await c.query(LEADERS_DONE_SQL, [ids]);
        return { leaders: leaders.length, followers: followed.length, cached: answers.size };
      });
    },

    async trimCache(now, bounds) {
      return transaction(pool, async (c) => {
        let deleted = (await c.query(DELETE_EXPIRED_SQL, [now, bounds.maxDeletes])).rowCount ?? 0;
        const size = (
          await c.query<{ entries: number; bytes: number }>(
            "SELECT count(*)::bigint AS entries, COALESCE(sum(bytes), 0)::bigint AS bytes FROM response_cache",
          )
        ).rows[0]!;
        let { entries, bytes } = size;
        if (entries <= bounds.maxEntries && bytes <= bounds.maxBytes) return deleted;
        const oldest = (
          await c.query<{ key: string; bytes: number }>(
            "SELECT key, bytes FROM response_cache ORDER BY used_at, key LIMIT $1",
            [bounds.maxDeletes - deleted],
          )
        ).rows;
        const evict: string[] = [];
        for (const old of oldest) {
          if (entries <= bounds.maxEntries && bytes <= bounds.maxBytes) break;
          evict.push(old.key);
          entries--;
          bytes -= Number(old.bytes);
        }
        if (evict.length > 0)
          deleted +=
            (await c.query("DELETE FROM response_cache WHERE key = ANY($1::text[])", [evict])).rowCount ?? 0;
        return deleted;
      });
    },

    async cacheSize() {
      const [row] = await query<{ entries: number; bytes: number }>(
        pool,
        "SELECT count(*)::bigint AS entries, COALESCE(sum(bytes), 0)::bigint AS bytes FROM response_cache",
      );
      return { entries: Number(row!.entries), bytes: Number(row!.bytes) };
    },
  };
}

/**
 * Inserts the records of one chunk of a job that dedups or caches (NewRecord.dedup on some), in
 * the caller's transaction: cache hits finished with the cached answer (copied by the statement;
 * counted on the job), then all the others in input order — any hit whose entry was evicted since
 * the lookup among them — with their key, state (`following` for a follower) and what is due
 * when they end.
 */
export async function pgInsertDedupRecords(
  c: pg.PoolClient,
  jobId: string,
  records: NewRecord[],
  maxAttempts: number,
): Promise<void> {
  const bodyOf = (r: NewRecord) => (typeof r.body === "string" ? r.body : r.body.toString("utf8"));
  const hits = records.filter((r) => r.dedup?.fromCache);
  const stored = new Set<number>();
  if (hits.length > 0) {
    const now = Date.now();
    const rows = (
      await c.query<{
        position: number;
        input_tokens: number | null;
        output_tokens: number | null;
        usd: number;
      }>(INSERT_CACHE_HITS_SQL, [
        jobId,
        maxAttempts,
        now,
        hits.map((r) => r.position),
        hits.map((r) => r.line),
        hits.map((r) => r.customId),
        hits.map((r) => r.customIdJson ?? null),
        hits.map((r) => r.route),
        hits.map(bodyOf),
        hits.map((r) => r.dedup!.key),
        hits.map((r) => r.dedup!.fromCache!.savedUsd),
      ])
    ).rows;
    let input = 0;
    let output = 0;
    let usd = 0;
    for (const r of rows) {
      stored.add(r.position);
      input += Number(r.input_tokens ?? 0);
      output += Number(r.output_tokens ?? 0);
      usd += Number(r.usd);
    }
    if (rows.length > 0) await c.query(COUNT_CACHE_HITS_SQL, [jobId, rows.length, input, output, usd]);
  }
  const rest =
    stored.size === 0 && hits.length === 0 ? records : records.filter((r) => !stored.has(r.position));
  if (rest.length === 0) return;
  const following = (r: NewRecord) => r.dedup?.follows !== undefined && !r.dedup.fromCache;
  await c.query(INSERT_DEDUP_RECORDS_SQL, [
    jobId,
    maxAttempts,
    rest.map((r) => r.position),
    rest.map((r) => r.line),
    rest.map((r) => r.customId),
    rest.map((r) => r.customIdJson ?? null),
    rest.map((r) => r.route),
    rest.map(bodyOf),
    rest.map((r) => (following(r) ? "following" : "pending")),
    rest.map((r) => r.dedup?.key ?? null),
    rest.map((r) => (following(r) ? r.dedup!.follows! : null)),
    rest.map((r) => (following(r) || !r.dedup?.due ? null : DUE_COLUMN[r.dedup.due])),
  ]);
}
