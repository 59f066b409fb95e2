import type { BudgetStop, JobPrice } from "../../budget/budget-stop.js";
import type { StoredFile } from "../../domain/file.js";
import type { Invocation, NewInvocation } from "../../domain/invocation.js";
import type { Job, JobKind, ValidationError } from "../../domain/job.js";
import type { AttemptResult, ClaimedRecord, FinishedRecord, NewRecord } from "../../domain/record.js";
import type { DeliveryResult, NewWebhookDelivery, WebhookDelivery } from "../../domain/webhook.js";
import { type OutcomeWrite, outcomeWrite } from "../outcome-write.js";
import {
  END_STATUS_COLUMN,
  type FileRow,
  type FinishedRow,
  fileFromRow,
  finishedFromRow,
  type JobRow,
  jobFromRow,
} from "../rows.js";
import type {
  BacklogStat,
  BudgetedJob,
  ClaimRequest,
  EndStatus,
  FinalFiles,
  HeldLease,
  NewJob,
  Store,
} from "../store.js";
import { sqliteBacklogStats } from "./sqlite-backlog.js";
import { BODY_PART_BYTES, BODY_PART_CHARS, SqliteBodyParts } from "./sqlite-body-parts.js";
import { SqliteBudgets } from "./sqlite-budgets.js";
import { SqliteCoordination } from "./sqlite-coordination.js";
import type { SqliteDatabase } from "./sqlite-driver.js";
import { SqliteInvocations } from "./sqlite-invocations.js";
import { openDocketDatabase } from "./sqlite-open.js";
import { SqliteWebhooks } from "./sqlite-webhooks.js";

export interface SqliteStoreOptions {
  /** Database file; `:memory:` for throwaway stores. */
  path: string;
  /** FULL (default) survives power loss; NORMAL only process crashes, and is faster. */
  synchronous?: "FULL" | "NORMAL";
}

export function openSqliteStore(options: SqliteStoreOptions): Store {
  return new SqliteStore(options);
}

type ClaimRow = {
  id: number;
  job_id: string;
  custom_id: string;
  route: string;
  body: string;
  attempt: number;
  max_attempts: number;
};

/**
 * The embedded engine. Both SQLite drivers (sqlite-driver.ts) are synchronous, so every
 * operation is one short transaction on the event loop; claims and acknowledgements are batched by the worker so a
 * transaction (and its fsync) covers many records.
 */
class SqliteStore implements Store {
  readonly dialect = "sqlite" as const;
  private readonly db: SqliteDatabase;
  private readonly endpoints = new Map<string, string>();
  private readonly s: ReturnType<typeof prepareStatements>;
  private readonly coordination: SqliteCoordination;
  private readonly budgets: SqliteBudgets;
  private readonly invocations: SqliteInvocations;
  private readonly webhooks: SqliteWebhooks;
  private readonly bodyParts: SqliteBodyParts;

  constructor(options: SqliteStoreOptions) {
    // Refuses an empty or foreign file; WAL, synchronous, busy timeout, migrations (sqlite-open.ts).
    this.db = openDocketDatabase(options.path, options.synchronous ?? "FULL");
    this.s = prepareStatements(this.db);
    this.coordination = new SqliteCoordination(this.db);
    this.budgets = new SqliteBudgets(this.db);
    this.invocations = new SqliteInvocations(this.db);
    this.webhooks = new SqliteWebhooks(this.db);
    this.bodyParts = new SqliteBodyParts(this.db);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  // ---- coordination (sqlite-coordination.ts) -------------------------------------------

  async tryLead(name: string, owner: string, leaseMs: number, now: number): Promise<boolean> {
    return this.coordination.tryLead(name, owner, leaseMs, now);
  }

  async resignLead(name: string, owner: string): Promise<void> {
    this.coordination.resignLead(name, owner);
  }

  async heartbeatWorker(owner: string, routes: string[], now: number): Promise<void> {
    this.coordination.heartbeatWorker(owner, routes, now);
  }

  async liveWorkers(now: number, staleMs: number): Promise<number> {
    return this.coordination.liveWorkers(now, staleMs);
  }

  async forgetWorker(owner: string): Promise<void> {
    this.coordination.forgetWorker(owner);
  }

  // ---- budgets (sqlite-budgets.ts) -----------------------------------------------------

  async setJobBudget(jobId: string, budgetUsd: number, price: JobPrice | null): Promise<void> {
    this.budgets.setJobBudget(jobId, budgetUsd, price);
  }

  async listBudgetedJobs(): Promise<BudgetedJob[]> {
    return this.budgets.listBudgetedJobs();
  }

  async setJobPrice(jobId: string, price: JobPrice): Promise<void> {
    this.budgets.setJobPrice(jobId, price);
  }

  async stopForBudget(
    jobId: string,
    stop: BudgetStop,
    now: number,
    unsent?: { owner: string; held: HeldLease[] },
  ): Promise<Job | undefined> {
    return this.budgets.stopForBudget(jobId, stop, now, unsent);
  }

  // ---- invocations, webhooks, backlog (sqlite-invocations.ts, sqlite-webhooks.ts) -------

  async insertInvocation(n: NewInvocation): Promise<{ invocation: Invocation; created: boolean }> {
    return this.invocations.insert(n);
  }

  async getInvocation(idOrInferenceId: string): Promise<Invocation | undefined> {
    return this.invocations.get(idOrInferenceId);
  }

  async expireInvocations(now: number): Promise<string[]> {
    return this.invocations.expire(now);
  }

  async jobsToNotify(limit: number): Promise<Job[]> {
    return this.webhooks.jobsToNotify(limit);
  }

  async enqueueWebhook(jobId: string, delivery: NewWebhookDelivery | null): Promise<void> {
    this.webhooks.enqueue(jobId, delivery);
  }

  async claimWebhookDeliveries(now: number, leaseMs: number, limit: number): Promise<WebhookDelivery[]> {
    return this.webhooks.claim(now, leaseMs, limit);
  }

  async recordWebhookAttempt(deliveryId: string, result: DeliveryResult): Promise<void> {
    this.webhooks.record(deliveryId, result);
  }

  async listWebhookDeliveries(jobId: string): Promise<WebhookDelivery[]> {
    return this.webhooks.list(jobId);
  }

  async backlogStats(_now: number): Promise<BacklogStat[]> {
    return sqliteBacklogStats(this.db);
  }

  // ---- files -------------------------------------------------------------------------

  async insertFile(f: StoredFile): Promise<void> {
    this.s.insertFile.run(f.id, f.filename, f.purpose, f.bytes, f.blobKey, f.createdAt, f.expiresAt);
  }

  async getFile(id: string): Promise<StoredFile | undefined> {
    const row = this.s.getFile.get(id) as FileRow | undefined;
    return row && fileFromRow(row);
  }

  async listFiles(q: {
    purpose?: string;
    after?: string;
    limit: number;
    order?: "asc" | "desc";
  }): Promise<StoredFile[]> {
    const asc = q.order === "asc";
    const rows = this.db
      .prepare(
        `SELECT * FROM files WHERE (? IS NULL OR purpose = ?)
           AND (? IS NULL OR seq ${asc ? ">" : "<"} (SELECT seq FROM files WHERE id = ?))
         ORDER BY seq ${asc ? "ASC" : "DESC"} LIMIT ?`,
      )
      .all(q.purpose ?? null, q.purpose ?? null, q.after ?? null, q.after ?? null, q.limit) as FileRow[];
    return rows.map(fileFromRow);
  }

  async deleteFile(id: string): Promise<boolean> {
    return this.db.prepare("DELETE FROM files WHERE id = ?").run(id).changes > 0;
  }

  // ---- jobs --------------------------------------------------------------------------

  async insertJob(j: NewJob): Promise<Job> {
    this.db
      .prepare(
        `INSERT INTO jobs (id, status, endpoint, input_file_id, completion_window, metadata, created_at, expires_at, webhook_url,
           output_expires_after_s)
         VALUES (?, 'validating', ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        j.id,
        j.endpoint,
        j.inputFileId,
        j.completionWindow,
        j.metadata ? JSON.stringify(j.metadata) : null,
        j.createdAt,
        j.expiresAt,
        j.webhookUrl ?? null,
        j.outputExpiresAfterSeconds ?? null,
      );
    return (await this.getJob(j.id))!;
  }

  async getJob(id: string): Promise<Job | undefined> {
    const row = this.s.getJob.get(id) as JobRow | undefined;
    return row && jobFromRow(row);
  }

  async listJobs(q: { after?: string; limit: number; kind?: JobKind }): Promise<Job[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM jobs WHERE (? IS NULL OR seq < (SELECT seq FROM jobs WHERE id = ?))
           AND (? IS NULL OR kind = ?)
         ORDER BY seq DESC LIMIT ?`,
      )
      .all(q.after ?? null, q.after ?? null, q.kind ?? null, q.kind ?? null, q.limit) as JobRow[];
    return rows.map(jobFromRow);
  }

  // ---- validation --------------------------------------------------------------------

  async claimValidation(owner: string, leaseMs: number, now: number): Promise<Job | undefined> {
    return this.db
      .transaction(() => {
        const row = this.db
          .prepare(
            `SELECT id, validation_lease_until FROM jobs WHERE status = 'validating'
               AND (validation_lease_until IS NULL OR validation_lease_until < ?) ORDER BY seq LIMIT 1`,
          )
          .get(now) as { id: string; validation_lease_until: number | null } | undefined;
        if (!row) return undefined;
        // A previous holder died part-way: start the file again from a clean slate.
        if (row.validation_lease_until !== null)
          this.db.prepare("DELETE FROM records WHERE job_id = ?").run(row.id);
        this.db
          .prepare(
            `UPDATE jobs SET validation_owner = ?, validation_lease_until = ?,
               validation_attempts = validation_attempts + 1 WHERE id = ?`,
          )
          .run(owner, now + leaseMs, row.id);
        return jobFromRow(this.s.getJob.get(row.id) as JobRow);
      })
      .immediate();
  }

  async renewValidation(jobId: string, owner: string, leaseUntil: number): Promise<boolean> {
    const r = this.db
      .prepare(
        `UPDATE jobs SET validation_lease_until = ?
         WHERE id = ? AND validation_owner = ? AND status IN ('validating', 'cancelling')`,
      )
      .run(leaseUntil, jobId, owner);
    return r.changes > 0;
  }

  async insertRecords(jobId: string, records: NewRecord[], maxAttempts: number): Promise<void> {
    const insert = this.s.insertRecord;
    this.db
      .transaction(() => {
        for (const r of records) {
          // A large body goes in parts (sqlite-body-parts.ts): the row stays small for its UPDATEs.
          const { body } = r;
          const bytes = typeof body === "string" ? null : body;
          const large = bytes ? bytes.length > BODY_PART_BYTES : body.length > BODY_PART_CHARS;
          const { lastInsertRowid } = insert.run(
            jobId,
            r.position,
            r.line,
            r.customId,
            r.customIdJson ?? null,
            r.route,
            large ? "" : bytes ? bytes.toString("utf8") : body,
            maxAttempts,
          );
          // A body given as bytes is written from them: no string copy of a big line.
          if (large && bytes) this.bodyParts.writeBytes(lastInsertRowid, bytes);
          else if (large) this.bodyParts.write(lastInsertRowid, body as string);
        }
      })
      .immediate();
  }

  async finishValidation(jobId: string, total: number, now: number, model?: string | null): Promise<boolean> {
    return this.db
      .transaction(() => {
        const started = this.db
          .prepare(
            `UPDATE jobs SET status = 'in_progress', total = ?, in_progress_at = ?, validation_lease_until = NULL,
               model = COALESCE(?, model)
             WHERE id = ? AND status = 'validating'`,
          )
          .run(total, now, model ?? null, jobId);
        if (started.changes > 0) return true;
        const cancelled = this.db
          .prepare(
            `UPDATE records SET state = 'cancelled', finished_at = ? WHERE job_id = ? AND state = 'pending'`,
          )
          .run(now, jobId).changes;
        this.db
          .prepare(
            `UPDATE jobs SET total = ?, cancelled = cancelled + ?, validation_lease_until = NULL
             WHERE id = ? AND status = 'cancelling'`,
          )
          .run(total, cancelled, jobId);
        return false;
      })
      .immediate();
  }

  async failValidation(jobId: string, errors: ValidationError[], now: number): Promise<void> {
    this.db
      .transaction(() => {
        this.db.prepare("DELETE FROM records WHERE job_id = ?").run(jobId);
        this.db
          .prepare(
            `UPDATE jobs SET status = 'failed', failed_at = ?, errors = ?, validation_lease_until = NULL
             WHERE id = ? AND status IN ('validating', 'cancelling')`,
          )
          .run(now, JSON.stringify(errors), jobId);
      })
      .immediate();
  }

  // ---- workers -----------------------------------------------------------------------

  async claimRecords(req: ClaimRequest): Promise<ClaimedRecord[]> {
    const claimed = this.db
      .transaction(() => {
        const jobs = this.s.activeJobs.all() as Array<{ id: string }>;
        const out: ClaimRow[] = [];
        if (jobs.length === 0) return out;
        const leaseUntil = req.now + req.leaseMs;
        for (const { route, limit } of req.routes) {
          // Fair share first (each job gets an equal slice), then fill what is left in job order,
          // so a small job is never stuck behind a huge one.
          let left = limit;
          const slice = Math.max(1, Math.ceil(limit / jobs.length));
          for (const pass of [slice, Number.MAX_SAFE_INTEGER]) {
            for (const job of jobs) {
              if (left <= 0) break;
              const rows = this.s.claim.all(
                req.owner,
                leaseUntil,
                job.id,
                route,
                req.now,
                Math.min(left, pass),
              ) as ClaimRow[];
              left -= rows.length;
              for (const row of rows) out.push(row);
            }
          }
        }
        return out;
      })
      .immediate();
    return claimed.map((r) => {
      const record: ClaimedRecord = {
        id: r.id,
        jobId: r.job_id,
        customId: r.custom_id,
        route: r.route,
        endpoint: this.endpointOf(r.job_id),
        body: r.body,
        attempt: r.attempt,
        maxAttempts: r.max_attempts,
      };
      // An empty body is one stored in parts (a request body is never empty).
      if (r.body === "") record.bodyParts = this.bodyParts.shape(r.id);
      return record;
    });
  }

  async readBodyPart(recordId: number, part: number): Promise<Buffer | null> {
    return this.bodyParts.read(recordId, part);
  }

  private endpointOf(jobId: string): string {
    let endpoint = this.endpoints.get(jobId);
    if (endpoint === undefined) {
      endpoint = (this.s.jobEndpoint.get(jobId) as { endpoint: string }).endpoint;
      this.endpoints.set(jobId, endpoint);
    }
    return endpoint;
  }

  async renewLeases(owner: string, held: HeldLease[], leaseUntil: number): Promise<number[]> {
    if (held.length === 0) return [];
    return this.db
      .transaction(() => {
        const lost: number[] = [];
        for (const h of held) {
          if (this.s.renew.run(leaseUntil, h.id, h.attempt, owner).changes === 0) lost.push(h.id);
        }
        return lost;
      })
      .immediate();
  }

  async recordResults(
    results: AttemptResult[],
    now: number,
  ): Promise<{ accepted: number; refused: number[] }> {
    if (results.length === 0) return { accepted: 0, refused: [] };
    return this.db
      .transaction(() => {
        const refused: number[] = [];
        const deltas = new Map<string, JobDelta>();
        for (const result of results) {
          const write = outcomeWrite(result, now);
          const row = this.runOutcome(write, result) as { job_id: string; state: string } | undefined;
          if (!row) {
            refused.push(result.recordId);
            continue;
          }
          addDelta(deltas, row.job_id, row.state, write);
        }
        for (const [jobId, d] of deltas) {
          this.s.addCounts.run(d.succeeded, d.failed, d.cancelled, 0, d.inputTokens, d.outputTokens, jobId);
        }
        return { accepted: results.length - refused.length, refused };
      })
      .immediate();
  }

  private runOutcome(w: OutcomeWrite, r: AttemptResult): unknown {
    if (w.state === "pending") {
      return this.s.retry.get(
        w.runAt,
        w.statusCode,
        w.requestId,
        w.body,
        w.errorCode,
        w.errorMessage,
        w.finishedAt,
        r.recordId,
        r.attempt,
      );
    }
    return this.s.finish.get(
      w.state,
      w.statusCode,
      w.requestId,
      w.body,
      w.errorCode,
      w.errorMessage,
      w.inputTokens,
      w.outputTokens,
      w.finishedAt,
      r.recordId,
      r.attempt,
    );
  }

  async releaseRecords(
    owner: string,
    held: HeldLease[],
    now: number,
    stopError?: { code: string; message: string } | null,
  ): Promise<void> {
    if (held.length === 0) return;
    // A record of a stopped (cancelling) job ends cancelled: given back, nothing would claim it.
    const cancel = this.db.prepare<unknown[], { job_id: string }>(
      `UPDATE records SET state = 'cancelled', error_code = ?, error_message = ?, finished_at = ?,
         lease_owner = NULL, lease_until = NULL
       WHERE id = ? AND attempt = ? AND state = 'running' AND lease_owner = ?
         AND job_id IN (SELECT id FROM jobs WHERE status = 'cancelling')
       RETURNING job_id`,
    );
    this.db
      .transaction(() => {
        for (const h of held) {
          const row = cancel.get(
            stopError?.code ?? null,
            stopError?.message ?? null,
            now,
            h.id,
            h.attempt,
            owner,
          );
          if (row) this.s.addCounts.run(0, 0, 1, 0, 0, 0, row.job_id);
          else this.s.release.run(now, h.id, h.attempt, owner);
        }
      })
      .immediate();
  }

  async nextRunAt(routes: string[]): Promise<number | null> {
    if (routes.length === 0) return null;
    const marks = routes.map(() => "?").join(",");
    const row = this.db
      .prepare(
        `SELECT MIN(run_at) AS at FROM (
           SELECT run_at FROM records WHERE state = 'pending' AND route IN (${marks}) LIMIT 1000)`,
      )
      .get(...routes) as { at: number | null };
    return row.at;
  }

  // ---- maintenance -------------------------------------------------------------------

  async requeueExpiredLeases(now: number): Promise<number> {
    return this.db
      .transaction(() => {
        const rows = this.db
          .prepare(
            `SELECT r.id, r.job_id, r.attempt, r.released, r.max_attempts, j.status AS job_status
             FROM records r JOIN jobs j ON j.id = r.job_id
             WHERE r.state = 'running' AND r.lease_until < ? LIMIT 5000`,
          )
          .all(now) as Array<{
          id: number;
          job_id: string;
          attempt: number;
          released: number;
          max_attempts: number;
          job_status: string;
        }>;
        for (const r of rows) {
          if (r.job_status === "cancelling") {
            this.s.endRecord.run("cancelled", "cancelled", "The batch was cancelled.", now, r.id);
            this.s.addCounts.run(0, 0, 1, 0, 0, 0, r.job_id);
          } else if (r.attempt - r.released >= r.max_attempts) {
            const msg = `The request was attempted ${r.max_attempts} times and its worker stopped answering each time.`;
            this.s.endRecord.run("failed", "attempts_exhausted", msg, now, r.id);
            this.s.addCounts.run(0, 1, 0, 0, 0, 0, r.job_id);
          } else {
            this.s.requeue.run(now, r.id);
          }
        }
        return rows.length;
      })
      .immediate();
  }

  async expireAllLeases(now: number): Promise<void> {
    this.db
      .transaction(() => {
        this.db.prepare("UPDATE records SET lease_until = ? WHERE state = 'running'").run(now - 1);
        this.db
          .prepare("UPDATE jobs SET validation_lease_until = ? WHERE validation_lease_until IS NOT NULL")
          .run(now - 1);
      })
      .immediate();
  }

  async cancelJob(id: string, now: number): Promise<Job | undefined> {
    return this.db
      .transaction(() => {
        const r = this.db
          .prepare(
            `UPDATE jobs SET status = 'cancelling', end_status = 'cancelled', cancelling_at = ?
             WHERE id = ? AND status IN ('validating', 'in_progress')`,
          )
          .run(now, id);
        if (r.changes > 0) {
          const n = this.db
            .prepare(
              "UPDATE records SET state = 'cancelled', finished_at = ? WHERE job_id = ? AND state = 'pending'",
            )
            .run(now, id).changes;
          this.s.addCounts.run(0, 0, n, 0, 0, 0, id);
        }
        const row = this.s.getJob.get(id) as JobRow | undefined;
        return row && jobFromRow(row);
      })
      .immediate();
  }

  async expireJobs(now: number): Promise<string[]> {
    return this.db
      .transaction(() => {
        const ids = (
          this.db
            .prepare(
              `SELECT id FROM jobs WHERE expires_at <= ? AND status IN ('validating', 'in_progress', 'cancelling')`,
            )
            .all(now) as Array<{ id: string }>
        ).map((r) => r.id);
        for (const id of ids) {
          const n = this.db
            .prepare(
              `UPDATE records SET state = 'expired', error_code = 'batch_expired',
                 error_message = 'This request could not be executed before the completion window expired.',
                 finished_at = ?, lease_owner = NULL, lease_until = NULL
               WHERE job_id = ? AND state IN ('pending', 'running')`,
            )
            .run(now, id).changes;
          this.s.addCounts.run(0, 0, 0, n, 0, 0, id);
          this.db
            .prepare(
              `UPDATE jobs SET status = 'finalizing', end_status = 'expired', finalizing_at = ?,
                 validation_lease_until = NULL WHERE id = ?`,
            )
            .run(now, id);
        }
        return ids;
      })
      .immediate();
  }

  async claimFinalizable(now: number): Promise<Array<{ id: string; endStatus: EndStatus }>> {
    return this.db
      .transaction(() => {
        this.db
          .prepare(
            `UPDATE jobs SET status = 'finalizing', end_status = 'completed', finalizing_at = ?
             WHERE status = 'in_progress' AND succeeded + failed + cancelled + expired >= total`,
          )
          .run(now);
        this.db
          .prepare(
            `UPDATE jobs SET status = 'finalizing', finalizing_at = ?
             WHERE status = 'cancelling'
               AND NOT EXISTS (SELECT 1 FROM records r WHERE r.job_id = jobs.id AND r.state IN ('pending', 'running'))
               AND (validation_lease_until IS NULL OR validation_lease_until < ?)`,
          )
          .run(now, now);
        const rows = this.db
          .prepare("SELECT id, end_status FROM jobs WHERE status = 'finalizing' ORDER BY seq")
          .all() as Array<{ id: string; end_status: EndStatus }>;
        return rows.map((r) => ({ id: r.id, endStatus: r.end_status }));
      })
      .immediate();
  }

  async readFinished(jobId: string, afterPosition: number, limit: number): Promise<FinishedRecord[]> {
    return (this.s.readFinished.all(jobId, afterPosition, limit) as FinishedRow[]).map(finishedFromRow);
  }

  async completeFinalize(jobId: string, files: FinalFiles, now: number): Promise<void> {
    this.db
      .transaction(() => {
        for (const f of [files.outputFile, files.errorFile]) if (f) void this.insertFileSync(f);
        this.db
          .prepare(
            `UPDATE jobs SET status = ?, ${END_STATUS_COLUMN[files.endStatus]} = ?, output_file_id = ?, error_file_id = ?
             WHERE id = ? AND status = 'finalizing'`,
          )
          .run(files.endStatus, now, files.outputFile?.id ?? null, files.errorFile?.id ?? null, jobId);
      })
      .immediate();
    this.endpoints.delete(jobId);
  }

  async pruneExpired(
    now: number,
    limit: number,
    retainJobsMs: number,
  ): Promise<{ files: StoredFile[]; jobs: number }> {
    return this.db
      .transaction(() => {
        const files = (
          this.db
            .prepare("SELECT * FROM files WHERE expires_at <= ? ORDER BY expires_at LIMIT ?")
            .all(now, limit) as FileRow[]
        ).map(fileFromRow);
        const dropFile = this.db.prepare("DELETE FROM files WHERE id = ?");
        for (const f of files) dropFile.run(f.id);
        // A job is kept while its output or error file is: the file's expiry decides, not the job's.
        const jobIds = (
          this.db
            .prepare(
              `SELECT id FROM jobs j
               WHERE status IN ('completed', 'failed', 'expired', 'cancelled')
                 AND COALESCE(completed_at, failed_at, expired_at, cancelled_at) <= ?
                 AND (output_file_id IS NULL OR NOT EXISTS (SELECT 1 FROM files f WHERE f.id = j.output_file_id))
                 AND (error_file_id IS NULL OR NOT EXISTS (SELECT 1 FROM files f WHERE f.id = j.error_file_id))
               ORDER BY seq LIMIT ?`,
            )
            .all(now - retainJobsMs, limit) as Array<{ id: string }>
        ).map((r) => r.id);
        const dropRecords = this.db.prepare("DELETE FROM records WHERE job_id = ?");
        const dropJob = this.db.prepare("DELETE FROM jobs WHERE id = ?");
        for (const id of jobIds) {
          dropRecords.run(id);
          dropJob.run(id);
          this.endpoints.delete(id);
        }
        return { files, jobs: jobIds.length };
      })
      .immediate();
  }

  private insertFileSync(f: StoredFile): void {
    this.s.insertFile.run(f.id, f.filename, f.purpose, f.bytes, f.blobKey, f.createdAt, f.expiresAt);
  }
}

interface JobDelta {
  succeeded: number;
  failed: number;
  cancelled: number;
  inputTokens: number;
  outputTokens: number;
}

function addDelta(deltas: Map<string, JobDelta>, jobId: string, state: string, w: OutcomeWrite): void {
  let d = deltas.get(jobId);
  if (!d) {
    d = { succeeded: 0, failed: 0, cancelled: 0, inputTokens: 0, outputTokens: 0 };
    deltas.set(jobId, d);
  }
  if (state === "succeeded") d.succeeded++;
  else if (state === "failed") d.failed++;
  else if (state === "cancelled") d.cancelled++;
  d.inputTokens += w.inputTokens ?? 0;
  d.outputTokens += w.outputTokens ?? 0;
}

function prepareStatements(db: SqliteDatabase) {
  return {
    insertFile: db.prepare(
      `INSERT INTO files (id, filename, purpose, bytes, blob_key, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    getFile: db.prepare("SELECT * FROM files WHERE id = ?"),
    getJob: db.prepare("SELECT * FROM jobs WHERE id = ?"),
    jobEndpoint: db.prepare("SELECT endpoint FROM jobs WHERE id = ?"),
    // Higher priority first (invocations before batches), then submission order.
    activeJobs: db.prepare("SELECT id FROM jobs WHERE status = 'in_progress' ORDER BY priority DESC, seq"),
    insertRecord: db.prepare(
      `INSERT INTO records (job_id, position, line, custom_id, custom_id_json, route, body, max_attempts)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    claim: db.prepare(
      `UPDATE records SET state = 'running', attempt = attempt + 1, lease_owner = ?, lease_until = ?
       WHERE id IN (SELECT id FROM records WHERE job_id = ? AND route = ? AND state = 'pending' AND run_at <= ?
                    ORDER BY id LIMIT ?)
       RETURNING id, job_id, custom_id, route, body, attempt, max_attempts`,
    ),
    renew: db.prepare(
      `UPDATE records SET lease_until = ? WHERE id = ? AND attempt = ? AND state = 'running' AND lease_owner = ?`,
    ),
    finish: db.prepare(
      `UPDATE records SET state = ?, response_status = ?, response_request_id = ?, response_body = ?,
         error_code = ?, error_message = ?, input_tokens = ?, output_tokens = ?, finished_at = ?,
         lease_owner = NULL, lease_until = NULL
       WHERE id = ? AND attempt = ? AND state = 'running' RETURNING job_id, state`,
    ),
    // A retry past the record's attempt budget is a final failure, decided in the same statement.
    retry: db.prepare(
      // A retry in a job being cancelled ends the record instead: back to pending it would
      // keep the job in cancelling until its window expired.
      `UPDATE records SET
         state = CASE WHEN (SELECT status FROM jobs WHERE jobs.id = records.job_id) = 'cancelling' THEN 'cancelled'
                      WHEN attempt - released >= max_attempts THEN 'failed' ELSE 'pending' END,
         run_at = ?, response_status = ?, response_request_id = ?, response_body = ?, error_code = ?,
         error_message = ?,
         finished_at = CASE WHEN attempt - released >= max_attempts
                              OR (SELECT status FROM jobs WHERE jobs.id = records.job_id) = 'cancelling'
                            THEN ? ELSE NULL END,
         lease_owner = NULL, lease_until = NULL
       WHERE id = ? AND attempt = ? AND state = 'running' RETURNING job_id, state`,
    ),
    release: db.prepare(
      `UPDATE records SET state = 'pending', released = released + 1, run_at = ?, lease_owner = NULL, lease_until = NULL
       WHERE id = ? AND attempt = ? AND state = 'running' AND lease_owner = ?`,
    ),
    requeue: db.prepare(
      `UPDATE records SET state = 'pending', run_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?`,
    ),
    endRecord: db.prepare(
      `UPDATE records SET state = ?, error_code = ?, error_message = ?, finished_at = ?,
         lease_owner = NULL, lease_until = NULL WHERE id = ?`,
    ),
    addCounts: db.prepare(
      `UPDATE jobs SET succeeded = succeeded + ?, failed = failed + ?, cancelled = cancelled + ?,
         expired = expired + ?, input_tokens = input_tokens + ?, output_tokens = output_tokens + ? WHERE id = ?`,
    ),
    readFinished: db.prepare(
      `SELECT id, position, custom_id, custom_id_json, state, response_status, response_request_id, response_body,
         error_code, error_message
       FROM records WHERE job_id = ? AND position > ? ORDER BY position LIMIT ?`,
    ),
  };
}
