import type { BatchApiClient, BatchApiResult } from "../backends/batch-apis/batch-api-client.js";
import type { ProviderJob } from "../domain/provider-job.js";
import type { AttemptResult, Outcome } from "../domain/record.js";
import type { ProviderJobUsage, Store } from "../store/store.js";

/** Results written per transaction: large enough that ingest is not bound by commits. */
const INGEST_BATCH = 2_000;

export interface IngestCounts {
  accepted: number;
  requeued: number;
  /** Results for records no longer bound here (pulled back, cancelled, written before a crash). */
  refused: number;
}

/**
 * Writes a provider job's results: streamed from the provider, fenced against the records still
 * bound to the job (`boundAttempts`), written in batches with the normal `recordResults`, so
 * ingesting again after a crash writes each record exactly once. Then every record the provider
 * never answered goes back to pending (an attempt counted) for a later provider job.
 */
export async function ingestResults(
  store: Store,
  client: BatchApiClient,
  pj: ProviderJob,
  providerState: string,
  now: () => number,
): Promise<IngestCounts> {
  const counts: IngestCounts = { accepted: 0, requeued: 0, refused: 0 };
  let batch: BatchApiResult[] = [];
  const flush = async () => {
    const results = batch;
    batch = [];
    const ids: number[] = [];
    for (const r of results) {
      const id = client.recordIdOf(r.key);
      if (id !== null) ids.push(id);
    }
    const bound = new Map((await store.boundAttempts(pj.id, ids)).map((b) => [b.id, b]));
    const writes: Array<{ result: AttemptResult; jobId: string; ok: boolean; retry: boolean }> = [];
    const at = now();
    for (const r of results) {
      const id = client.recordIdOf(r.key);
      const b = id === null ? undefined : bound.get(id);
      if (b === undefined) {
        counts.refused++;
        continue;
      }
      bound.delete(b.id); // a key answered twice is written once
      const outcome = outcomeOf(r, at);
      writes.push({
        result: { recordId: b.id, attempt: b.attempt, outcome },
        jobId: b.jobId,
        ok: r.ok,
        retry: outcome.kind === "retry",
      });
    }
    await writeResults(store, pj, writes, at, counts);
  };
  for await (const r of client.results(pj.providerJobId!)) {
    batch.push(r);
    if (batch.length >= INGEST_BATCH) await flush();
  }
  if (batch.length > 0) await flush();

  // What the provider never answered (it expired, was cancelled, or dropped it): another try later.
  for (;;) {
    const left = await store.readBoundRecords(pj.id, 0, INGEST_BATCH);
    if (left.length === 0) break;
    const at = now();
    const error = {
      code: "provider_no_result",
      message: `The provider's batch job ${pj.providerJobId} ended (${providerState}) without a result for this request; it is sent again.`,
    };
    const writes = left.map((b) => ({
      result: {
        recordId: b.id,
        attempt: b.attempt,
        outcome: { kind: "retry", runAt: at, response: null, error } as Outcome,
      },
      jobId: b.jobId,
      ok: false,
      retry: true,
    }));
    await writeResults(store, pj, writes, at, counts);
  }
  return counts;
}

function outcomeOf(r: BatchApiResult, at: number): Outcome {
  if (r.ok) {
    return {
      kind: "succeeded",
      response: { statusCode: r.statusCode, requestId: null, body: r.body },
      usage: r.usage ? { inputTokens: r.usage.inputTokens, outputTokens: r.usage.outputTokens } : null,
    };
  }
  const response = r.body !== null ? { statusCode: r.statusCode ?? 0, requestId: null, body: r.body } : null;
  const error = { code: r.code, message: r.message };
  return r.retryable ? { kind: "retry", runAt: at, response, error } : { kind: "failed", response, error };
}

async function writeResults(
  store: Store,
  pj: ProviderJob,
  writes: Array<{ result: AttemptResult; jobId: string; ok: boolean; retry: boolean }>,
  at: number,
  counts: IngestCounts,
): Promise<void> {
  if (writes.length === 0) return;
  const { refused } = await store.recordResults(
    writes.map((w) => w.result),
    at,
  );
  const refusedIds = new Set(refused);
  const usage = new Map<string, ProviderJobUsage>();
  let accepted = 0;
  let requeued = 0;
  for (const w of writes) {
    if (refusedIds.has(w.result.recordId)) continue;
    accepted++;
    if (w.retry) requeued++;
    if (w.result.outcome.kind !== "succeeded") continue;
    let u = usage.get(w.jobId);
    if (!u) {
      u = { jobId: w.jobId, succeeded: 0, inputTokens: 0, outputTokens: 0 };
      usage.set(w.jobId, u);
    }
    u.succeeded++;
    u.inputTokens += w.result.outcome.usage?.inputTokens ?? 0;
    u.outputTokens += w.result.outcome.usage?.outputTokens ?? 0;
  }
  counts.accepted += accepted;
  counts.requeued += requeued;
  counts.refused += refused.length;
  await store.addProviderJobProgress(pj.id, { ingested: accepted, requeued, usage: [...usage.values()] }, at);
}
