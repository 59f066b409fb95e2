/** Issue 14 (identical requests once): as SQLite's 0013-dedup-cache.ts, which explains the columns. */
export const migration0012 = `
ALTER TABLE jobs ADD COLUMN dedup BOOLEAN;
ALTER TABLE jobs ADD COLUMN cache BOOLEAN;
ALTER TABLE jobs ADD COLUMN deduplicated BIGINT NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN cached BIGINT NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN saved_input_tokens BIGINT NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN saved_output_tokens BIGINT NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN saved_usd DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE records ADD COLUMN dedup_key TEXT;
ALTER TABLE records ADD COLUMN follows INTEGER;
ALTER TABLE records ADD COLUMN dedup_due SMALLINT;
ALTER TABLE records ADD COLUMN served_from TEXT;
CREATE INDEX records_dedup_due ON records(state, id) WHERE dedup_due IS NOT NULL;
CREATE INDEX records_followers ON records(job_id, follows) WHERE state = 'following';

CREATE TABLE response_cache (
  key TEXT PRIMARY KEY,
  route TEXT NOT NULL,
  status_code INTEGER NOT NULL,
  request_id TEXT,
  body TEXT NOT NULL,
  input_tokens BIGINT,
  output_tokens BIGINT,
  bytes BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT NOT NULL
);
CREATE INDEX response_cache_expiry ON response_cache(expires_at);
CREATE INDEX response_cache_use ON response_cache(used_at);
`;
