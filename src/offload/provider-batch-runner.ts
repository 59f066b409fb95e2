import type { BatchApiClient } from "../backends/batch-apis/batch-api-client.js";
import { tokensForChars } from "../domain/chars-per-token-estimator.js";
import { newId } from "../domain/ids.js";
import {
  canMoveProviderJob,
  OPEN_PROVIDER_JOB_STATES,
  type ProviderJob,
  type ProviderJobState,
  providerJobOwner,
} from "../domain/provider-job.js";
import type { ClaimedRecord } from "../domain/record.js";
import type { Store } from "../store/store.js";
import { ingestResults } from "./ingest-results.js";
import { JobPacker } from "./job-packer.js";
import { freeSlots, tokenRoom } from "./job-slots.js";
import { classifyProviderError, providerBackoffMs } from "./provider-error.js";
import { recordBodyText } from "./record-body.js";

export interface ProviderBatchRunnerOptions {
  store: Store;
  /** The batch route's name (its records are the ones this runner sends). */
  route: string;
  client: BatchApiClient;
  /** How often a running provider job's status is asked for. */
  pollMs: number;
  /** The model for providers that name it per job (Bedrock), when the route fixes it; else the job's. */
  modelId?: string;
  now?: () => number;
  /** Records were written or given back: wake whoever waits (finalizing, the worker). */
  onChange?: () => void;
  /** A provider job ended: how long the provider took (hybrid routing learns its turnaround). */
  onTurnaround?: (ms: number) => void;
  log?: (line: string) => void;
}

/** Records claimed per claim while packing (a provider job may hold 100,000). */
const CLAIM_CHUNK = 1_000;
/** A packing claim's lease: long enough to bind; a crash before binding frees the records after it. */
const PACK_LEASE_MS = 10 * 60_000;
/** Retries of a provider call that failed in a retryable way back off up to this. */
const MAX_BACKOFF_MS = 15 * 60_000;
/** A provider job refused this many times in a row (retryable errors) is failed and its records resent later. */
const MAX_SUBMIT_TRIES = 50;

/**
 * Runs one batch route's provider jobs (docs/provider-batch.md): packs runnable records into
 * provider jobs within every quota and only while a slot is free, submits them (the intent is
 * recorded first, and `submit` is idempotent by the provider job's id), polls them, ingests
 * their results and sends again what did not succeed. Every step starts from the stored row, so
 * a pass after a crash carries on wherever the last one stopped.
 */
export class ProviderBatchRunner {
  private readonly now: () => number;
  /** When each provider job may next be polled or submitted (not stored: after a restart, at once). */
  private readonly nextTry = new Map<string, number>();
  private readonly tries = new Map<string, number>();
  private readonly cancelAsked = new Set<string>();
  /** Until when a "no free slot" answer holds (the provider's count is not asked every pass). */
  private slotsCheckedUntil = 0;
  /** Provider jobs packed by this process and not yet submitted once. */
  private readonly freshlyPacked = new Set<string>();
  private readonly modelOfJob = new Map<string, string>();

  constructor(private readonly o: ProviderBatchRunnerOptions) {
    this.now = o.now ?? Date.now;
  }

  get route(): string {
    return this.o.route;
  }

  /** One pass: advance every open provider job, then start new ones while slots are free. */
  async pass(stopping: AbortSignal): Promise<void> {
    for (const pj of await this.open()) {
      if (stopping.aborted) return;
      await this.advance(pj);
    }
    await this.startNew(stopping);
  }

  private open(): Promise<ProviderJob[]> {
    return this.o.store.listProviderJobs({
      states: OPEN_PROVIDER_JOB_STATES,
      route: this.o.route,
      limit: 1_000,
    });
  }

  /** Takes one provider job one step (or several) further from its stored state. */
  async advance(pj: ProviderJob): Promise<void> {
    const due = this.nextTry.get(pj.id);
    if (due !== undefined && due > this.now()) return;
    switch (pj.state) {
      case "packing":
        // Found at the start of a pass: the process that packed it died (or lost the lead) before
        // it was complete. Ended first, so no more records can be bound to it, then emptied.
        await this.move(pj, "cancelled", { error: "Packing was interrupted; its records were given back." });
        await this.giveBackAll(pj);
        return;
      case "uploading":
      case "submitting":
        return this.submit(pj);
      case "running":
        return this.poll(pj);
      case "ingesting":
        return this.ingest(pj);
    }
  }

  private async startNew(stopping: AbortSignal): Promise<void> {
    const q = this.o.client.quotas;
    // With every slot taken, the provider is asked again only after a poll interval.
    if (this.now() < this.slotsCheckedUntil) return;
    for (;;) {
      if (stopping.aborted) return;
      const runnable = await this.o.store.countRunnable(this.o.route, this.now(), q.minRecordsPerJob);
      // Fewer than the provider's minimum: they wait for more (docs/provider-batch.md, "Packing").
      if (runnable === 0 || runnable < q.minRecordsPerJob) return;
      const open = await this.open();
      const free = freeSlots(q.maxJobsInFlight, await this.inFlight(open), open);
      if (free <= 0) {
        this.slotsCheckedUntil = this.now() + this.o.pollMs;
        return;
      }
      const pj = await this.pack(tokenRoom(q.maxEnqueuedTokens, open));
      if (pj === null) return;
      await this.submit(pj);
    }
  }

  private async inFlight(open: readonly ProviderJob[]): Promise<number> {
    const model = open.find((j) => j.state === "running")?.model ?? this.o.modelId ?? "";
    try {
      return await this.o.client.inFlight(model);
    } catch (err) {
      this.o.log?.(
        `provider batch ${this.o.route}: could not count jobs in flight: ${classifyProviderError(err).message}`,
      );
      return Number.MAX_SAFE_INTEGER; // unknown: start nothing this pass
    }
  }

  /**
   * Claims runnable records by the provider job's owner, a chunk at a time, and binds those that
   * fit; the first that does not fit (and every record after it) is given back uncounted.
   */
  private async pack(room: number | null): Promise<ProviderJob | null> {
    const { store, client } = this.o;
    const q = client.quotas;
    const id = newId("pj_");
    const owner = providerJobOwner(id);
    const packer = new JobPacker(q, room);
    let key: { endpoint: string; model: string } | null = null;
    let created = false;
    for (;;) {
      const want = Math.min(CLAIM_CHUNK, q.maxRecordsPerJob - packer.records);
      if (want <= 0) break;
      const claimed = await store.claimRecords({
        owner,
        routes: [{ route: this.o.route, limit: want }],
        leaseMs: PACK_LEASE_MS,
        now: this.now(),
      });
      if (claimed.length === 0) break;
      const take: ClaimedRecord[] = [];
      const giveBack: ClaimedRecord[] = [];
      const tooBig: ClaimedRecord[] = [];
      const refused: ClaimedRecord[] = [];
      let bytes = 0;
      let tokens = 0;
      let stop = false;
      for (const r of claimed) {
        if (stop) {
          giveBack.push(r);
          continue;
        }
        const model = await this.modelOf(r.jobId);
        if (!client.accepts(r.endpoint)) {
          refused.push(r);
          continue;
        }
        if (key === null) key = { endpoint: r.endpoint, model };
        if (r.endpoint !== key.endpoint || model !== key.model) {
          // One provider job speaks one endpoint for one model: another job's records go in another.
          giveBack.push(r);
          continue;
        }
        const body = await recordBodyText(r, store.capabilities.largeBodies);
        const line = client.encode({ recordId: r.id, endpoint: r.endpoint, body, model });
        const lineBytes = Buffer.byteLength(line, "utf8");
        const t = tokensForChars(body.length);
        const verdict = packer.offer(lineBytes, t);
        if (verdict === "taken") {
          take.push(r);
          bytes += lineBytes + 1;
          tokens += t;
        } else if (verdict === "too_big") tooBig.push(r);
        else {
          stop = true;
          giveBack.push(r);
        }
      }
      if (!created && key !== null) {
        await store.createProviderJob({
          id,
          route: this.o.route,
          model: key.model,
          endpoint: key.endpoint,
          now: this.now(),
        });
        created = true;
      }
      if (take.length > 0) {
        await store.bindProviderJobRecords(
          id,
          take.map((r) => ({ id: r.id, attempt: r.attempt, jobId: r.jobId })),
          { bytes, estimatedTokens: tokens },
        );
      }
      await this.failClaimed(
        tooBig,
        "request_too_large",
        (r) =>
          `The request is larger than the provider batch job's input limit (${q.maxBytesPerJob} bytes); record ${r.id} cannot be sent in a provider job.`,
      );
      await this.failClaimed(
        refused,
        "unsupported_endpoint",
        (r) => `The endpoint ${r.endpoint} is not accepted by route '${this.o.route}' (${client.kind}).`,
      );
      if (giveBack.length > 0) {
        await store.releaseRecords(
          owner,
          giveBack.map((r) => ({ id: r.id, attempt: r.attempt })),
          this.now(),
        );
      }
      // Full, nothing more to claim, or nothing of this claim fit (only other endpoints/models left).
      if (stop || packer.full || claimed.length < want || take.length === 0) break;
    }
    if (!created) return null;
    const pj = (await store.getProviderJob(id))!;
    if (pj.records < q.minRecordsPerJob || pj.records === 0) {
      await this.move(pj, "cancelled", {
        error: `Fewer records than the provider's minimum (${q.minRecordsPerJob}).`,
      });
      await this.giveBackAll(pj);
      return null;
    }
    // The intent, recorded before the first call that makes something at the provider.
    const uploading = await this.move(pj, "uploading");
    if (uploading !== null) this.freshlyPacked.add(pj.id);
    // Ended meanwhile by a new leader that took it for abandoned: what is bound goes back.
    if (uploading === null) await this.giveBackAll(pj);
    return uploading;
  }

  private async failClaimed(
    records: ClaimedRecord[],
    code: string,
    message: (r: ClaimedRecord) => string,
  ): Promise<void> {
    if (records.length === 0) return;
    await this.o.store.recordResults(
      records.map((r) => ({
        recordId: r.id,
        attempt: r.attempt,
        outcome: { kind: "failed", response: null, error: { code, message: message(r) } },
      })),
      this.now(),
    );
  }

  private async modelOf(jobId: string): Promise<string> {
    if (this.o.modelId) return this.o.modelId;
    let m = this.modelOfJob.get(jobId);
    if (m === undefined) {
      m = (await this.o.store.getJob(jobId))?.model ?? "";
      if (this.modelOfJob.size > 10_000) this.modelOfJob.clear();
      this.modelOfJob.set(jobId, m);
    }
    return m;
  }

  /** Uploads and creates (idempotent by the provider job's id), then records the provider's id. */
  private async submit(pj: ProviderJob): Promise<void> {
    const kept = await this.dropCancelled(pj);
    if (kept === 0) {
      await this.move(pj, "cancelled", { error: "Every record's batch was cancelled before submission." });
      return;
    }
    // The packed sizes hold while every bound record is still there; else they are counted again.
    const input =
      kept === pj.records
        ? {
            lines: () => this.lines(pj),
            count: pj.records,
            bytes: pj.bytes,
            model: pj.model,
            endpoint: pj.endpoint,
          }
        : await this.inputOf(pj);
    // Only the first submit right after packing here cannot repeat an earlier one; a retry or a
    // row found after a restart tells the client to look for what an earlier try made.
    const resumeSinceMs = this.freshlyPacked.delete(pj.id) ? undefined : pj.createdAt;
    try {
      const { providerJobId } = await this.o.client.submit(pj.id, { ...input, resumeSinceMs });
      this.tries.delete(pj.id);
      const moved = await this.move(pj, "running", { providerJobId });
      this.o.log?.(
        `provider batch ${this.o.route}: ${pj.id} submitted as ${providerJobId} (${input.count} records)`,
      );
      if (moved) this.nextTry.set(pj.id, this.now() + this.o.pollMs);
    } catch (err) {
      const f = classifyProviderError(err);
      // "Cannot tell yet whether an earlier try made it" is no refusal: it waits, uncounted.
      const undetermined = (err as { code?: unknown }).code === "provider_job_undetermined";
      const n = (this.tries.get(pj.id) ?? 0) + (undetermined ? 0 : 1);
      this.tries.set(pj.id, n);
      if (f.retryable && n < MAX_SUBMIT_TRIES) {
        this.nextTry.set(
          pj.id,
          this.now() +
            providerBackoffMs(Math.max(1, n), Math.min(this.o.pollMs, 5_000), MAX_BACKOFF_MS, f.retryAfterMs),
        );
        this.o.log?.(`provider batch ${this.o.route}: ${pj.id} submit will be retried: ${f.message}`);
        return;
      }
      if (f.retryable && !(await this.nothingMadeEarlier(pj))) return;
      this.tries.delete(pj.id);
      await this.requeueAll(pj, "provider_refused", `The provider refused the batch job: ${f.message}`);
      await this.move(pj, "failed", { error: f.message });
    }
  }

  /**
   * Before giving up on a provider job whose submits kept failing: did one of them make it after
   * all (a timed-out create)? Then it runs; its records are never sent in another. False when
   * that cannot be told now (asked again after a backoff); true when nothing was made.
   */
  private async nothingMadeEarlier(pj: ProviderJob): Promise<boolean> {
    try {
      const found = await this.o.client.findByToken(pj.id, pj.createdAt, { count: pj.records });
      if (found === null) return true;
      this.tries.delete(pj.id);
      await this.move(pj, "running", { providerJobId: found });
      this.nextTry.set(pj.id, this.now() + this.o.pollMs);
      return false;
    } catch (err) {
      const f = classifyProviderError(err);
      this.nextTry.set(pj.id, this.now() + Math.max(MAX_BACKOFF_MS, f.retryAfterMs ?? 0));
      return false;
    }
  }

  /** The input as the client streams it: the records still bound, encoded, in id order. */
  private async inputOf(pj: ProviderJob) {
    let count = 0;
    let bytes = 0;
    for await (const line of this.lines(pj)) {
      count++;
      bytes += Buffer.byteLength(line, "utf8") + 1;
    }
    return { lines: () => this.lines(pj), count, bytes, model: pj.model, endpoint: pj.endpoint };
  }

  private async *lines(pj: ProviderJob): AsyncIterable<string> {
    const { store, client } = this.o;
    let after = 0;
    for (;;) {
      const page = await store.readBoundRecords(pj.id, after, CLAIM_CHUNK);
      if (page.length === 0) return;
      for (const r of page) {
        const body = await recordBodyText(r, store.capabilities.largeBodies);
        yield client.encode({ recordId: r.id, endpoint: pj.endpoint, body, model: pj.model });
      }
      after = page[page.length - 1]!.id;
    }
  }

  private async poll(pj: ProviderJob): Promise<void> {
    const { client } = this.o;
    let status: Awaited<ReturnType<BatchApiClient["status"]>>;
    try {
      status = await client.status(pj.providerJobId!);
    } catch (err) {
      const f = classifyProviderError(err);
      this.nextTry.set(pj.id, this.now() + Math.max(this.o.pollMs, f.retryAfterMs ?? 0));
      this.o.log?.(`provider batch ${this.o.route}: status of ${pj.id} unknown: ${f.message}`);
      return;
    }
    const ended = ["ended", "failed", "expired", "cancelled"].includes(status.state);
    if (!ended) {
      // Records of stopped Docket jobs end cancelled at once; with none left, the provider job is cancelled.
      if (
        (await this.dropCancelled(pj)) === 0 &&
        !this.cancelAsked.has(pj.id) &&
        status.state !== "cancelling"
      ) {
        this.cancelAsked.add(pj.id);
        await client
          .cancel(pj.providerJobId!)
          .catch((err) =>
            this.o.log?.(
              `provider batch ${this.o.route}: cancel of ${pj.id} failed: ${classifyProviderError(err).message}`,
            ),
          );
      }
      this.nextTry.set(pj.id, this.now() + this.o.pollMs);
      return;
    }
    if (pj.submittedAt !== null && status.state === "ended")
      this.o.onTurnaround?.(this.now() - pj.submittedAt);
    this.slotsCheckedUntil = 0; // a slot was freed: look for work at once
    this.o.log?.(
      `provider batch ${this.o.route}: ${pj.id} ended at the provider (${status.state}); ingesting`,
    );
    const moved = await this.move(pj, "ingesting", status.error ? { error: status.error } : undefined);
    if (moved) await this.ingest(moved, status.state);
  }

  private async ingest(pj: ProviderJob, known?: string): Promise<void> {
    let state = known;
    try {
      state ??= (await this.o.client.status(pj.providerJobId!)).state;
      const counts = await ingestResults(this.o.store, this.o.client, pj, state, this.now);
      this.o.log?.(
        `provider batch ${this.o.route}: ${pj.id} ingested ${counts.accepted} results (${counts.requeued} to send again)`,
      );
    } catch (err) {
      const f = classifyProviderError(err);
      this.nextTry.set(pj.id, this.now() + Math.min(this.o.pollMs, 5_000));
      this.o.log?.(`provider batch ${this.o.route}: ingest of ${pj.id} will be retried: ${f.message}`);
      return;
    } finally {
      this.o.onChange?.();
    }
    const end: ProviderJobState =
      state === "expired"
        ? "expired"
        : state === "cancelled"
          ? "cancelled"
          : state === "failed"
            ? "failed"
            : "done";
    await this.move(pj, end);
    this.cancelAsked.delete(pj.id);
    this.nextTry.delete(pj.id);
  }

  /**
   * Gives back (uncounted) every bound record whose Docket job is being cancelled: they end
   * cancelled. Returns how many records stay bound.
   */
  private async dropCancelled(pj: ProviderJob): Promise<number> {
    const { store } = this.o;
    const statusOf = new Map<string, string>();
    for (const jobId of await store.providerJobMembers(pj.id)) {
      statusOf.set(jobId, (await store.getJob(jobId))?.status ?? "cancelling");
    }
    // Nothing to drop: count what is still bound without reading the bodies' job statuses again.
    if (![...statusOf.values()].includes("cancelling")) return store.countBound(pj.id);
    let after = 0;
    let kept = 0;
    for (;;) {
      const page = await store.readBoundRecords(pj.id, after, CLAIM_CHUNK);
      if (page.length === 0) return kept;
      const stopped = [];
      for (const r of page) {
        let s = statusOf.get(r.jobId);
        if (s === undefined) {
          s = (await store.getJob(r.jobId))?.status ?? "cancelling";
          statusOf.set(r.jobId, s);
        }
        if (s === "cancelling") stopped.push({ id: r.id, attempt: r.attempt });
        else kept++;
      }
      if (stopped.length > 0) {
        await store.releaseRecords(providerJobOwner(pj.id), stopped, this.now());
        this.o.onChange?.();
      }
      after = page[page.length - 1]!.id;
    }
  }

  /** Gives every bound record back to pending, uncounted (nothing reached the provider). */
  private async giveBackAll(pj: ProviderJob): Promise<void> {
    for (;;) {
      const page = await this.o.store.readBoundRecords(pj.id, 0, CLAIM_CHUNK);
      if (page.length === 0) return;
      await this.o.store.releaseRecords(providerJobOwner(pj.id), page, this.now());
    }
  }

  /** Sends every bound record back for a later provider job, counting the attempt. */
  private async requeueAll(pj: ProviderJob, code: string, message: string): Promise<void> {
    for (;;) {
      const page = await this.o.store.readBoundRecords(pj.id, 0, CLAIM_CHUNK);
      if (page.length === 0) break;
      const at = this.now();
      await this.o.store.recordResults(
        page.map((r) => ({
          recordId: r.id,
          attempt: r.attempt,
          outcome: { kind: "retry", runAt: at, response: null, error: { code, message } },
        })),
        at,
      );
    }
    this.o.onChange?.();
  }

  private async move(
    pj: ProviderJob,
    to: ProviderJobState,
    learnt?: { providerJobId?: string; error?: string },
  ): Promise<ProviderJob | null> {
    if (!canMoveProviderJob(pj.state, to))
      throw new Error(`provider job ${pj.id}: ${pj.state} → ${to} is not a transition`);
    const ok = await this.o.store.moveProviderJob(pj.id, pj.state, to, this.now(), learnt);
    if (!ok) return null;
    return (await this.o.store.getProviderJob(pj.id)) ?? null;
  }
}
