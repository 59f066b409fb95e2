import { randomBytes } from "node:crypto";
import type pg from "pg";
import type { BudgetStop, JobPrice } from "../../budget/budget-stop.js";
import type { StoredFile } from "../../domain/file.js";
import type { Invocation, NewInvocation } from "../../domain/invocation.js";
import type { Job, JobKind, ValidationError } from "../../domain/job.js";
import type { AttemptResult, ClaimedRecord, FinishedRecord, NewRecord } from "../../domain/record.js";
import type { DeliveryResult, NewWebhookDelivery, WebhookDelivery } from "../../domain/webhook.js";
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
import * as budgetsSql from "./budgets-sql.js";
import { CLAIM_RECORDS_SQL, type ClaimRow } from "./claim-records-sql.js";
import {
  FORGET_SILENT_WORKERS_MS,
  FORGET_WORKER_SQL,
  HEARTBEAT_WORKER_SQL,
  LIVE_WORKERS_SQL,
  RESIGN_LEAD_SQL,
  TRY_LEAD_SQL,
} from "./coordination-sql.js";
import { CLAIM_FINALIZABLE_SQL, completeFinalizeSql, EXPIRE_JOBS_SQL } from "./job-lifecycle-sql.js";
import {
  ATTEMPTS_EXHAUSTED_FORMAT,
  LOCK_RELEASED_JOBS_SQL,
  RELEASE_RECORDS_SQL,
  RENEW_LEASES_SQL,
  REQUEUE_EXPIRED_SQL,
} from "./lease-sql.js";
import { createPool, query, transaction } from "./pg-connection.js";
import { PgInvocations } from "./pg-invocations.js";
import { migratePostgres } from "./pg-migrate.js";
import type { PgTimeouts } from "./pg-timeouts.js";
import { PRUNE_FILES_SQL, PRUNE_JOBS_SQL } from "./prune-sql.js";
import { RECORD_RESULTS_SQL, recordResultsParams, refusedIds } from "./record-results-sql.js";
import { WorkHints } from "./work-hints.js";

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` */
  url: string;
  /** Schema for Docket's tables, created if missing; default: the server's search_path. */
  schema?: string;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** Connect, statement and idle-in-transaction limits (pg-timeouts.ts); defaults when absent. */
  timeouts?: PgTimeouts;
}

/** Migrates (once, however many processes start together) and opens the pool. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const pool = createPool(options.url, options.schema, options.poolSize ?? 10, options.timeouts);
  try {
    await migratePostgres(pool, options.schema);
  } catch (err) {
    await pool.end();
    throw err;
  }
  return new PostgresStore(
    pool,
    new WorkHints(options.url, options.schema, options.timeouts?.connectTimeoutMs),
  );
}

/**
 * How long a process owns a finalizing job before another may take it over. Maintenance is
 * elected (one process at a time), so this only matters at a handover: it bounds how long a
 * job whose leader died mid-finalize waits for the next leader. A finalize that outlasts it is
 * at worst done twice; completeFinalize keeps whichever finishes first.
 */
const FINALIZE_LEASE_MS = 15_000;

const FILE_INSERT_SQL = `INSERT INTO files (id, filename, purpose, bytes, blob_key, created_at, expires_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7)`;

/**
 * The engine for `docket api` + `docket worker` fleets. Hot operations (claim, acknowledge,
 * renew, release, lease sweep) are each one statement with arrays bound through unnest: one
 * round trip and one commit per batch. Statements that change records and job counters lock
 * records first, then jobs in id order, so deadlocks are rare; one that happens is retried.
 */
class PostgresStore implements Store {
  readonly dialect = "postgres" as const;
  /** Identifies this process as the holder of finalize leases. */
  private readonly owner = `store-${randomBytes(8).toString("hex")}`;

  private readonly invocations: PgInvocations;

  constructor(
    private readonly pool: pg.Pool,
    private readonly hints: WorkHints,
  ) {
    this.invocations = new PgInvocations(pool);
  }

  async close(): Promise<void> {
    await this.hints.close();
    await this.pool.end();
  }

  onWorkHint(listener: () => void): () => void {
    return this.hints.subscribe(listener);
  }

  async hintWork(): Promise<void> {
    await this.hints.notify(this.pool);
  }

  // ---- coordination (coordination-sql.ts) ---------------------------------------------

  async tryLead(name: string, owner: string, leaseMs: number, now: number): Promise<boolean> {
    return (await query(this.pool, TRY_LEAD_SQL, [name, owner, now, leaseMs])).length > 0;
  }

  async resignLead(name: string, owner: string): Promise<void> {
    await query(this.pool, RESIGN_LEAD_SQL, [name, owner]);
  }

  async heartbeatWorker(owner: string, routes: string[], now: number): Promise<void> {
    await query(this.pool, HEARTBEAT_WORKER_SQL, [
      owner,
      now,
      routes.join(","),
      now - FORGET_SILENT_WORKERS_MS,
    ]);
  }

  async liveWorkers(now: number, staleMs: number): Promise<number> {
    const [row] = await query<{ n: number }>(this.pool, LIVE_WORKERS_SQL, [now - staleMs]);
    return row?.n ?? 0;
  }

  async forgetWorker(owner: string): Promise<void> {
    await query(this.pool, FORGET_WORKER_SQL, [owner]);
  }

  // ---- budgets (budgets-sql.ts) ----------------------------------------------------------

  async setJobBudget(jobId: string, budgetUsd: number, price: JobPrice | null): Promise<void> {
    await budgetsSql.setJobBudget(this.pool, jobId, budgetUsd, price);
  }

  async listBudgetedJobs(): Promise<BudgetedJob[]> {
    return budgetsSql.listBudgetedJobs(this.pool);
  }

  async setJobPrice(jobId: string, price: JobPrice): Promise<void> {
    await budgetsSql.setJobPrice(this.pool, jobId, price);
  }

  async stopForBudget(
    jobId: string,
    stop: BudgetStop,
    now: number,
    unsent?: { owner: string; held: HeldLease[] },
  ): Promise<Job | undefined> {
    return budgetsSql.stopForBudget(this.pool, jobId, stop, now, unsent);
  }

  // ---- invocations, webhooks, backlog (pg-invocations.ts) -------------------------------

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
    return this.invocations.jobsToNotify(limit);
  }

  async enqueueWebhook(jobId: string, delivery: NewWebhookDelivery | null): Promise<void> {
    await this.invocations.enqueueWebhook(jobId, delivery);
  }

  async claimWebhookDeliveries(now: number, leaseMs: number, limit: number): Promise<WebhookDelivery[]> {
    return this.invocations.claimDeliveries(now, leaseMs, limit);
  }

  async recordWebhookAttempt(deliveryId: string, result: DeliveryResult): Promise<void> {
    await this.invocations.recordAttempt(deliveryId, result);
  }

  async listWebhookDeliveries(jobId: string): Promise<WebhookDelivery[]> {
    return this.invocations.listDeliveries(jobId);
  }

  async backlogStats(_now: number): Promise<BacklogStat[]> {
    return this.invocations.backlog();
  }

  // ---- files -------------------------------------------------------------------------

  async insertFile(f: StoredFile): Promise<void> {
    await query(this.pool, FILE_INSERT_SQL, [
      f.id,
      f.filename,
      f.purpose,
      f.bytes,
      f.blobKey,
      f.createdAt,
      f.expiresAt,
    ]);
  }

  async getFile(id: string): Promise<StoredFile | undefined> {
    const [row] = await query<FileRow & pg.QueryResultRow>(this.pool, "SELECT * FROM files WHERE id = $1", [
      id,
    ]);
    return row && fileFromRow(row);
  }

  async listFiles(q: {
    purpose?: string;
    after?: string;
    limit: number;
    order?: "asc" | "desc";
  }): Promise<StoredFile[]> {
    const asc = q.order === "asc";
    const rows = await query<FileRow & pg.QueryResultRow>(
      this.pool,
      `SELECT * FROM files WHERE ($1::text IS NULL OR purpose = $1)
         AND ($2::text IS NULL OR seq ${asc ? ">" : "<"} (SELECT seq FROM files WHERE id = $2))
       ORDER BY seq ${asc ? "ASC" : "DESC"} LIMIT $3`,
      [q.purpose ?? null, q.after ?? null, q.limit],
    );
    return rows.map(fileFromRow);
  }

  async deleteFile(id: string): Promise<boolean> {
    return (await query(this.pool, "DELETE FROM files WHERE id = $1 RETURNING id", [id])).length > 0;
  }

  // ---- jobs --------------------------------------------------------------------------

  async insertJob(j: NewJob): Promise<Job> {
    const [row] = await query<JobRow & pg.QueryResultRow>(
      this.pool,
      `INSERT INTO jobs (id, status, endpoint, input_file_id, completion_window, metadata, created_at, expires_at,
         webhook_url, output_expires_after_s)
       VALUES ($1, 'validating', $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
      [
        j.id,
        j.endpoint,
        j.inputFileId,
        j.completionWindow,
        j.metadata ? JSON.stringify(j.metadata) : null,
        j.createdAt,
        j.expiresAt,
        j.webhookUrl ?? null,
        j.outputExpiresAfterSeconds ?? null,
      ],
    );
    return jobFromRow(row!);
  }

  async getJob(id: string): Promise<Job | undefined> {
    const [row] = await query<JobRow & pg.QueryResultRow>(this.pool, "SELECT * FROM jobs WHERE id = $1", [
      id,
    ]);
    return row && jobFromRow(row);
  }

  async listJobs(q: { after?: string; limit: number; kind?: JobKind }): Promise<Job[]> {
    const rows = await query<JobRow & pg.QueryResultRow>(
      this.pool,
      `SELECT * FROM jobs WHERE ($1::text IS NULL OR seq < (SELECT seq FROM jobs WHERE id = $1))
         AND ($3::text IS NULL OR kind = $3)
       ORDER BY seq DESC LIMIT $2`,
      [q.after ?? null, q.limit, q.kind ?? null],
    );
    return rows.map(jobFromRow);
  }

  // ---- validation --------------------------------------------------------------------

  async claimValidation(owner: string, leaseMs: number, now: number): Promise<Job | undefined> {
    return transaction(this.pool, async (c) => {
      const { rows } = await c.query<{ id: string; validation_lease_until: number | null }>(
        `SELECT id, validation_lease_until FROM jobs WHERE status = 'validating'
           AND (validation_lease_until IS NULL OR validation_lease_until < $1)
         ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED`,
        [now],
      );
      const job = rows[0];
      if (!job) return undefined;
      // A previous holder died part-way: start the file again from a clean slate.
      if (job.validation_lease_until !== null)
        await c.query("DELETE FROM records WHERE job_id = $1", [job.id]);
      const updated = await c.query<JobRow>(
        `UPDATE jobs SET validation_owner = $1, validation_lease_until = $2,
           validation_attempts = validation_attempts + 1 WHERE id = $3 RETURNING *`,
        [owner, now + leaseMs, job.id],
      );
      return jobFromRow(updated.rows[0]!);
    });
  }

  async renewValidation(jobId: string, owner: string, leaseUntil: number): Promise<boolean> {
    const rows = await query(
      this.pool,
      `UPDATE jobs SET validation_lease_until = $1
       WHERE id = $2 AND validation_owner = $3 AND status IN ('validating', 'cancelling') RETURNING id`,
      [leaseUntil, jobId, owner],
    );
    return rows.length > 0;
  }

  async insertRecords(jobId: string, records: NewRecord[], maxAttempts: number): Promise<void> {
    if (records.length === 0) return;
    await query(
      this.pool,
      `INSERT INTO records (job_id, position, line, custom_id, custom_id_json, route, body, max_attempts)
       SELECT $1, position, line, custom_id, custom_id_json, route, body, $7
       FROM unnest($2::int[], $3::int[], $4::text[], $5::text[], $6::text[], $8::text[])
         AS r(position, line, custom_id, route, body, custom_id_json)`,
      [
        jobId,
        records.map((r) => r.position),
        records.map((r) => r.line),
        records.map((r) => r.customId),
        records.map((r) => r.route),
        // A big line's body comes as UTF-8 bytes; PostgreSQL's text[] takes it as a string.
        records.map((r) => (typeof r.body === "string" ? r.body : r.body.toString("utf8"))),
        maxAttempts,
        records.map((r) => r.customIdJson ?? null),
      ],
    );
  }

  async finishValidation(jobId: string, total: number, now: number, model?: string | null): Promise<boolean> {
    return transaction(this.pool, async (c) => {
      const started = await c.query(
        `UPDATE jobs SET status = 'in_progress', total = $1, in_progress_at = $2, validation_lease_until = NULL,
           model = COALESCE($4, model)
         WHERE id = $3 AND status = 'validating'`,
        [total, now, jobId, model ?? null],
      );
      if ((started.rowCount ?? 0) > 0) return true;
      // Cancelled while validating (cancelJob locked the job first, so this sees its status).
      const cancelled = await c.query(
        "UPDATE records SET state = 'cancelled', finished_at = $1 WHERE job_id = $2 AND state = 'pending'",
        [now, jobId],
      );
      await c.query(
        `UPDATE jobs SET total = $1, cancelled = cancelled + $2, validation_lease_until = NULL
         WHERE id = $3 AND status = 'cancelling'`,
        [total, cancelled.rowCount ?? 0, jobId],
      );
      return false;
    });
  }

  async failValidation(jobId: string, errors: ValidationError[], now: number): Promise<void> {
    await transaction(this.pool, async (c) => {
      await c.query("DELETE FROM records WHERE job_id = $1", [jobId]);
      await c.query(
        `UPDATE jobs SET status = 'failed', failed_at = $1, errors = $2, validation_lease_until = NULL
         WHERE id = $3 AND status IN ('validating', 'cancelling')`,
        [now, JSON.stringify(errors), jobId],
      );
    });
  }

  // ---- workers -----------------------------------------------------------------------

  async claimRecords(req: ClaimRequest): Promise<ClaimedRecord[]> {
    const routes = req.routes.filter((r) => r.limit > 0);
    if (routes.length === 0) return [];
    const leaseUntil = req.now + req.leaseMs;
    const claimRoute = (
      run: (text: string, values: unknown[]) => Promise<ClaimRow[]>,
      route: string,
      limit: number,
    ) => run(CLAIM_RECORDS_SQL, [req.owner, leaseUntil, route, limit, req.now]);
    let rows: ClaimRow[];
    if (routes.length === 1) {
      // One statement commits on its own: no BEGIN/COMMIT round trips on the hot path.
      rows = await claimRoute(
        (text, values) => query<ClaimRow>(this.pool, text, values),
        routes[0]!.route,
        routes[0]!.limit,
      );
    } else {
      rows = await transaction(this.pool, async (c) => {
        const out: ClaimRow[] = [];
        for (const { route, limit } of routes) {
          out.push(
            ...(await claimRoute(
              async (text, values) => (await c.query<ClaimRow>(text, values)).rows,
              route,
              limit,
            )),
          );
        }
        return out;
      });
    }
    return rows.map((r) => ({
      id: r.id,
      jobId: r.job_id,
      customId: r.custom_id,
      route: r.route,
      endpoint: r.endpoint,
      body: r.body,
      attempt: r.attempt,
      maxAttempts: r.max_attempts,
    }));
  }

  async renewLeases(owner: string, held: HeldLease[], leaseUntil: number): Promise<number[]> {
    if (held.length === 0) return [];
    const kept = await query<{ id: number }>(this.pool, RENEW_LEASES_SQL, [
      held.map((h) => h.id),
      held.map((h) => h.attempt),
      leaseUntil,
      owner,
    ]);
    const stillHeld = new Set(kept.map((r) => r.id));
    return held.filter((h) => !stillHeld.has(h.id)).map((h) => h.id);
  }

  async recordResults(
    results: AttemptResult[],
    now: number,
  ): Promise<{ accepted: number; refused: number[] }> {
    if (results.length === 0) return { accepted: 0, refused: [] };
    const written = await query<{ id: number }>(
      this.pool,
      RECORD_RESULTS_SQL,
      recordResultsParams(results, now),
    );
    const refused = refusedIds(results, written);
    return { accepted: results.length - refused.length, refused };
  }

  async releaseRecords(
    owner: string,
    held: HeldLease[],
    now: number,
    stopError?: { code: string; message: string } | null,
  ): Promise<void> {
    if (held.length === 0) return;
    const ids = held.map((h) => h.id);
    await transaction(this.pool, async (c) => {
      // Job rows first (as cancelJob locks them), so a cancel committing meanwhile is seen:
      // a record given back to pending in a cancelling job would never be claimed again.
      await c.query(LOCK_RELEASED_JOBS_SQL, [ids]);
      await c.query(RELEASE_RECORDS_SQL, [
        ids,
        held.map((h) => h.attempt),
        now,
        owner,
        stopError?.code ?? null,
        stopError?.message ?? null,
      ]);
    });
  }

  async nextRunAt(routes: string[]): Promise<number | null> {
    if (routes.length === 0) return null;
    const [row] = await query<{ at: number | null }>(
      this.pool,
      `SELECT MIN(run_at) AS at FROM (
         SELECT run_at FROM records WHERE state = 'pending' AND route = ANY($1::text[]) LIMIT 1000) s`,
      [routes],
    );
    return row?.at ?? null;
  }

  // ---- maintenance -------------------------------------------------------------------

  async requeueExpiredLeases(now: number): Promise<number> {
    const [row] = await query<{ touched: number }>(this.pool, REQUEUE_EXPIRED_SQL, [
      now,
      ATTEMPTS_EXHAUSTED_FORMAT,
    ]);
    return row?.touched ?? 0;
  }

  async expireAllLeases(now: number): Promise<void> {
    await transaction(this.pool, async (c) => {
      await c.query("UPDATE records SET lease_until = $1 WHERE state = 'running'", [now - 1]);
      await c.query("UPDATE jobs SET validation_lease_until = $1 WHERE validation_lease_until IS NOT NULL", [
        now - 1,
      ]);
    });
  }

  async cancelJob(id: string, now: number): Promise<Job | undefined> {
    // The job row is locked first (unlike acknowledgements) so that a concurrent
    // finishValidation waits and then sees `cancelling`, and cancels what it inserted.
    return transaction(this.pool, async (c) => {
      const moved = await c.query(
        `UPDATE jobs SET status = 'cancelling', end_status = 'cancelled', cancelling_at = $1
         WHERE id = $2 AND status IN ('validating', 'in_progress')`,
        [now, id],
      );
      if ((moved.rowCount ?? 0) > 0) {
        const n = await c.query(
          "UPDATE records SET state = 'cancelled', finished_at = $1 WHERE job_id = $2 AND state = 'pending'",
          [now, id],
        );
        await c.query("UPDATE jobs SET cancelled = cancelled + $1 WHERE id = $2", [n.rowCount ?? 0, id]);
      }
      const { rows } = await c.query<JobRow>("SELECT * FROM jobs WHERE id = $1", [id]);
      return rows[0] && jobFromRow(rows[0]);
    });
  }

  async expireJobs(now: number): Promise<string[]> {
    return (await query<{ id: string }>(this.pool, EXPIRE_JOBS_SQL, [now])).map((r) => r.id);
  }

  async claimFinalizable(now: number): Promise<Array<{ id: string; endStatus: EndStatus }>> {
    const rows = await query<{ id: string; end_status: EndStatus }>(this.pool, CLAIM_FINALIZABLE_SQL, [
      now,
      this.owner,
      now + FINALIZE_LEASE_MS,
    ]);
    return rows.map((r) => ({ id: r.id, endStatus: r.end_status }));
  }

  async readFinished(jobId: string, afterPosition: number, limit: number): Promise<FinishedRecord[]> {
    const rows = await query<FinishedRow & pg.QueryResultRow>(
      this.pool,
      `SELECT id, position, custom_id, custom_id_json, state, response_status, response_request_id, response_body,
         error_code, error_message
       FROM records WHERE job_id = $1 AND position > $2 ORDER BY position LIMIT $3`,
      [jobId, afterPosition, limit],
    );
    return rows.map(finishedFromRow);
  }

  async completeFinalize(jobId: string, files: FinalFiles, now: number): Promise<void> {
    const add = [files.outputFile, files.errorFile].filter((f): f is StoredFile => f !== null);
    await query(this.pool, completeFinalizeSql(END_STATUS_COLUMN[files.endStatus]), [
      jobId,
      files.endStatus,
      now,
      files.outputFile?.id ?? null,
      files.errorFile?.id ?? null,
      add.map((f) => f.id),
      add.map((f) => f.filename),
      add.map((f) => f.purpose),
      add.map((f) => f.bytes),
      add.map((f) => f.blobKey),
      add.map((f) => f.createdAt),
      add.map((f) => f.expiresAt),
    ]);
  }

  async pruneExpired(
    now: number,
    limit: number,
    retainJobsMs: number,
  ): Promise<{ files: StoredFile[]; jobs: number }> {
    // One transaction: if the job sweep fails, the file rows come back too, so the caller never
    // loses track of blobs whose rows are gone.
    return transaction(this.pool, async (c) => {
      const files = (await c.query<FileRow>(PRUNE_FILES_SQL, [now, limit])).rows
        .map(fileFromRow)
        .sort((a, b) => (a.expiresAt ?? 0) - (b.expiresAt ?? 0));
      const jobs = await c.query(PRUNE_JOBS_SQL, [now - retainJobsMs, limit]);
      return { files, jobs: jobs.rowCount ?? 0 };
    });
  }
}
