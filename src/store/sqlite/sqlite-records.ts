import type { AttemptResult, ClaimedRecord } from "../../domain/record.js";
import { projectShares } from "../fair-shares.js";
import { type OutcomeWrite, outcomeWrite } from "../outcome-write.js";
import type { RecordStore } from "../record-store.js";
import { jobKindOf } from "../rows.js";
import type { SqliteBodyParts } from "./sqlite-body-parts.js";
import type { JobTarget, SqliteShared } from "./sqlite-shared.js";

type ClaimRow = {
  id: number;
  job_id: string;
  /** Not a column of records: the claimed job's, added by the claim. */
  project_id: string;
  custom_id: string;
  route: string;
  body: string;
  attempt: number;
  max_attempts: number;
};

function prepareStatements(db: SqliteShared["db"]) {
  return {
    jobTarget: db.prepare<[string], { endpoint: string; kind: string }>(
      "SELECT endpoint, kind FROM jobs WHERE id = ?",
    ),
    // Higher priority first (invocations before batches), then submission order.
    activeJobs: db.prepare(
      "SELECT id, project_id FROM jobs WHERE status = 'in_progress' ORDER BY priority DESC, seq",
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
         error_code = ?, error_message = ?, input_tokens = ?, output_tokens = ?, finished_at = ?, latency_ms = ?,
         lease_owner = NULL, lease_until = NULL
       WHERE id = ? AND attempt = ? AND state = 'running' RETURNING job_id, state`,
    ),
    // A retry past the record's attempt budget is a final failure, decided in the same statement
    // (domain/record-transitions.ts, notFinishedNext).
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
         latency_ms = ?,
         lease_owner = NULL, lease_until = NULL
       WHERE id = ? AND attempt = ? AND state = 'running' RETURNING job_id, state`,
    ),
    release: db.prepare(
      `UPDATE records SET state = 'pending', released = released + 1, run_at = ?, lease_owner = NULL, lease_until = NULL
       WHERE id = ? AND attempt = ? AND state = 'running' AND lease_owner = ?`,
    ),
    // A record of a stopped (cancelling) job ends cancelled: given back, nothing would claim it.
    releaseCancelled: db.prepare<unknown[], { job_id: string }>(
      `UPDATE records SET state = 'cancelled', error_code = ?, error_message = ?, finished_at = ?,
         lease_owner = NULL, lease_until = NULL
       WHERE id = ? AND attempt = ? AND state = 'running' AND lease_owner = ?
         AND job_id IN (SELECT id FROM jobs WHERE status = 'cancelling')
       RETURNING job_id`,
    ),
  };
}

/**
 * Records on SQLite (RecordStore): claimed, renewed, answered, given back. Claims and
 * acknowledgements come batched from the worker, so one transaction (and its fsync) covers many.
 */
export function sqliteRecords(x: SqliteShared, bodyParts: SqliteBodyParts): RecordStore {
  const { db, addCounts, jobTargets, unsyncedWrite } = x;
  const s = prepareStatements(db);

  const targetOf = (jobId: string): JobTarget => {
    let target = jobTargets.get(jobId);
    if (target === undefined) {
      const row = s.jobTarget.get(jobId)!;
      target = { endpoint: row.endpoint, kind: jobKindOf(row.kind) };
      jobTargets.set(jobId, target);
    }
    return target;
  };

  const runOutcome = (w: OutcomeWrite, r: AttemptResult): unknown =>
    w.state === "pending"
      ? s.retry.get(
          w.runAt,
          w.statusCode,
          w.requestId,
          w.body,
          w.errorCode,
          w.errorMessage,
          w.finishedAt,
          w.latencyMs,
          r.recordId,
          r.attempt,
        )
      : s.finish.get(
          w.state,
          w.statusCode,
          w.requestId,
          w.body,
          w.errorCode,
          w.errorMessage,
          w.inputTokens,
          w.outputTokens,
          w.finishedAt,
          w.latencyMs,
          r.recordId,
          r.attempt,
        );

  return {
    async claimRecords(req) {
      // A claim only takes leases: not fsynced on its own (unsyncedWrite says why that is safe).
      const claimed = unsyncedWrite(() => {
        const active = s.activeJobs.all() as Array<{ id: string; project_id: string }>;
        const out: ClaimRow[] = [];
        if (active.length === 0) return out;
        const leaseUntil = req.now + req.leaseMs;
        const take = (job: { id: string; project_id: string }, route: string, n: number): number => {
          const rows = s.claim.all(req.owner, leaseUntil, job.id, route, req.now, n) as ClaimRow[];
          for (const row of rows) {
            row.project_id = job.project_id;
            out.push(row);
          }
          return rows.length;
        };
        for (const { route, limit, skipProjects } of req.routes) {
          // Projects whose own limit on the route is reached are left out (their records wait).
          const skip = new Set(skipProjects ?? []);
          const jobs = skip.size === 0 ? active : active.filter((j) => !skip.has(j.project_id));
          const jobsPerProject = new Map<string, number>();
          for (const job of jobs)
            jobsPerProject.set(job.project_id, (jobsPerProject.get(job.project_id) ?? 0) + 1);
          // Fair share first (each project its weighted slice, split equally between its jobs:
          // fair-shares.ts), then fill what is left in job order, so a small job or project is
          // never stuck behind a huge one and nothing stays idle.
          let left = limit;
          const shares = projectShares(jobsPerProject, limit, req.projectWeights);
          const projectLeft = new Map([...shares].map(([id, share]) => [id, share.projectSlice]));
          for (const job of jobs) {
            if (left <= 0) break;
            const budget = projectLeft.get(job.project_id)!;
            if (budget <= 0) continue;
            const n = take(job, route, Math.min(left, budget, shares.get(job.project_id)!.jobSlice));
            projectLeft.set(job.project_id, budget - n);
            left -= n;
          }
          for (const job of jobs) {
            if (left <= 0) break;
            left -= take(job, route, left);
          }
        }
        return out;
      });
      return claimed.map((r) => {
        const { endpoint, kind } = targetOf(r.job_id);
        const record: ClaimedRecord = {
          id: r.id,
          jobId: r.job_id,
          projectId: r.project_id,
          customId: r.custom_id,
          route: r.route,
          kind,
          endpoint,
          body: r.body,
          attempt: r.attempt,
          maxAttempts: r.max_attempts,
        };
        // An empty body is one stored in parts (a request body is never empty).
        if (r.body === "") record.bodyParts = bodyParts.shape(r.id);
        return record;
      });
    },

    async renewLeases(owner, held, leaseUntil) {
      if (held.length === 0) return [];
      return unsyncedWrite(() => {
        const lost: number[] = [];
        for (const h of held) {
          if (s.renew.run(leaseUntil, h.id, h.attempt, owner).changes === 0) lost.push(h.id);
        }
        return lost;
      });
    },

    async recordResults(results, now) {
      if (results.length === 0) return { accepted: 0, refused: [] };
      const written = db
        .transaction(() => {
          const refused: number[] = [];
          const deltas = new Map<string, JobDelta>();
          for (const result of results) {
            const write = outcomeWrite(result, now);
            const row = runOutcome(write, result) as { job_id: string; state: string } | undefined;
            if (!row) {
              refused.push(result.recordId);
              continue;
            }
            addDelta(deltas, row.job_id, row.state, write);
          }
          for (const [jobId, d] of deltas) addCounts(jobId, d);
          return { accepted: results.length - refused.length, refused };
        })
        .immediate();
      x.noteResults(results.length);
      return written;
    },

    async releaseRecords(owner, held, now, stopError) {
      if (held.length === 0) return;
      db.transaction(() => {
        for (const h of held) {
          const row = s.releaseCancelled.get(
            stopError?.code ?? null,
            stopError?.message ?? null,
            now,
            h.id,
            h.attempt,
            owner,
          );
          if (row) addCounts(row.job_id, { cancelled: 1 });
          else s.release.run(now, h.id, h.attempt, owner);
        }
      }).immediate();
    },

    async nextRunAt(routes) {
      if (routes.length === 0) return null;
      const marks = routes.map(() => "?").join(",");
      const row = db
        .prepare(
          `SELECT MIN(run_at) AS at FROM (
           SELECT run_at FROM records WHERE state = 'pending' AND route IN (${marks}) LIMIT 1000)`,
        )
        .get(...routes) as { at: number | null };
      return row.at;
    },
  };
}

interface JobDelta {
  succeeded: number;
  failed: number;
  cancelled: number;
  input: number;
  output: number;
}

function addDelta(deltas: Map<string, JobDelta>, jobId: string, state: string, w: OutcomeWrite): void {
  let d = deltas.get(jobId);
  if (!d) {
    d = { succeeded: 0, failed: 0, cancelled: 0, input: 0, output: 0 };
    deltas.set(jobId, d);
  }
  if (state === "succeeded") d.succeeded++;
  else if (state === "failed") d.failed++;
  else if (state === "cancelled") d.cancelled++;
  d.input += w.inputTokens ?? 0;
  d.output += w.outputTokens ?? 0;
}
