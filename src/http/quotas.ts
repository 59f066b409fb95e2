import { type ProjectLimits, type ProjectsConfig, projectLimits } from "../config/projects-config.js";
import { DocketError } from "../domain/errors.js";
import { Gcra } from "../limits/gcra.js";
import type { ProjectUsageStore } from "../store/project-usage-store.js";

/**
 * How far ahead of its steady rate a project may run: a tenth of its minute (at least one
 * request), so a client that sends a burst after a quiet spell is not refused at once, and the
 * minute's requests still cannot all arrive in its first second.
 */
const BURST_SHARE = 0.1;

/**
 * Per-project quotas (docs/security.md, "Quotas and fairness"), checked by the API where work is
 * created. Size quotas (queued records, stored bytes) answer 403 `quota_exceeded`: they free up
 * only as work finishes or files are deleted, so an SDK's automatic retry would not help. Rate
 * and concurrency answer 429 (`rate_limit_exceeded`, `concurrent_jobs_limit_exceeded`), the rate
 * with Retry-After. Checks read the store just before the insert, so simultaneous creations may
 * overshoot a size or job limit by the number in flight; the request rate is counted per API
 * process (N processes behind a load balancer let through up to N × the rate).
 */
export class ProjectQuotas {
  private readonly rates = new Map<string, Gcra>();

  constructor(
    private readonly projects: ProjectsConfig | undefined,
    private readonly store: ProjectUsageStore,
  ) {}

  limitsOf(projectId: string): ProjectLimits {
    return projectLimits(this.projects, projectId);
  }

  /** One API request by the project; over its rate, a 429 with the seconds to wait (`retryAfterS`). */
  takeRequest(projectId: string, now: number): void {
    const rpm = this.limitsOf(projectId).requestsPerMinute;
    if (rpm === undefined) return;
    let gcra = this.rates.get(projectId);
    if (!gcra) {
      // One limiter per project with a limit: bounded by the configured and keyed projects.
      gcra = new Gcra(rpm, Math.max(60_000 / rpm, 60_000 * BURST_SHARE));
      this.rates.set(projectId, gcra);
    }
    const waitMs = gcra.take(1, now);
    if (waitMs === 0) return;
    const retryAfterS = Math.max(1, Math.ceil(waitMs / 1000));
    throw new QuotaError(
      "rate_limit_exceeded",
      `Project '${projectId}' is over its limit of ${rpm} API requests per minute (projects.requestsPerMinute); retry in ${retryAfterS} s.`,
      429,
      retryAfterS,
    );
  }

  /** Before a job (batch, Message Batch, invocation) is created: open jobs and queued records. */
  async checkNewJob(projectId: string): Promise<void> {
    const limits = this.limitsOf(projectId);
    if (limits.maxConcurrentJobs === undefined && limits.maxQueuedRecords === undefined) return;
    const usage = await this.store.projectUsage(projectId);
    if (limits.maxConcurrentJobs !== undefined && usage.openJobs >= limits.maxConcurrentJobs) {
      throw new QuotaError(
        "concurrent_jobs_limit_exceeded",
        `Project '${projectId}' already has ${usage.openJobs} jobs not yet ended, its limit (projects.maxConcurrentJobs = ${limits.maxConcurrentJobs}); wait for one to end or cancel one.`,
        429,
      );
    }
    if (limits.maxQueuedRecords !== undefined && usage.queuedRecords >= limits.maxQueuedRecords) {
      throw new QuotaError(
        "quota_exceeded",
        `Project '${projectId}' has ${usage.queuedRecords} records queued, at or over its limit (projects.maxQueuedRecords = ${limits.maxQueuedRecords}); new jobs are refused until they finish.`,
        403,
      );
    }
  }

  /**
   * Stored bytes before and after an upload: `adding` 0 asks whether the project is already full
   * (before reading a body); the size once known asks whether it fits.
   */
  async checkStorage(projectId: string, adding: number): Promise<void> {
    const max = this.limitsOf(projectId).maxStoredBytes;
    if (max === undefined) return;
    const { storedBytes } = await this.store.projectUsage(projectId);
    if (adding === 0 ? storedBytes < max : storedBytes + adding <= max) return;
    throw new QuotaError(
      "quota_exceeded",
      adding === 0
        ? `Project '${projectId}' stores ${storedBytes} bytes of files, at or over its limit (projects.maxStoredBytes = ${max}); delete files to upload more.`
        : `This upload of ${adding} bytes would bring project '${projectId}' to ${storedBytes + adding} bytes of files, over its limit (projects.maxStoredBytes = ${max}; ${Math.max(0, max - storedBytes)} bytes left).`,
      403,
    );
  }
}

/** A refused quota: a DocketError (status, code, message in the path's dialect) and, for rates, Retry-After. */
export class QuotaError extends DocketError {
  constructor(
    code: string,
    message: string,
    httpStatus: number,
    readonly retryAfterS: number | null = null,
  ) {
    super(code, message, httpStatus);
  }
}
