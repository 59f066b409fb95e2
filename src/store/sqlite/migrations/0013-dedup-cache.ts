/**
 * Issue 14 (identical requests once, docs/dedup-and-cache.md). Decided when records are inserted:
 * - jobs.dedup / jobs.cache: what the job asked for (1 on, 0 off, NULL: its routes' setting);
 * - jobs.deduplicated / cached / saved_*: its usage: records answered by another record's call,
 *   records answered from the response cache, and the tokens and US dollars that saved;
 * - records.dedup_key: the request's key (project, route, endpoint and body, hashed) when it was
 *   deterministic and the job deduplicates or caches;
 * - records.follows: a follower (state `following`, never claimed) takes the answer of the record
 *   of its job at this position, its leader;
 * - records.dedup_due: set on a leader whose answer is still to be handed on once it ends: 1 to its
 *   followers, 2 to its followers and the response cache; cleared in the transaction that does it;
 * - records.served_from: `leader` or `cache` for a record answered without its own call (its
 *   output line says so).
 * The two partial indexes keep both lookups off the big table: ended leaders with work due, and
 * the followers of one leader. The response cache is bounded by entries, bytes and a TTL.
 */
export const migration0013 = `
ALTER TABLE jobs ADD COLUMN dedup INTEGER;
ALTER TABLE jobs ADD COLUMN cache INTEGER;
ALTER TABLE jobs ADD COLUMN deduplicated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN cached INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN saved_input_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN saved_output_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN saved_usd REAL NOT NULL DEFAULT 0;
ALTER TABLE records ADD COLUMN dedup_key TEXT;
ALTER TABLE records ADD COLUMN follows INTEGER;
ALTER TABLE records ADD COLUMN dedup_due INTEGER;
ALTER TABLE records ADD COLUMN served_from TEXT;
CREATE INDEX records_dedup_due ON records(state, id) WHERE dedup_due IS NOT NULL;
CREATE INDEX records_followers ON records(job_id, follows) WHERE state = 'following';

CREATE TABLE response_cache (
  key TEXT PRIMARY KEY,
  route TEXT NOT NULL,
  status_code INTEGER NOT NULL,
  request_id TEXT,
  body TEXT NOT NULL,
  input_tokens INTEGER,
  output_tokens INTEGER,
  bytes INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER NOT NULL
);
CREATE INDEX response_cache_expiry ON response_cache(expires_at);
CREATE INDEX response_cache_use ON response_cache(used_at);
`;
