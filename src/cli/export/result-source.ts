import type { Readable } from "node:stream";
import { DocketError } from "../../domain/errors.js";
import { type ApiClient, ApiError, errorMessage } from "../api-client.js";
import type { BatchView } from "../batch-types.js";

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
  if (source === "merged") return openMerged(client, batch.id);
  return {
    outputFile: batch.output_file_id ? await client.fileContent(batch.output_file_id) : null,
    errorFile: batch.error_file_id ? await client.fileContent(batch.error_file_id) : null,
    linkedBatchId: batch.id,
  };
}

async function openMerged(client: ApiClient, id: string): Promise<ResultStreams> {
  const res = await client.request("GET", `/v1/batches/${encodeURIComponent(id)}/results?merged=true`);
  if (res.statusCode >= 400) {
    const message = errorMessage(await res.body.text());
    if (res.statusCode === 501 || res.statusCode === 404) {
      throw new DocketError(
        "merged_results_unavailable",
        `This Docket server does not merge a lineage's results (HTTP ${res.statusCode}: ${message}); ` +
          "export each batch on its own.",
      );
    }
    throw new ApiError(res.statusCode, message);
  }
  const root = res.headers["docket-lineage-root"];
  return {
    outputFile: res.body,
    errorFile: null,
    linkedBatchId: typeof root === "string" && root !== "" ? root : id,
  };
}
