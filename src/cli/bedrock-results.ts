import { createWriteStream } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { pipeline } from "node:stream/promises";
import type { ApiClient } from "./api-client.js";
import type { BatchView } from "./batch-types.js";

/** Bedrock's summary file, written next to the `.out` file as Bedrock writes it to S3. */
export const MANIFEST_NAME = "manifest.json.out";

/**
 * True for a batch created from a Bedrock batch file: its endpoint is Bedrock Runtime's
 * InvokeModel path, which only such batches have (`POST /v1/batches` takes no other `/model/` path).
 */
export function isBedrockBatch(batch: Pick<BatchView, "endpoint">): boolean {
  return batch.endpoint.startsWith("/model/");
}

/**
 * Writes a Bedrock batch's results into `dir` as Bedrock lays them out in its output location:
 * `<input file name>.out` (every record, in input order) and `manifest.json.out`. Returns the
 * paths written.
 */
export async function downloadBedrockResults(
  client: ApiClient,
  batch: BatchView,
  dir: string,
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  if (batch.output_file_id) {
    const meta = await client.json<{ filename: string }>(
      "GET",
      `/v1/files/${encodeURIComponent(batch.output_file_id)}`,
    );
    // The name is the server's; only its last segment is used, so it lands inside `dir`.
    const path = join(dir, basename(meta.filename) || `${batch.id}.jsonl.out`);
    await pipeline(await client.fileContent(batch.output_file_id), createWriteStream(path));
    written.push(path);
  }
  const manifest = await client.json<unknown>("GET", `/v1/batches/${encodeURIComponent(batch.id)}/manifest`);
  const path = join(dir, MANIFEST_NAME);
  await writeFile(path, `${JSON.stringify(manifest)}\n`);
  written.push(path);
  return written;
}
