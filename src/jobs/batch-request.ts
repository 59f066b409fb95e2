import { Readable } from "node:stream";
import type { Backend, BackendResult } from "../backends/backend.js";
import { type Bridge, type BridgeRoute, planBridge } from "../bridge/plan-bridge.js";
import type { ClaimedRecord } from "../domain/record.js";
import type { LargeBodies, Store } from "../store/store.js";
import { bridgeFailure, sendBridged } from "./bridged-request.js";

/**
 * Sends one claimed batch record. When the route's backend speaks the record's endpoint, the
 * body goes as stored, byte for byte; otherwise it goes through the bridge into the backend's
 * dialect and the answer comes back in the record's (src/bridge/). `route` is the record's route
 * (absent: nothing to bridge against, the body goes as stored).
 */
export function sendBatchRecord(
  backend: Backend,
  record: ClaimedRecord,
  signal: AbortSignal,
  store: Pick<Store, "capabilities">,
  route?: BridgeRoute,
): Promise<BackendResult> {
  let bridge: Bridge | null;
  try {
    bridge = route ? planBridge(record.endpoint, route) : null;
  } catch (error) {
    return Promise.resolve(bridgeFailure(error, "unsupported_by_route", null, null));
  }
  if (!bridge) return sendAsStored(backend, record, signal, store);
  const translate = bridge;
  return (async () => {
    const body = record.bodyParts ? await joinParts(record, store) : record.body;
    return sendBridged(backend, translate, body, signal);
  })();
}

/**
 * A body stored in parts (a huge line, `bodyParts`) is streamed to the backend part by part,
 * read from the store as the socket takes them, so it is never whole in memory; a backend that
 * cannot stream gets it joined into a string.
 */
function sendAsStored(
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
  return (async () =>
    backend.send({ endpoint: record.endpoint, body: await joinParts(record, store), signal }))();
}

async function joinParts(record: ClaimedRecord, store: Pick<Store, "capabilities">): Promise<string> {
  const chunks: Buffer[] = [];
  const count = record.bodyParts?.count ?? 0;
  for await (const chunk of readParts(store.capabilities.largeBodies, record.id, count)) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
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
