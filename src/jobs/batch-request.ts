import { Readable } from "node:stream";
import type { Backend, BackendResult } from "../backends/backend.js";
import type { ClaimedRecord } from "../domain/record.js";
import type { LargeBodies, Store } from "../store/store.js";

/**
 * Sends one claimed batch record's body as stored. A body stored in parts (a huge line,
 * `bodyParts`) is streamed to the backend part by part, read from the store as the socket takes
 * them, so it is never whole in memory; a backend that cannot stream gets it joined into a string.
 */
export function sendBatchRecord(
  backend: Backend,
  record: ClaimedRecord,
  signal: AbortSignal,
  store: Pick<Store, "capabilities">,
): Promise<BackendResult> {
  const parts = record.bodyParts;
  if (!parts) return backend.send({ endpoint: record.endpoint, body: record.body, signal });
  const read = () => readParts(store.capabilities.largeBodies, record.id, parts.count);
  if (backend.streamsBodies) {
    return backend.send({
      endpoint: record.endpoint,
      body: "",
      signal,
      bodyStream: async () => Readable.from(read(), { objectMode: false }),
      bodyBytes: parts.bytes,
    });
  }
  return (async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of read()) chunks.push(chunk);
    return backend.send({ endpoint: record.endpoint, body: Buffer.concat(chunks).toString("utf8"), signal });
  })();
}

async function* readParts(
  largeBodies: LargeBodies | null,
  recordId: number,
  count: number,
): AsyncGenerator<Buffer> {
  if (!largeBodies) throw new Error("this store keeps no body parts");
  for (let part = 0; part < count; part++) {
    const bytes = await largeBodies.readBodyPart(recordId, part);
    if (!bytes) throw new Error(`part ${part} of record ${recordId}'s body is missing`);
    yield bytes;
  }
}
