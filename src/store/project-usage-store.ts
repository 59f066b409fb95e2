import type { JobStatus } from "../domain/job.js";

/** Jobs not yet ended: what a project has "running" for its quotas (job-transitions.ts lists the ended ones). */
export const OPEN_JOB_STATUSES = [
  "validating",
  "in_progress",
  "finalizing",
  "cancelling",
] as const satisfies readonly JobStatus[];

/** What one project holds now, for its quotas (config/projects-config.ts). */
export interface ProjectUsage {
  /** Jobs of every kind not yet ended. */
  openJobs: number;
  /**
   * Records of those jobs not yet finished (from the jobs' counters, so no record is scanned);
   * a job still validating counts none until its records are in.
   */
  queuedRecords: number;
  /** Bytes of the project's files: uploads, invocation payloads and results. */
  storedBytes: number;
}

/** The figures per-project quotas are checked against (docs/security.md, "Quotas and fairness"). */
export interface ProjectUsageStore {
  projectUsage(projectId: string): Promise<ProjectUsage>;
}
