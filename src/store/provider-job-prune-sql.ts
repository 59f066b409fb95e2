import { ENDED_JOB_STATUSES } from "../domain/job-transitions.js";
import { TERMINAL_PROVIDER_JOB_STATES } from "../domain/provider-job.js";
import { sqlList } from "./sql-list.js";

/**
 * Which provider jobs retention deletes (both engines; `endedBefore` is the engine's placeholder
 * for now − retention): ended ones whose Docket jobs are all gone (pruned, or never had a record
 * bound), or that ended at least the retention ago and whose Docket jobs have all ended. A
 * provider job a Docket job still in progress ran records of is kept: its batch-priced usage is
 * that job's budget spend and cost report. One still holding a bound record is never deleted.
 * A scan of `provider_jobs`, which holds one row per provider job (tens of thousands of
 * records each), so it stays small.
 */
export function prunableProviderJobsWhere(endedBefore: string): string {
  return `p.state IN (${sqlList(TERMINAL_PROVIDER_JOB_STATES)})
    AND (
      NOT EXISTS (SELECT 1 FROM provider_job_members m JOIN jobs j ON j.id = m.job_id
                  WHERE m.provider_job_id = p.id)
      OR (COALESCE(p.ended_at, p.updated_at) <= ${endedBefore}
          AND NOT EXISTS (SELECT 1 FROM provider_job_members m JOIN jobs j ON j.id = m.job_id
                          WHERE m.provider_job_id = p.id AND j.status NOT IN (${sqlList(ENDED_JOB_STATUSES)})))
    )
    AND NOT EXISTS (SELECT 1 FROM records r WHERE r.provider_job_id = p.id AND r.state = 'running')`;
}
