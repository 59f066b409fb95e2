import { createWriteStream, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { type ApiClient, ApiError, errorMessage } from "./api-client.js";
import { EXIT } from "./cli-errors.js";

/** Which merged lines one request asks for (docs/lineage.md). */
export type MergedLines = "all" | "output" | "errors";

/**
 * A batch lineage's merged results as a stream (`GET /v1/batches/{id}/results?merged=true`): one
 * line per request of the lineage's root, in its input order. Throws ApiError when refused (a
 * batch of the lineage still running, an unknown batch).
 */
export async function mergedStream(client: ApiClient, id: string, lines: MergedLines): Promise<Readable> {
  const res = await client.request(
    "GET",
    `/v1/batches/${encodeURIComponent(id)}/results?merged=true&lines=${lines}`,
  );
  if (res.statusCode >= 400) throw new ApiError(res.statusCode, errorMessage(await res.body.text()));
  return res.body;
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
  const main = await mergedStream(client, id, o.errors ? "output" : "all");
  await pipeline(main, o.out ? toFile(o.out) : process.stdout, { end: Boolean(o.out) });
  if (o.out) console.error(`wrote ${o.out}`);
  if (o.errors) {
    await pipeline(await mergedStream(client, id, "errors"), toFile(o.errors));
    console.error(`wrote ${o.errors}`);
  }
  return EXIT.ok;
}

function toFile(path: string): Writable {
  mkdirSync(dirname(path), { recursive: true });
  return createWriteStream(path);
}
