import type { BatchApiClient, BatchApiResult } from "../backends/batch-apis/batch-api-client.js";
import type { ProviderJob } from "../domain/provider-job.js";
import type { AttemptResult, Outcome } from "../domain/record.js";
import type { ProviderResult, ProviderResultsWritten } from "../store/provider-job-store.js";
import type { Store } from "../store/store.js";
import { BridgedRecords } from "./bridged-records.js";
import type { ResultBatch } from "./result-batches.js";

/** Records read per page when sending back the ones the provider never answered. */
const LEFTOVER_PAGE = 2_000;

export interface IngestCounts {
  accepted: number;
  requeued: number;
  /** Results for records no longer bound here (pulled back, cancelled, written before a crash). */
  refused: number;
}

/**
 * Writes a provider job's results: streamed from the provider in batches (`batches`:
 * results-reader.ts, on a thread of their own for a large job) and written with
 * `writeProviderResults`, which fences each against the records still bound to the job, so
 * ingesting again after a crash writes each record exactly once. Then every record the provider
 * never answered goes back to pending (an attempt counted) for a later provider job.
 */
export async function ingestResults(
  store: Store,
  client: Pick<BatchApiClient, "kind">,
  batches: AsyncIterable<ResultBatch>,
  pj: ProviderJob,
  providerState: string,
  now: () => number,
): Promise<IngestCounts> {
  const counts: IngestCounts = { accepted: 0, requeued: 0, refused: 0 };
  const bridged = BridgedRecords.forRoute(store, pj.route, client.kind);
  // Only a provider job holding bridged records needs each result's Docket job before writing it.
  const rewrite = await holdsBridgedRecords(store, bridged, pj.id);
  for await (const batch of batches) {
    const at = now();
    const results: Array<ProviderResult & { attempt: number }> = [];
    for (let i = 0; i < batch.results.length; i++) {
      const id = batch.recordIds[i]!;
      if (id === null) counts.refused++;
      else results.push({ recordId: id, attempt: 0, outcome: outcomeOf(batch.results[i]!, at) });
    }
    if (rewrite) await rewriteBridgedAnswers(store, bridged, pj.id, results);
    add(counts, await store.writeProviderResults(pj.id, results, at));
  }

  // What the provider never answered (it expired, was cancelled, or dropped it): another try later.
  for (;;) {
    const left = await store.readBoundRecords(pj.id, 0, LEFTOVER_PAGE);
    if (left.length === 0) break;
    const at = now();
    const error = {
      code: "provider_no_result",
      message: `The provider's batch job ${pj.providerJobId} ended (${providerState}) without a result for this request; it is sent again.`,
    };
    const retries = left.map(
      (b): ProviderResult => ({
        recordId: b.id,
        outcome: { kind: "retry", runAt: at, response: null, error },
      }),
    );
    add(counts, await store.writeProviderResults(pj.id, retries, at));
  }
  return counts;
}

function add(counts: IngestCounts, w: ProviderResultsWritten): void {
  counts.accepted += w.written;
  counts.requeued += w.requeued;
  counts.refused += w.refused;
}

async function holdsBridgedRecords(
  store: Store,
  bridged: BridgedRecords,
  providerJobId: string,
): Promise<boolean> {
  for (const jobId of await store.providerJobMembers(providerJobId)) {
    if ((await bridged.bridgeOfJob(jobId)) !== null) return true;
  }
  return false;
}

/**
 * Answers of bridged records go back into their job's dialect (bridged-records.ts), rewritten
 * in place before they are written; that needs each record's Docket job, read with the bound
 * attempts (a result for a record no longer bound is left as it is: the write refuses it).
 */
async function rewriteBridgedAnswers(
  store: Store,
  bridged: BridgedRecords,
  providerJobId: string,
  results: Array<ProviderResult & { attempt: number }>,
): Promise<void> {
  const bound = new Map(
    (
      await store.boundAttempts(
        providerJobId,
        results.map((r) => r.recordId),
      )
    ).map((b) => [b.id, b]),
  );
  const writes: Array<{ result: AttemptResult; jobId: string }> = [];
  for (const r of results) {
    const b = bound.get(r.recordId);
    if (b === undefined) continue;
    bound.delete(b.id); // a key answered twice is rewritten (and written) once
    r.attempt = b.attempt;
    writes.push({ result: r, jobId: b.jobId });
  }
  await bridged.rewriteAnswers(providerJobId, writes);
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
