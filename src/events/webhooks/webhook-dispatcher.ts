import { Agent, request } from "undici";
import type { BlobStore } from "../../blobs/blob-store.js";
import type { WebhooksConfig } from "../../config/config.js";
import { DocketError } from "../../domain/errors.js";
import type { DeliveryAttempt, DeliveryResult, WebhookDelivery } from "../../domain/webhook.js";
import type { Store } from "../../store/store.js";
import { buildDelivery } from "./job-event.js";
import { SIGNATURE_HEADER, signatureHeader } from "./signature.js";
import { checkWebhookTarget, guardedLookup } from "./target-guard.js";
import { webhookBackoff } from "./webhook-backoff.js";

export interface WebhookDispatcherOptions {
  store: Store;
  blobs: BlobStore;
  config: WebhooksConfig;
  /** Told about every attempt's outcome (metrics). */
  onAttempt?: (event: string, outcome: DeliveryResult["kind"]) => void;
}

/** Deliveries sent at once per pass. */
const BATCH = 20;
/** Jobs turned into deliveries per store call. */
const NOTIFY_PAGE = 50;

/**
 * Webhook delivery, one pass at a time (its loop is a leader duty: src/duties/webhook-delivery.ts).
 * Each pass (1) turns ended jobs
 * into delivery rows (the store marks each job in the same transaction, so a crash between
 * "job ended" and "event queued" loses nothing: the job is simply found again), then (2) leases
 * the deliveries that are due and POSTs them, signed. A failed attempt is retried with
 * exponential backoff until `retryForMs` after the event; every attempt is logged on its row.
 */
export class WebhookDispatcher {
  private readonly agent: Agent;

  constructor(private readonly o: WebhookDispatcherOptions) {
    this.agent = new Agent({ connect: { lookup: guardedLookup(o.config.allowPrivateTargets) } });
  }

  /** Closes the connections to receivers; call after the last pass. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  /** One pass; `stopping` ends it between pages of due deliveries. */
  async tick(now = Date.now(), stopping?: AbortSignal): Promise<void> {
    await this.enqueueEnded(now);
    const leaseMs = this.o.config.timeoutMs + 30_000;
    for (;;) {
      const due = await this.o.store.claimWebhookDeliveries(Date.now(), leaseMs, BATCH);
      await Promise.all(due.map((d) => this.deliver(d)));
      if (due.length < BATCH || stopping?.aborted) return;
    }
  }

  private async enqueueEnded(now: number): Promise<void> {
    const { store, blobs, config } = this.o;
    for (;;) {
      const jobs = await store.jobsToNotify(NOTIFY_PAGE);
      for (const job of jobs)
        await store.enqueueWebhook(job.id, await buildDelivery(store, blobs, job, config, now));
      if (jobs.length < NOTIFY_PAGE) return;
    }
  }

  private async deliver(d: WebhookDelivery): Promise<void> {
    const { config } = this.o;
    const at = Date.now();
    let status: number | null = null;
    let error: string | null = null;
    let permanent = false;
    try {
      await checkWebhookTarget(d.url, config.allowPrivateTargets, "url");
      const timestamp = Math.floor(Date.now() / 1000);
      const headers: Record<string, string> = {
        "content-type": "application/json",
        "user-agent": "docket-webhooks/1",
        "docket-event": d.event,
        "docket-delivery": d.id,
        "docket-timestamp": String(timestamp),
      };
      if (config.secret) headers[SIGNATURE_HEADER] = signatureHeader(config.secret, d.payload, timestamp);
      const res = await request(d.url, {
        method: "POST",
        body: d.payload,
        headers,
        dispatcher: this.agent,
        headersTimeout: config.timeoutMs,
        bodyTimeout: config.timeoutMs,
        signal: AbortSignal.timeout(config.timeoutMs),
      });
      status = res.statusCode;
      await res.body.dump();
      if (status < 200 || status >= 300) error = `The receiver answered HTTP ${status}.`;
    } catch (err) {
      error = (err as Error).message;
      // A target refused by policy stays refused: retrying for a day would change nothing.
      permanent = err instanceof DocketError && err.code === "webhook_target_forbidden";
    }
    const now = Date.now();
    const attempt: DeliveryAttempt = { at, status, error, durationMs: now - at };
    const result: DeliveryResult =
      error === null
        ? { kind: "delivered", attempt }
        : permanent || now - d.createdAt >= config.retryForMs
          ? { kind: "failed", attempt }
          : { kind: "retry", attempt, nextAttemptAt: now + webhookBackoff(d.attempts + 1, config) };
    try {
      await this.o.store.recordWebhookAttempt(d.id, result);
    } catch (err) {
      // The lease runs out and the delivery is attempted again: at-least-once, never lost.
      console.error(`docket: recording webhook attempt ${d.id} failed: ${(err as Error).message}`);
    }
    this.o.onAttempt?.(d.event, result.kind);
  }
}
