import { createWriteStream, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { pipeline } from "node:stream/promises";
import type { ApiClient } from "./api-client.js";
import type { BatchView } from "./batch-types.js";

/** Streams a batch's output and error files to disk; returns the paths written. */
export async function downloadResults(
  client: ApiClient,
  batch: BatchView,
  outputPath: string | null,
  errorsPath: string | null,
): Promise<{ output: string | null; errors: string | null }> {
  const written = { output: null as string | null, errors: null as string | null };
  if (batch.output_file_id && outputPath) {
    await saveFile(client, batch.output_file_id, outputPath);
    written.output = outputPath;
  }
  if (batch.error_file_id && errorsPath) {
    await saveFile(client, batch.error_file_id, errorsPath);
    written.errors = errorsPath;
  }
  return written;
}

async function saveFile(client: ApiClient, fileId: string, path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  await pipeline(await client.fileContent(fileId), createWriteStream(path));
}
