import type { BatchApiClient, BatchApiResult } from "../backends/batch-apis/batch-api-client.js";

/**
 * Results written per transaction: a commit (an fsync on SQLite, and the WAL checkpoint it
 * brings) per 5,000 results is a small share of writing them (10,000 saved a few per cent of the
 * raw SQL, within the bench's noise).
 */
export const INGEST_BATCH = 5_000;
/** …or fewer, once their answers hold this many characters: a batch stays bounded in memory. */
export const INGEST_BATCH_CHARS = 32 * 1024 * 1024;

/** Results as ingest writes them: the provider's answers and, for each, its Docket record (null: a key Docket did not make). */
export interface ResultBatch {
  results: BatchApiResult[];
  recordIds: Array<number | null>;
}

/**
 * A provider job's results in ingest's batches (INGEST_BATCH results or INGEST_BATCH_CHARS of
 * answers, whichever comes first), each result's record id read from its key.
 */
export async function* resultBatches(
  client: Pick<BatchApiClient, "results" | "recordIdOf">,
  providerJobId: string,
): AsyncGenerator<ResultBatch> {
  let batch: ResultBatch = { results: [], recordIds: [] };
  let chars = 0;
  for await (const r of client.results(providerJobId)) {
    batch.results.push(r);
    batch.recordIds.push(client.recordIdOf(r.key));
    chars += r.body?.length ?? 0;
    if (batch.results.length >= INGEST_BATCH || chars >= INGEST_BATCH_CHARS) {
      yield batch;
      batch = { results: [], recordIds: [] };
      chars = 0;
    }
  }
  if (batch.results.length > 0) yield batch;
}
