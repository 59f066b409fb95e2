import { DuckDBInstance } from "@duckdb/node-api";

/**
 * Parquet read back by DuckDB (its own C++ reader, independent of the hyparquet-writer that wrote
 * the file): the columns as DuckDB types them, and rows as JavaScript values (BIGINT as bigint).
 */
export interface ParquetReadBack {
  columns: Array<{ name: string; type: string }>;
  rows: Array<Record<string, unknown>>;
}

export async function duckdbQuery(sql: string): Promise<Array<Record<string, unknown>>> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Array<Record<string, unknown>>;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

export const parquetFrom = (path: string) => `read_parquet('${path.replaceAll("'", "''")}')`;

export async function readParquet(path: string, where = ""): Promise<ParquetReadBack> {
  const described = await duckdbQuery(`DESCRIBE SELECT * FROM ${parquetFrom(path)}`);
  const rows = await duckdbQuery(`SELECT * FROM ${parquetFrom(path)} ${where}`);
  return {
    columns: described.map((d) => ({ name: String(d.column_name), type: String(d.column_type) })),
    rows,
  };
}
