/** Validation strikes by progress: as SQLite's 0014-validation-progress.ts, which explains the columns. */
export const migration0013 = `
ALTER TABLE jobs ADD COLUMN validation_progress INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN validation_progress_best INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN validation_claims INTEGER NOT NULL DEFAULT 0;
`;
