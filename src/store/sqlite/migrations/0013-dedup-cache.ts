/** Issue 14 (identical requests once): in-job dedup and the response cache. Filled in by the dedup work. */
export const migration0013 = `
SELECT 1;
`;
