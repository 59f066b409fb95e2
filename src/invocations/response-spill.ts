import type { Readable } from "node:stream";
import type { BlobStore } from "../blobs/blob-store.js";
import { newId } from "../domain/ids.js";
import { spilledBody } from "../domain/invocation.js";

/** Answers up to this size stay in the record row; larger ones go to the blob store. */
export const SPILL_THRESHOLD_BYTES = 256 * 1024;

/**
 * Reads a response body; if it ends within `threshold` bytes it is returned as text, otherwise
 * what was read plus the rest of the stream is written to a new blob under `prefix` and a
 * spilled-body marker is returned. Memory use is bounded by the threshold either way.
 */
export async function spillLargeResponse(
  blobs: BlobStore,
  prefix: string,
  body: Readable,
  threshold = SPILL_THRESHOLD_BYTES,
): Promise<string> {
  const it = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let size = 0;
  for (;;) {
    const next = await it.next();
    if (next.done) return Buffer.concat(head).toString("utf8");
    head.push(next.value);
    size += next.value.length;
    if (size > threshold) break;
  }
  async function* all(): AsyncIterable<Buffer> {
    yield* head.splice(0);
    for (;;) {
      const next = await it.next();
      if (next.done) return;
      yield next.value;
    }
  }
  const key = `${prefix}output-${newId("", 10)}`;
  const { bytes } = await blobs.put(key, all());
  return spilledBody(key, bytes);
}
