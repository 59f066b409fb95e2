import type { ProviderJob } from "../domain/provider-job.js";
import { routeGuards } from "./pack-guards.js";
import { recordBodyText } from "./record-body.js";
import { CLAIM_CHUNK, type RunnerContext } from "./runner-context.js";

/** A provider job's input as the client streams it, with its counts. */
export interface ProviderJobInput {
  lines: () => AsyncIterable<string>;
  count: number;
  bytes: number;
  model: string;
  endpoint: string;
}

/**
 * The input of a provider job: the packed counts while every bound record is still there (`kept`
 * equals the packed count), else counted again by encoding what is still bound.
 */
export async function providerJobInput(
  ctx: RunnerContext,
  pj: ProviderJob,
  kept: number,
): Promise<ProviderJobInput> {
  const lines = () => inputLines(ctx, pj);
  if (kept === pj.records)
    return { lines, count: pj.records, bytes: pj.bytes, model: pj.model, endpoint: pj.endpoint };
  let count = 0;
  let bytes = 0;
  for await (const line of lines()) {
    count++;
    bytes += Buffer.byteLength(line, "utf8") + 1;
  }
  return { lines, count, bytes, model: pj.model, endpoint: pj.endpoint };
}

/** The records still bound, encoded for the provider, in id order. */
async function* inputLines(ctx: RunnerContext, pj: ProviderJob): AsyncIterable<string> {
  const { store, client } = ctx.o;
  const { records } = routeGuards(ctx);
  let after = 0;
  for (;;) {
    const page = await store.readBoundRecords(pj.id, after, CLAIM_CHUNK);
    if (page.length === 0) return;
    for (const r of page) {
      const body = await recordBodyText(r, store.capabilities.largeBodies);
      // Translated again as when packed (bridged records), so the bytes counted are the bytes sent.
      const request = await records.providerRequest({ jobId: r.jobId, body }, pj.endpoint);
      const native = "refused" in request ? body : request.body;
      yield client.encode({ recordId: r.id, endpoint: pj.endpoint, body: native, model: pj.model });
    }
    after = page[page.length - 1]!.id;
  }
}
