/**
 * A constant list as SQL literals (`'a', 'b'`), so statements take their status lists from
 * domain/*-transitions.ts yet stay the same text (same plans, same partial indexes).
 * Only for constants: values are quoted, never bound.
 */
export function sqlList(values: readonly string[]): string {
  return values.map((v) => `'${v.replaceAll("'", "''")}'`).join(", ");
}
