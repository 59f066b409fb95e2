/**
 * Issue 17 ("bytes in = bytes out", "validation never wedges", OpenAI fields):
 * - records.custom_id_json: the custom_id's JSON literal as written in the input, kept only when
 *   it differs from JSON.stringify of the decoded id (escapes such as a lone surrogate "\ud800"),
 *   so output and error lines echo it byte for byte;
 * - jobs.validation_attempts: how often validation was claimed, so a validation that keeps
 *   failing ends the batch `failed` after a few tries instead of retrying for the whole window;
 * - jobs.model: OpenAI's batch.model (the first request's body.model, set when validation ends);
 * - jobs.output_expires_after_s: OpenAI's output_expires_after (seconds after the files are written).
 */
export const migration0005 = `
ALTER TABLE records ADD COLUMN custom_id_json TEXT;
ALTER TABLE jobs ADD COLUMN validation_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN model TEXT;
ALTER TABLE jobs ADD COLUMN output_expires_after_s BIGINT;
`;
