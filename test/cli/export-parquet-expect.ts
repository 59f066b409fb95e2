import { expect } from "vitest";
import type { ParquetReadBack } from "./export-parquet-duckdb.js";

/**
 * Row order is input order, and every cell is the JSONL export's value (the format that keeps
 * values as they are) in its column's type: BIGINT as a bigint, JSON as the same JSON value.
 */
export function expectSameAsJsonl(back: ParquetReadBack, lines: Array<Record<string, unknown>>): void {
  expect(back.rows).toHaveLength(lines.length);
  for (const [i, row] of back.rows.entries()) {
    const want = lines[i]!;
    for (const { name, type } of back.columns) {
      const got = row[name];
      const expected = want[name] ?? null;
      if (type === "BIGINT") expect(got, name).toBe(expected === null ? null : BigInt(expected as number));
      else if (type === "JSON") expect(got === null ? null : JSON.parse(String(got)), name).toEqual(expected);
      else expect(got, name).toBe(expected);
    }
  }
}
