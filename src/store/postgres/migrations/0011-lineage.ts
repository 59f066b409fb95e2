/** Issue 14 (retry with lineage): as SQLite's 0012-lineage.ts. */
export const migration0011 = `
SELECT 1;
`;
