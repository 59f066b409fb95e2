import type { BatchApiKind } from "../backends/batch-apis/batch-api-client.js";
import type { Bridge } from "../bridge/plan-bridge.js";
import type { AttemptResult } from "../domain/record.js";
import type { Store } from "../store/store.js";
import { BatchBridges, outcomeInJobDialect, type ProviderRequest } from "./batch-bridge.js";
import { recordBodyText } from "./record-body.js";

/** Bound records read per page when their request bodies are needed again. */
const PAGE = 1_000;
/** Docket jobs whose endpoint is remembered at once (the records of a provider job span few). */
const MAX_JOBS = 10_000;

/**
 * A provider job's records as bridging sees them after packing: each record's dialect is its
 * Docket job's endpoint (a record speaks its job's endpoint), looked up once per job. Used when
 * the input is written (submit) and when the answers come back (ingest).
 */
export class BridgedRecords {
  private readonly endpointOfJob = new Map<string, string | null>();

  constructor(
    private readonly store: Pick<Store, "getJob" | "readBoundRecords" | "capabilities">,
    readonly bridges: BatchBridges,
  ) {}

  /** For a provider job's route, from what ingest knows of it (the answer back needs no model id). */
  static forRoute(
    store: Pick<Store, "getJob" | "readBoundRecords" | "capabilities">,
    route: string,
    kind: BatchApiKind,
    modelId?: string,
  ): BridgedRecords {
    return new BridgedRecords(
      store,
      new BatchBridges({ name: route, backend: { type: kind, ...(modelId ? { modelId } : {}) } }),
    );
  }

  /** The bridge a Docket job's records go through; null when they go as they are (or the job is gone). */
  async bridgeOfJob(jobId: string): Promise<Bridge | null> {
    const endpoint = await this.endpointOf(jobId);
    if (endpoint === null) return null;
    try {
      return this.bridges.bridgeFor(endpoint);
    } catch {
      return null; // packing refused such records: none of them is bound
    }
  }

  /**
   * A bound record's input for the provider: its body, translated when its job's dialect is
   * another. `endpoint` (the provider job's) stands in for a job that is gone.
   */
  async providerRequest(record: { jobId: string; body: string }, endpoint: string): Promise<ProviderRequest> {
    const own = await this.endpointOf(record.jobId);
    if (own === null) return { endpoint, body: record.body };
    return this.bridges.providerRequest(own, record.body);
  }

  private async endpointOf(jobId: string): Promise<string | null> {
    let endpoint = this.endpointOfJob.get(jobId);
    if (endpoint === undefined) {
      endpoint = (await this.store.getJob(jobId))?.endpoint ?? null;
      if (this.endpointOfJob.size >= MAX_JOBS) this.endpointOfJob.clear();
      this.endpointOfJob.set(jobId, endpoint);
    }
    return endpoint;
  }

  /**
   * Rewrites, in place, the successful outcomes of bridged records into their job's dialect
   * (`outcomeInJobDialect`), before they are written. Their requests are read again from the
   * records still bound to `providerJobId` (a result not yet written is still bound), in id
   * order from the lowest id among them: results arrive in input order from every provider, so
   * that reads about one page per page of results. A record no longer bound is left as it is:
   * the fence refuses its write anyway.
   */
  async rewriteAnswers(
    providerJobId: string,
    writes: ReadonlyArray<{ result: AttemptResult; jobId: string }>,
  ): Promise<void> {
    const todo = new Map<number, { result: AttemptResult; bridge: Bridge }>();
    for (const w of writes) {
      if (w.result.outcome.kind !== "succeeded") continue;
      const bridge = await this.bridgeOfJob(w.jobId);
      if (bridge !== null) todo.set(w.result.recordId, { result: w.result, bridge });
    }
    if (todo.size === 0) return;
    const ids = [...todo.keys()].sort((a, b) => a - b);
    const last = ids[ids.length - 1]!;
    let after = ids[0]! - 1;
    while (todo.size > 0 && after < last) {
      const page = await this.store.readBoundRecords(providerJobId, after, PAGE);
      if (page.length === 0) return;
      for (const r of page) {
        const t = todo.get(r.id);
        if (t === undefined) continue;
        todo.delete(r.id);
        const body = await recordBodyText(r, this.store.capabilities.largeBodies);
        t.result.outcome = outcomeInJobDialect(t.bridge, body, t.result.outcome);
      }
      after = page[page.length - 1]!.id;
    }
  }
}
