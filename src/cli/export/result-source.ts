import type { Readable } from "node:stream";
import { DocketError } from "../../domain/errors.js";
import { type ApiClient, ApiError } from "../api-client.js";
import type { BatchView } from "../batch-types.js";
import { type MergedStream, openMerged } from "../merged-results.js";

/**
 * Where an export's result lines come from: the batch's own output and error files, or its retry
 * lineage merged by the server (`GET /v1/batches/{id}/results?merged=true`: one line per request
 * of the lineage's root, in the root's input order, the latest success else the latest error).
 */
export type ResultSource = "files" | "merged";

export interface ResultStreams {
  /** Output lines in input order (merged: every line, successes and errors, in input order). */
  outputFile: Readable | null;
  /** Error lines in input order (merged: none, they are in `outputFile`). */
  errorFile: Readable | null;
  /** The batch whose metadata names the dataset: the lineage's root for merged results. */
  linkedBatchId: string;
}

export async function openResults(
  client: ApiClient,
  batch: BatchView,
  source: ResultSource,
): Promise<ResultStreams> {
  if (source === "merged") return openLineage(client, batch.id);
  return {
    outputFile: batch.output_file_id ? await client.fileContent(batch.output_file_id) : null,
    errorFile: batch.error_file_id ? await client.fileContent(batch.error_file_id) : null,
    linkedBatchId: batch.id,
  };
}

async function openLineage(client: ApiClient, id: string): Promise<ResultStreams> {
  let merged: MergedStream;
  try {
    merged = await openMerged(client, id, "all");
  } catch (err) {
    // The batch was just read, so a 404 here is the endpoint, not the batch: an older server.
    if (!(err instanceof ApiError) || (err.status !== 501 && err.status !== 404)) throw err;
    throw new DocketError(
      "merged_results_unavailable",
      `This Docket server does not merge a lineage's results (HTTP ${err.status}: ${err.message}); ` +
        "export each batch on its own.",
    );
  }
  return { outputFile: merged.body, errorFile: null, linkedBatchId: merged.root ?? id };
}
