import { extname } from "node:path";
import { DocketError } from "../../domain/errors.js";
import { readCsv, readCsvBatches } from "./csv-reader.js";
import type { DatasetFormat, ReaderItem, ReaderOptions } from "./dataset-row.js";
import { readJsonl } from "./jsonl-reader.js";

/** `.jsonl`/`.ndjson`/`.json` read as JSONL; anything else as CSV (TSV is CSV with a tab). */
export function formatFromPath(path: string): DatasetFormat {
  const ext = extname(path).toLowerCase();
  return ext === ".jsonl" || ext === ".ndjson" || ext === ".json" ? "jsonl" : "csv";
}

export function parseFormat(value: string): DatasetFormat {
  if (value === "csv" || value === "jsonl") return value;
  throw new DocketError("invalid_option", `Unknown dataset format '${value}'; use csv or jsonl.`);
}

export function readDataset(
  path: string,
  format: DatasetFormat = formatFromPath(path),
  options: ReaderOptions = {},
): AsyncGenerator<ReaderItem> {
  return format === "jsonl" ? readJsonl(path, options) : readCsv(path, options);
}

/** Rows in batches (one per read of the file), for pipelines that hand work to other threads. */
export function readDatasetBatches(
  path: string,
  format: DatasetFormat = formatFromPath(path),
  options: ReaderOptions = {},
): AsyncGenerator<ReaderItem[]> {
  return format === "jsonl" ? inBatches(readJsonl(path, options), 512) : readCsvBatches(path, options);
}

async function* inBatches<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
