import { duckdbQuery, parquetFrom, readParquet } from "./export-parquet-duckdb.js";
import { datasetRow } from "./export-parquet-job.js";

export const EXPECTED_COLUMNS = [
  { name: "id", type: "VARCHAR" },
  { name: "customer", type: "VARCHAR" },
  { name: "text", type: "VARCHAR" },
  { name: "custom_id", type: "VARCHAR" },
  { name: "status", type: "VARCHAR" },
  { name: "error_code", type: "VARCHAR" },
  { name: "error_message", type: "VARCHAR" },
  { name: "output", type: "VARCHAR" },
  { name: "input_tokens", type: "BIGINT" },
  { name: "output_tokens", type: "BIGINT" },
  { name: "output.topic", type: "VARCHAR" },
  { name: "output.urgency", type: "BIGINT" },
  { name: "output.score", type: "DOUBLE" },
  { name: "output.escalate", type: "BOOLEAN" },
  { name: "output.tags", type: "JSON" },
  { name: "parse_error", type: "VARCHAR" },
];

export interface ExportCheck {
  rows: number;
  rowGroups: number;
  columns: Array<{ name: string; type: string }>;
  /** Rows whose cells differ from the dataset or from their own answer's JSON (must be 0). */
  wrongRows: number;
  /** Spot-checked rows that differ from the dataset row they were made from (must be empty). */
  wrongSpots: string[];
}

/**
 * Reads an export of `finishedJob` back with DuckDB: every row is checked in SQL (input order
 * and id, status, token counts, each typed output.<field> equal to the field of the answer's JSON
 * text), and a few rows are compared in full with the dataset rows they came from.
 */
export async function checkExport(path: string, rows: number): Promise<ExportCheck> {
  const from = parquetFrom(path);
  const [{ n }] = (await duckdbQuery(`SELECT count(*) AS n FROM ${from}`)) as [{ n: bigint }];
  const [{ groups }] = (await duckdbQuery(
    `SELECT count(DISTINCT row_group_id) AS groups FROM parquet_metadata('${path.replaceAll("'", "''")}')`,
  )) as [{ groups: bigint }];
  const [{ wrong }] = (await duckdbQuery(`
    SELECT count(*) AS wrong FROM read_parquet('${path.replaceAll("'", "''")}', file_row_number = true)
    WHERE id IS DISTINCT FROM 't' || file_row_number OR custom_id IS DISTINCT FROM id OR status <> 'succeeded'
       OR output_tokens IS DISTINCT FROM 16 OR input_tokens IS NULL OR parse_error IS NOT NULL
       OR "output.topic" IS DISTINCT FROM json_extract_string(output, '$.topic')
       OR "output.urgency" IS DISTINCT FROM CAST(json_extract(output, '$.urgency') AS BIGINT)
       OR "output.score" IS DISTINCT FROM CAST(json_extract(output, '$.score') AS DOUBLE)
       OR "output.escalate" IS DISTINCT FROM CAST(json_extract(output, '$.escalate') AS BOOLEAN)
       OR CAST("output.tags" AS VARCHAR) IS DISTINCT FROM CAST(json_extract(output, '$.tags') AS VARCHAR)`)) as [
    { wrong: bigint },
  ];
  const spots = [0, 31, 97, 31 * 97, rows - 1].filter((i) => i < rows);
  const back = await readParquet(path, `WHERE id IN (${spots.map((i) => `'t${i}'`).join(",")}) ORDER BY id`);
  const wrongSpots: string[] = [];
  for (const i of spots) {
    const want = datasetRow(i);
    const got = back.rows.find((r) => r.id === want.id);
    if (!got || got.customer !== want.customer || got.text !== want.text) wrongSpots.push(want.id);
  }
  return {
    rows: Number(n),
    rowGroups: Number(groups),
    columns: back.columns,
    wrongRows: Number(wrong),
    wrongSpots,
  };
}
