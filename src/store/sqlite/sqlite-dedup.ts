import type { NewRecord } from "../../domain/record.js";
import { ENDED_RECORD_STATES } from "../../domain/record-transitions.js";
import { cacheableAnswer, DUE_COLUMN, type HandOnRow, savingsOf } from "../dedup-rows.js";
import type { DedupStore } from "../dedup-store.js";
import { sqlList } from "../sql-list.js";
import type { SqliteDatabase } from "./sqlite-driver.js";

/** Keys per cache lookup statement (one JSON array parameter). */
const KEYS_PER_LOOKUP = 500;

function prepareStatements(db: SqliteDatabase) {
  return {
    markLeader: db.prepare(
      "UPDATE records SET dedup_due = MAX(COALESCE(dedup_due, 0), 1) WHERE job_id = ? AND position = ?",
    ),
    // The live entries among the keys, marked used now (eviction is least recently used).
    lookup: db.prepare<
      [number, string, number],
      { key: string; input_tokens: number | null; output_tokens: number | null }
    >(
      `UPDATE response_cache SET used_at = ?
       WHERE key IN (SELECT value FROM json_each(?)) AND expires_at > ?
       RETURNING key, input_tokens, output_tokens`,
    ),
    dueLeaders: db.prepare<[number], HandOnRow>(
      `SELECT r.id, r.job_id, r.position, r.route, r.state, r.dedup_key, r.dedup_due, r.response_status,
         r.response_request_id, r.response_body, r.error_code, r.error_message, r.input_tokens, r.output_tokens,
         j.model
       FROM records r JOIN jobs j ON j.id = r.job_id
       WHERE r.dedup_due IS NOT NULL AND r.state IN (${sqlList(ENDED_RECORD_STATES)})
       ORDER BY r.id LIMIT ?`,
    ),
    // Fenced by `following`: a follower takes an answer once, however often this runs.
    follow: db.prepare(
      `UPDATE records SET state = ?, response_status = ?, response_request_id = ?, response_body = ?,
         error_code = ?, error_message = ?, finished_at = ?, served_from = 'leader'
       WHERE job_id = ? AND follows = ? AND state = 'following'`,
    ),
    done: db.prepare("UPDATE records SET dedup_due = NULL WHERE id = ?"),
    store: db.prepare(
      `INSERT INTO response_cache (key, route, status_code, request_id, body, input_tokens, output_tokens, bytes,
         created_at, expires_at, used_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET route = excluded.route, status_code = excluded.status_code,
         request_id = excluded.request_id, body = excluded.body, input_tokens = excluded.input_tokens,
         output_tokens = excluded.output_tokens, bytes = excluded.bytes, created_at = excluded.created_at,
         expires_at = excluded.expires_at, used_at = excluded.used_at`,
    ),
    count: db.prepare(
      `UPDATE jobs SET succeeded = succeeded + ?, failed = failed + ?, cancelled = cancelled + ?,
         expired = expired + ?, deduplicated = deduplicated + ?, saved_input_tokens = saved_input_tokens + ?,
         saved_output_tokens = saved_output_tokens + ?, saved_usd = saved_usd + ?
       WHERE id = ?`,
    ),
    expired: db.prepare<[number, number], { key: string }>(
      "SELECT key FROM response_cache WHERE expires_at <= ? ORDER BY expires_at LIMIT ?",
    ),
    size: db.prepare<[], { entries: number; bytes: number }>(
      "SELECT COUNT(*) AS entries, COALESCE(SUM(bytes), 0) AS bytes FROM response_cache",
    ),
    oldest: db.prepare<[number], { key: string; bytes: number }>(
      "SELECT key, bytes FROM response_cache ORDER BY used_at, key LIMIT ?",
    ),
    evict: db.prepare("DELETE FROM response_cache WHERE key = ?"),
  };
}

/** Identical requests once on SQLite (DedupStore); the records' own inserts are `sqliteDedupInserts`. */
export function sqliteDedup(db: SqliteDatabase): DedupStore {
  const s = prepareStatements(db);
  return {
    async markLeaders(jobId, positions) {
      if (positions.length === 0) return;
      db.transaction(() => {
        for (const p of positions) s.markLeader.run(jobId, p);
      }).immediate();
    },

    async readCache(keys, now) {
      const hits = new Map<string, { inputTokens: number | null; outputTokens: number | null }>();
      for (let i = 0; i < keys.length; i += KEYS_PER_LOOKUP) {
        const some = JSON.stringify(keys.slice(i, i + KEYS_PER_LOOKUP));
        for (const r of s.lookup.all(now, some, now))
          hits.set(r.key, { inputTokens: r.input_tokens, outputTokens: r.output_tokens });
      }
      return hits;
    },

    async handOnAnswers(o) {
      return db
        .transaction(() => {
          const leaders = s.dueLeaders.all(o.limit);
          let followers = 0;
          let cached = 0;
          for (const l of leaders) {
            const n = s.follow.run(
              l.state,
              l.response_status,
              l.response_request_id,
              l.response_body,
              l.error_code,
              l.error_message,
              o.now,
              l.job_id,
              l.position,
            ).changes;
            followers += n;
            if (n > 0) s.count.run(...savingsOf(l, n, o.priceOf(l.model)), l.job_id);
            const answer =
              Number(l.dedup_due) === DUE_COLUMN.cache ? cacheableAnswer(l, o.maxEntryBytes) : null;
            if (answer) {
              s.store.run(
                l.dedup_key,
                l.route,
                answer.statusCode,
                answer.requestId,
                answer.body,
                l.input_tokens,
                l.output_tokens,
                answer.bytes,
                o.now,
                o.now + o.cacheTtlMs,
                o.now,
              );
              cached++;
            }
            s.done.run(l.id);
          }
          return { leaders: leaders.length, followers, cached };
        })
        .immediate();
    },

    async trimCache(now, bounds) {
      return db
        .transaction(() => {
          let deleted = 0;
          for (const { key } of s.expired.all(now, bounds.maxDeletes)) deleted += s.evict.run(key).changes;
          let { entries, bytes } = s.size.get()!;
          if (entries <= bounds.maxEntries && bytes <= bounds.maxBytes) return deleted;
          for (const old of s.oldest.all(bounds.maxDeletes - deleted)) {
            if (entries <= bounds.maxEntries && bytes <= bounds.maxBytes) break;
            deleted += s.evict.run(old.key).changes;
            entries--;
            bytes -= old.bytes;
          }
          return deleted;
        })
        .immediate();
    },

    async cacheSize() {
      const { entries, bytes } = s.size.get()!;
      return { entries: Number(entries), bytes: Number(bytes) };
    },
  };
}

/** What a job's counters gain from the records of one insert that were answered from the cache. */
interface CacheCounts {
  cached: number;
  inputTokens: number;
  outputTokens: number;
  usd: number;
}

/**
 * Inserting the records that carry a dedup decision (NewRecord.dedup), inside the caller's
 * insert transaction: a follower `following`, a cache hit finished with the cached answer copied
 * from the cache by the statement itself, any other with its key and what is due when it ends.
 * A hit whose entry was evicted since the lookup is stored to be sent instead. `finish` adds what
 * the hits saved to the job's counters (validation starts them again from 0 on a retry).
 */
export function sqliteDedupInserts(db: SqliteDatabase) {
  const insert = db.prepare(
    `INSERT INTO records (job_id, position, line, custom_id, custom_id_json, route, body, max_attempts,
       state, dedup_key, follows, dedup_due)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const hit = db.prepare<[string], { input_tokens: number | null; output_tokens: number | null }>(
    "SELECT input_tokens, output_tokens FROM response_cache WHERE key = ?",
  );
  const insertHit = db.prepare(
    `INSERT INTO records (job_id, position, line, custom_id, custom_id_json, route, body, max_attempts,
       state, dedup_key, served_from, response_status, response_request_id, response_body, finished_at)
     SELECT ?, ?, ?, ?, ?, ?, ?, ?, 'succeeded', key, 'cache', status_code, request_id, body, ?
     FROM response_cache WHERE key = ?`,
  );
  const count = db.prepare(
    `UPDATE jobs SET succeeded = succeeded + ?, cached = cached + ?, saved_input_tokens = saved_input_tokens + ?,
       saved_output_tokens = saved_output_tokens + ?, saved_usd = saved_usd + ? WHERE id = ?`,
  );
  return (jobId: string, maxAttempts: number) => {
    const counts: CacheCounts = { cached: 0, inputTokens: 0, outputTokens: 0, usd: 0 };
    return {
      insert(r: NewRecord): void {
        const d = r.dedup!;
        const body = typeof r.body === "string" ? r.body : r.body.toString("utf8");
        const head = [
          jobId,
          r.position,
          r.line,
          r.customId,
          r.customIdJson ?? null,
          r.route,
          body,
          maxAttempts,
        ];
        if (d.fromCache) {
          const entry = hit.get(d.key);
          if (entry && insertHit.run(...head, Date.now(), d.key).changes > 0) {
            counts.cached++;
            counts.inputTokens += entry.input_tokens ?? 0;
            counts.outputTokens += entry.output_tokens ?? 0;
            counts.usd += d.fromCache.savedUsd;
            return;
          }
        }
        const following = d.follows !== undefined && !d.fromCache;
        const due = following || !d.due ? null : DUE_COLUMN[d.due];
        insert.run(...head, following ? "following" : "pending", d.key, following ? d.follows : null, due);
      },
      finish(): void {
        if (counts.cached === 0) return;
        count.run(counts.cached, counts.cached, counts.inputTokens, counts.outputTokens, counts.usd, jobId);
      },
    };
  };
}
