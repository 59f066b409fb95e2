/**
 * A validation killed from outside (kill -9, a neighbour's out-of-memory, a deploy) is not a
 * poison file: an attempt counts toward `validation.maxAttempts` only when it died exactly where
 * the farthest attempt before it had (a line that kills its validator dies there every time).
 * - jobs.validation_progress: input records the current attempt has inserted (the position after
 *   a flushed chunk, so the same for a given file at every attempt), written with the owner's
 *   lease renewal and reset by each claim;
 * - jobs.validation_progress_best: the farthest any earlier attempt got;
 * - jobs.validation_claims: every claim, never reset, for the absolute bound on claims.
 */
export const migration0014 = `
ALTER TABLE jobs ADD COLUMN validation_progress INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN validation_progress_best INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN validation_claims INTEGER NOT NULL DEFAULT 0;
`;
