import { createWriteStream, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { type ApiClient, ApiError, errorMessage } from "./api-client.js";
import { EXIT } from "./cli-errors.js";

/** Which merged lines one request asks for (docs/lineage.md). */
export type MergedLines = "all" | "output" | "errors";

/** A lineage's merged lines, and the root they were merged from (the batch that names the dataset). */
export interface MergedStream {
  body: Readable;
  /** The `Docket-Lineage-Root` header; null when the server did not send one. */
  root: string | null;
}

/**
 * A batch lineage's merged results as a stream (`GET /v1/batches/{id}/results?merged=true`): one
 * line per request of the lineage's root, in its input order. The one opener of the CLI (results
 * --merged, export --merged, run --resume). Throws ApiError when refused (a batch of the lineage
 * still running, an unknown batch, a server without the endpoint).
 */
export async function openMerged(client: ApiClient, id: string, lines: MergedLines): Promise<MergedStream> {
  const res = await client.request(
    "GET",
    `/v1/batches/${encodeURIComponent(id)}/results?merged=true&lines=${lines}`,
  );
  if (res.statusCode >= 400) throw new ApiError(res.statusCode, errorMessage(await res.body.text()));
  const root = res.headers["docket-lineage-root"];
  return { body: res.body, root: typeof root === "string" && root !== "" ? root : null };
}

/**
 * `docket results <id> --merged`: without `--errors`, every request's line (its latest success,
 * else its latest error) to `--out` or stdout; with `--errors FILE`, the successes to `--out` (or
 * stdout) and the requests without one to FILE, as a batch's own output and error files.
 */
export async function writeMergedResults(
  client: ApiClient,
  id: string,
  o: { out?: string; errors?: string },
): Promise<number> {
  const main = await openMerged(client, id, o.errors ? "output" : "all");
  await pipeline(main.body, o.out ? toFile(o.out) : process.stdout, { end: Boolean(o.out) });
  if (o.out) console.error(`wrote ${o.out}`);
  if (o.errors) {
    await pipeline((await openMerged(client, id, "errors")).body, toFile(o.errors));
    console.error(`wrote ${o.errors}`);
  }
  return EXIT.ok;
}

function toFile(path: string): Writable {
  mkdirSync(dirname(path), { recursive: true });
  return createWriteStream(path);
}
