import type { BlobStore } from "../blobs/blob-store.js";
import type { JobDedupOptions } from "../domain/dedup.js";
import { DocketError } from "../domain/errors.js";
import { newId } from "../domain/ids.js";
import { bedrockInvokeEndpoint, isTerminalJobStatus, type Job } from "../domain/job.js";
import type { FinishedRecord } from "../domain/record.js";
import type { JobBudget } from "../store/budget-store.js";
import type { Store } from "../store/store.js";
import { applyOverrides, type BodyOverrides } from "./body-overrides.js";
import { childBudget, childDedup } from "./child-options.js";
import { type Lineage, lineageOf, MAX_LINEAGE_BATCHES, requireEnded } from "./lineage.js";
import { addBodyLine, ByteChunks, recordBody } from "./record-bytes.js";
import { retryLineAround } from "./retry-lines.js";
import { type MatchReason, matchRecord, type RetrySelection } from "./retry-selection.js";
import { retrySource } from "./retry-source.js";

/**
 * A body stored in parts (large bodies on SQLite) is joined to take overrides, up to this size;
 * without overrides it is streamed part by part, whatever its size.
 */
const MAX_OVERRIDE_BODY_BYTES = 64 * 1024 * 1024;
/** Output bytes gathered before they are handed to the blob store in one write. */
const FLUSH_BYTES = 1024 * 1024;
/** Unknown ids named in an error message. */
const SHOWN_UNKNOWN_IDS = 5;

/** What a retry asks for (the HTTP handler reads it from the request: docs/lineage.md). */
export interface RetryPlan {
  selection: RetrySelection;
  /** Top-level body fields set on every record of the child (for a Bedrock batch, not `model`). */
  overrides: BodyOverrides;
  /** A Bedrock batch names its model on the job: the child's, when it changes (already checked). */
  bedrockModel: string | null;
  /** The route every record of the child gets (already checked to exist); null: by model. */
  route: string | null;
  scope: "batch" | "lineage";
  completionWindow: string;
  windowMs: number;
  /** The retry's own budget (`docket_budget_usd`, `docket_price`); null: the parent's. */
  budget: JobBudget | null;
  /** The retry's own dedup and cache choice, each null where not given: the parent's. */
  dedup: JobDedupOptions | undefined;
}

/** The child's input file, written but not yet recorded, for checks before anything is. */
export interface RetryInput {
  id: string;
  blobKey: string;
  bytes: number;
}

export interface RetryResult {
  job: Job;
  records: number;
  /** How many records each part of the selection took (a record counts once, for its first match). */
  reasons: Partial<Record<MatchReason, number>>;
}

/**
 * Creates a child batch of `parent` holding the selected records, each with its original custom
 * id and body bytes (top-level overrides edited into the text, nothing else touched), as a new
 * input file in the parent's format, in the parent's input order. From there the child is an
 * ordinary batch (validation, routes, provider batches, outputs) that names its parent.
 *
 * The parent must have ended. The child belongs to the parent's project and keeps its endpoint,
 * metadata, webhook, output expiry, budget and dedup/cache choice (the last two unless the plan
 * overrides them: child-options.ts). `checkInput` runs once the file is written, before anything
 * is recorded (a refused retry leaves nothing behind), with the child's budget when its price is
 * still to be found from the file's first request.
 */
export async function createRetry(
  at: { store: Store; blobs: BlobStore },
  parent: Job,
  plan: RetryPlan,
  o: { now: number; checkInput?: (input: RetryInput, unpriced: JobBudget | null) => Promise<void> },
): Promise<RetryResult> {
  const { store, blobs } = at;
  if (!isTerminalJobStatus(parent.status)) {
    throw new DocketError(
      "batch_not_finished",
      `Batch ${parent.id} is ${parent.status}; only an ended batch (completed, expired, cancelled) can be ` +
        `retried. Wait for it (docket status ${parent.id} --wait), or cancel it first.`,
      409,
    );
  }
  if (parent.status === "failed" && parent.counts.total === 0) {
    throw new DocketError(
      "nothing_to_retry",
      `Batch ${parent.id} failed validation, so it holds no requests to retry: fix its input file and create a new batch.`,
      400,
    );
  }
  const lineage = await lineageForRetry(store, parent);
  if (lineage.batches.length >= MAX_LINEAGE_BATCHES) {
    throw new DocketError(
      "lineage_too_large",
      `The lineage of batch ${parent.id} already holds ${lineage.batches.length} batches, the most one lineage may hold.`,
      400,
    );
  }
  if (plan.scope === "lineage") requireEnded(lineage, "records can be chosen across it");
  const budget = childBudget(await store.getJobBudget(parent.id), plan.budget, modelChanges(parent, plan));

  const id = newId(parent.format === "anthropic" ? "msgbatch_" : "batch_");
  const fileId = newId("file-");
  const blobKey = `files/${fileId}`;
  const tally = new RetryTally(plan.selection);
  const source = retrySource(store, plan.scope, parent, lineage.batches);
  let bytes: number;
  try {
    ({ bytes } = await blobs.put(blobKey, retryLines(store, parent, plan, source, tally)));
  } catch (err) {
    await blobs.delete(blobKey).catch(() => {});
    throw err;
  }
  try {
    tally.check(parent);
    await o.checkInput?.({ id: fileId, blobKey, bytes }, budget && !budget.price ? budget : null);
  } catch (err) {
    await blobs.delete(blobKey);
    throw err;
  }
  const inputFile = await store.getFile(parent.inputFileId);
  await store.insertFile({
    id: fileId,
    // A Bedrock batch's output is named after its input (`<input>.out`), so the child keeps the name.
    filename:
      parent.format === "bedrock" && inputFile ? inputFile.filename : `${id}_retry_of_${parent.id}.jsonl`,
    purpose: "batch",
    bytes,
    blobKey,
    createdAt: o.now,
    expiresAt: null,
    projectId: parent.projectId,
  });
  const model = parent.format === "bedrock" ? (plan.bedrockModel ?? parent.model) : null;
  const job = await store.insertJob({
    id,
    projectId: parent.projectId,
    format: parent.format,
    endpoint: parent.format === "bedrock" && model ? bedrockInvokeEndpoint(model) : parent.endpoint,
    ...(parent.format === "bedrock" ? { model } : {}),
    inputFileId: fileId,
    completionWindow: plan.completionWindow,
    metadata: parent.metadata,
    createdAt: o.now,
    expiresAt: o.now + plan.windowMs,
    webhookUrl: parent.webhookUrl ?? null,
    outputExpiresAfterSeconds: parent.outputExpiresAfterSeconds,
    parentJobId: parent.id,
    pinnedRoute: plan.route,
    ...dedupOf(childDedup(parent.dedup, plan.dedup)),
  });
  // Right after the insert, as at creation (budgets are checked on usage).
  if (budget) await store.setJobBudget(job.id, budget.budgetUsd, budget.price);
  return { job, records: tally.records, reasons: tally.reasons };
}

/** Whether the child's requests name another model than the parent's (so another price). */
function modelChanges(parent: Job, plan: RetryPlan): boolean {
  if (plan.bedrockModel !== null && plan.bedrockModel !== parent.model) return true;
  return plan.overrides.some(([name]) => name === "model");
}

const dedupOf = (dedup: JobDedupOptions | undefined) => (dedup ? { dedup } : {});

/**
 * The parent's lineage, for its size and (scope `lineage`) its records. A root pruned by
 * retention does not stop a retry of the parent's own records: the lineage is then counted from
 * the parent down.
 */
async function lineageForRetry(store: Store, parent: Job): Promise<Lineage> {
  try {
    return await lineageOf(store, parent);
  } catch (err) {
    if (!(err instanceof DocketError) || err.code !== "lineage_root_gone") throw err;
    const batches = await store.listLineage(parent.id, MAX_LINEAGE_BATCHES + 1);
    return { root: parent, batches };
  }
}

/** The child's input file: one line per selected record, streamed in chunks. */
async function* retryLines(
  store: Store,
  parent: Job,
  plan: RetryPlan,
  source: AsyncIterable<FinishedRecord>,
  tally: RetryTally,
): AsyncGenerator<Buffer> {
  const out = new ByteChunks(FLUSH_BYTES);
  for await (const r of source) {
    if (!tally.take(r)) continue;
    const edited =
      plan.overrides.length > 0 ? applyOverrides(await wholeBody(store, r), plan.overrides) : null;
    yield* addBodyLine(out, store, r, retryLineAround(parent.format, parent.endpoint, r), edited);
    if (out.full) yield out.take();
  }
  if (!out.empty) yield out.take();
}

/** The body as one string, to take overrides; a body stored in parts is joined up to a bound. */
async function wholeBody(store: Store, r: FinishedRecord): Promise<string> {
  if (r.input && "text" in r.input) return r.input.text;
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of recordBody(store, r)) {
    const b = Buffer.from(chunk);
    bytes += b.length;
    if (bytes > MAX_OVERRIDE_BODY_BYTES) {
      throw new DocketError(
        "body_too_large_for_overrides",
        `The body of ${JSON.stringify(r.customId)} is over ${MAX_OVERRIDE_BODY_BYTES} bytes; overrides apply to ` +
          "bodies up to that size. Retry it without overrides, or on its own with a new input file.",
        400,
        "overrides",
      );
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Counts what the selection took, and which named ids it never met. */
class RetryTally {
  records = 0;
  readonly reasons: Partial<Record<MatchReason, number>> = {};
  private readonly unseen: Set<string> | null;

  constructor(private readonly selection: RetrySelection) {
    this.unseen = selection.ids ? new Set(selection.ids) : null;
  }

  /** Whether the record goes into the child. */
  take(r: FinishedRecord): boolean {
    this.unseen?.delete(r.customId);
    const reason = matchRecord(this.selection, r);
    if (reason === null) return false;
    this.records++;
    this.reasons[reason] = (this.reasons[reason] ?? 0) + 1;
    return true;
  }

  /** Refuses a retry of nothing, and ids the batch does not hold. */
  check(parent: Job): void {
    if (this.unseen && this.unseen.size > 0) {
      const shown = [...this.unseen].slice(0, SHOWN_UNKNOWN_IDS).map((id) => JSON.stringify(id));
      const more = this.unseen.size > shown.length ? ` and ${this.unseen.size - shown.length} more` : "";
      throw new DocketError(
        "unknown_custom_ids",
        `Batch ${parent.id} holds no request with the custom id ${shown.join(", ")}${more}.`,
        400,
        "ids",
      );
    }
    if (this.records === 0) {
      throw new DocketError(
        "nothing_to_retry",
        `No request of batch ${parent.id} matches the selection (${describeSelection(this.selection)}); nothing was created.`,
        400,
      );
    }
  }
}

function describeSelection(s: RetrySelection): string {
  const parts: string[] = [];
  if (s.only.size > 0) parts.push(`only ${[...s.only].join(", ")}`);
  if (s.errorCodes.size > 0) parts.push(`error codes ${[...s.errorCodes].join(", ")}`);
  if (s.ids && s.ids.size > 0) parts.push(`${s.ids.size} ids`);
  return parts.join("; ");
}
