/** Issue 14 (identical requests once): as SQLite's 0013-dedup-cache.ts. */
export const migration0012 = `
SELECT 1;
`;
