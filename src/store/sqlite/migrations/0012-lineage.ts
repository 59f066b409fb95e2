/** Issue 14 (retry with lineage): parent/child batches. Filled in by the lineage work. */
export const migration0012 = `
SELECT 1;
`;
