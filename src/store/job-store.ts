import type { JobDedupOptions } from "../domain/dedup.js";
import type { Endpoint, Job, JobFormat, JobKind } from "../domain/job.js";

/** Jobs as clients see them: create, read, list, cancel (domain/job-transitions.ts says from where). */
export interface JobStore {
  insertJob(job: NewJob): Promise<Job>;
  getJob(id: string): Promise<Job | undefined>;
  /**
   * Newest first; `after` is the id of the last job of the previous page (older jobs follow),
   * `before` the id of the first (the newer jobs just before it, still newest first).
   * `formats`: only jobs of these formats.
   */
  listJobs(query: {
    after?: string;
    before?: string;
    limit: number;
    kind?: JobKind;
    formats?: readonly JobFormat[];
    /** Only this project's jobs; absent: every project's (an admin's view). */
    projectId?: string;
  }): Promise<Job[]>;
  /** in_progress/validating → cancelling; pending records → cancelled. Undefined if unknown. */
  cancelJob(id: string, now: number): Promise<Job | undefined>;
  /**
   * Deletes an ended job with its records (an Anthropic batch's DELETE); false when the job is
   * unknown or not ended. Its files are the caller's to delete.
   */
  deleteJob(id: string): Promise<boolean>;
}

export interface NewJob {
  id: string;
  /** The project that owns it. */
  projectId: string;
  /** Default `openai`. */
  format?: JobFormat;
  /** The model, when the job names it at creation (a Bedrock batch); else set by validation. */
  model?: string | null;
  endpoint: Endpoint;
  inputFileId: string;
  completionWindow: string;
  metadata: Record<string, string> | null;
  createdAt: number;
  expiresAt: number;
  /** Where the job's end event goes (webhooks); absent: config defaults. */
  webhookUrl?: string | null;
  /** OpenAI's `output_expires_after.seconds` (anchor created_at); absent/null: config retention. */
  outputExpiresAfterSeconds?: number | null;
  /** The batch this one retries (docs/lineage.md); absent/null: none. */
  parentJobId?: string | null;
  /** The route every record gets instead of its model's (a retry's `route`); absent/null: by model. */
  pinnedRoute?: string | null;
  /** Identical requests once (docs/dedup-and-cache.md): what the job asks for; absent: its routes' settings. */
  dedup?: JobDedupOptions;
}
