import type { BlobStore } from "../../blobs/blob-store.js";
import type { WebhooksConfig } from "../../config/config.js";
import { toSeconds } from "../../domain/duration.js";
import { newId } from "../../domain/ids.js";
import type { Job } from "../../domain/job.js";
import type { NewWebhookDelivery, WebhookEventType } from "../../domain/webhook.js";
import type { Store } from "../../store/store.js";
import { toInvocationView } from "../../views/invocation-view.js";
import { toOpenAiBatch } from "../../views/openai-batch.js";

/** Results up to this size travel inside the event (SageMaker's limit for inline results). */
export const INLINE_RESULT_MAX_BYTES = 128 * 1024;

const BATCH_EVENTS: Partial<Record<Job["status"], WebhookEventType>> = {
  completed: "batch.completed",
  failed: "batch.failed",
  expired: "batch.expired",
  cancelled: "batch.cancelled",
};

/** The event an ended job announces; null while it has not ended. */
export function eventTypeFor(job: Job): WebhookEventType | null {
  if (job.kind === "batch") return BATCH_EVENTS[job.status] ?? null;
  if (!["completed", "failed", "expired", "cancelled"].includes(job.status)) return null;
  return job.status === "completed" && job.counts.completed === 1
    ? "invocation.succeeded"
    : "invocation.failed";
}

export function isSuccessEvent(type: WebhookEventType): boolean {
  return type === "batch.completed" || type === "invocation.succeeded";
}

/**
 * The delivery announcing an ended job, or null when it goes nowhere (no URL on the job and no
 * default for its outcome). The payload is built once, here, and sent verbatim on every attempt:
 * the job's counts and result locations, and for an invocation its result inline when small.
 */
export async function buildDelivery(
  store: Store,
  blobs: BlobStore,
  job: Job,
  config: WebhooksConfig,
  now: number,
): Promise<NewWebhookDelivery | null> {
  const type = eventTypeFor(job);
  if (!type) return null;
  const url = job.webhookUrl ?? (isSuccessEvent(type) ? config.successUrl : config.errorUrl);
  if (!url) return null;
  const base = config.publicBaseUrl?.replace(/\/$/, "") ?? "";
  const data = job.kind === "batch" ? batchData(job, base) : await invocationData(store, blobs, job, base);
  const id = newId("evt_");
  const payload = JSON.stringify({ id, object: "event", type, created_at: toSeconds(now), data });
  return { id, jobId: job.id, event: type, url, payload, createdAt: now };
}

function batchData(job: Job, base: string): Record<string, unknown> {
  const content = (fileId: string | null) => (fileId ? `${base}/v1/files/${fileId}/content` : null);
  return {
    ...toOpenAiBatch(job),
    output_location: content(job.outputFileId),
    error_location: content(job.errorFileId),
  };
}

async function invocationData(
  store: Store,
  blobs: BlobStore,
  job: Job,
  base: string,
): Promise<Record<string, unknown>> {
  const inv = await store.getInvocation(job.id);
  if (!inv) return { id: job.id, object: "async_invocation", status: job.status };
  const view: Record<string, unknown> = { ...toInvocationView(inv, base) };
  if (view.status === "succeeded" && job.outputFileId) {
    const file = await store.getFile(job.outputFileId);
    if (file && file.bytes <= INLINE_RESULT_MAX_BYTES) {
      const chunks: Buffer[] = [];
      for await (const chunk of await blobs.get(file.blobKey)) chunks.push(chunk as Buffer);
      view.output = Buffer.concat(chunks).toString("utf8");
    }
  }
  return view;
}
