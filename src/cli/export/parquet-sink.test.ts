import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { duckdbQuery, parquetFrom, readParquet } from "../../../test/cli/export-parquet-duckdb.js";
import type { TypedColumn } from "./column-types.js";
import { ParquetRowSink } from "./parquet-sink.js";
import { fileSink } from "./text-sink.js";

const dir = mkdtempSync(join(tmpdir(), "docket-parquet-sink-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const COLUMNS: TypedColumn[] = [
  { name: "id", type: "string" },
  { name: "n", type: "int64" },
  { name: "x", type: "double" },
  { name: "ok", type: "boolean" },
  { name: "tags", type: "json" },
  { name: "output.topic", type: "string" },
];

describe("ParquetRowSink (read back by DuckDB)", () => {
  it("writes typed, nullable columns in row groups as they fill", async () => {
    const path = join(dir, "groups.parquet");
    const sink = new ParquetRowSink(COLUMNS, await fileSink(path), { rows: 3, bytes: 1 << 20 });
    const rows = Array.from({ length: 8 }, (_, i) => [
      `r${i}`,
      i % 4 === 3 ? null : BigInt(i * 1_000_000_007),
      i === 5 ? null : i / 4,
      i % 2 === 0,
      i === 6 ? null : { tags: ["a", `b${i}`], deep: { n: i } },
      i === 1 ? "naïve – “quoted”, 😀\nsecond line" : `t${i}`,
    ]);
    for (const row of rows) await sink.write(row);
    await sink.commit();

    const back = await readParquet(path, "ORDER BY id");
    expect(back.columns).toEqual([
      { name: "id", type: "VARCHAR" },
      { name: "n", type: "BIGINT" },
      { name: "x", type: "DOUBLE" },
      { name: "ok", type: "BOOLEAN" },
      { name: "tags", type: "JSON" },
      { name: "output.topic", type: "VARCHAR" },
    ]);
    expect(back.rows).toHaveLength(8);
    for (const [i, got] of back.rows.entries()) {
      const want = rows[i]!;
      expect(got.id).toBe(want[0]);
      expect(got.n).toBe(want[1]);
      expect(got.x).toBe(want[2]);
      expect(got.ok).toBe(want[3]);
      expect(got.tags === null ? null : JSON.parse(String(got.tags))).toEqual(want[4]);
      expect(got["output.topic"]).toBe(want[5]);
    }
    const groups = await duckdbQuery(
      `SELECT row_group_id, any_value(row_group_num_rows) AS n FROM parquet_metadata('${path}') GROUP BY 1 ORDER BY 1`,
    );
    expect(groups.map((g) => Number(g.n))).toEqual([3, 3, 2]);
  });

  it("cuts a row group early when its values reach the byte limit", async () => {
    const path = join(dir, "bytes.parquet");
    const columns: TypedColumn[] = [{ name: "text", type: "string" }];
    // Each row holds 1,000 characters (+ the per-value overhead): a group fills at the 3rd row.
    const sink = new ParquetRowSink(columns, await fileSink(path), { rows: 1000, bytes: 2500 });
    for (let i = 0; i < 7; i++) await sink.write([String(i).repeat(1000)]);
    await sink.commit();
    const groups = await duckdbQuery(
      `SELECT row_group_id, any_value(row_group_num_rows) AS n FROM parquet_metadata('${path}') GROUP BY 1 ORDER BY 1`,
    );
    expect(groups.map((g) => Number(g.n))).toEqual([3, 3, 1]);
    const lengths = await duckdbQuery(`SELECT length(text) AS l FROM ${parquetFrom(path)}`);
    expect(lengths.every((r) => r.l === 1000n)).toBe(true);
  });

  it("keeps valid min/max statistics for long strings (a lower and an upper bound per row group)", async () => {
    const path = join(dir, "stats.parquet");
    const columns: TypedColumn[] = [{ name: "text", type: "string" }];
    const values = [`b${"x".repeat(200)}`, `a${"y".repeat(90)}😀`, "c".repeat(70), "ab"];
    const sink = new ParquetRowSink(columns, await fileSink(path), { rows: 4, bytes: 1 << 20 });
    for (const v of values) await sink.write([v]);
    await sink.commit();
    const [stats] = await duckdbQuery(
      `SELECT stats_min_value AS min, stats_max_value AS max FROM parquet_metadata('${path}')`,
    );
    const min = String(stats!.min);
    const max = String(stats!.max);
    const sorted = [...values].sort();
    expect(sorted[0]!.startsWith(min)).toBe(true);
    expect(max >= sorted.at(-1)!).toBe(true);
    expect(Buffer.byteLength(max)).toBeLessThanOrEqual(16);
    // DuckDB prunes with them and still finds every row.
    const found = await duckdbQuery(
      `SELECT count(*) AS n FROM ${parquetFrom(path)} WHERE text >= 'a' AND text <= '${max}'`,
    );
    expect(found[0]!.n).toBe(4n);
  });

  it("writes a valid file with its columns and no rows", async () => {
    const path = join(dir, "empty.parquet");
    const sink = new ParquetRowSink(COLUMNS, await fileSink(path));
    await sink.commit();
    const back = await readParquet(path);
    expect(back.rows).toEqual([]);
    expect(back.columns.map((c) => c.type)).toEqual([
      "VARCHAR",
      "BIGINT",
      "DOUBLE",
      "BOOLEAN",
      "JSON",
      "VARCHAR",
    ]);
  });

  it("leaves nothing behind when aborted", async () => {
    const path = join(dir, "aborted.parquet");
    const sink = new ParquetRowSink(COLUMNS, await fileSink(path), { rows: 1, bytes: 1 << 20 });
    await sink.write(["a", 1n, 1, true, null, "t"]);
    await sink.abort();
    const { readdirSync } = await import("node:fs");
    expect(readdirSync(dir).filter((f) => f.startsWith("aborted"))).toEqual([]);
  });
});
