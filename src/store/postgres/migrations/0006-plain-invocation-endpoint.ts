/**
 * Issue 11 ("job kinds"): an invocation job's endpoint was stored marked, `invocation:/v1/…`, so
 * that the worker could tell its record (a pointer to a blob) from a batch line. The claim now
 * returns the job's kind, so the endpoint is stored plain; rows written before are unmarked here
 * (`invocation:` is 11 characters).
 */
export const migration0006 = `
UPDATE jobs SET endpoint = substr(endpoint, 12) WHERE kind = 'invocation' AND endpoint LIKE 'invocation:%';
`;
