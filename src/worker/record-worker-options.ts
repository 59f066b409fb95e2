import type { BackendRegistry } from "../backends/backend-registry.js";
import type { ModelPricing } from "../budget/job-pricing.js";
import type { RouteConfig } from "../config/config.js";
import type { ProjectsConfig, ProjectWeights } from "../config/projects-config.js";
import type { ClaimedRecord } from "../domain/record.js";
import type { JobKinds } from "../jobs/job-kind.js";
import type { RouteGate } from "../limits/route-gate.js";
import type { Store } from "../store/store.js";
import type { AttemptObserver } from "./attempt-observer.js";

export interface RecordWorkerOptions {
  store: Store;
  backends: BackendRegistry;
  /** How each kind of job turns a claimed record into its backend request. */
  kinds: JobKinds;
  routes: RouteConfig[];
  /** Unique per process: leases are held in this name. */
  owner: string;
  leaseMs: number;
  claimBatch: number;
  pollMs: number;
  /** Called when the worker runs out of work, so maintenance can finalize promptly. */
  onIdle?: () => void;
  /** Told about every finished attempt (metrics: processing time, outcomes, tokens). */
  onAttempt?: AttemptObserver;
  /** Prices for job budgets, which this worker enforces before each request; default: the built-in table. */
  pricing?: ModelPricing;
  /** A job stop was decided here (its budget): tell other processes, poke maintenance. */
  onJobStopped?: (jobId: string) => void;
  /** Abort the requests in flight of a job that stops (default false: they may finish). */
  abortInFlightOnStop?: boolean;
  /**
   * Other processes share the store (PostgreSQL): at most this often, while records are
   * prefetched, ask the store whether their jobs were stopped elsewhere (and on every work hint,
   * see `checkStops`). Null: every stop reaches this worker in-process (embedded SQLite).
   */
  stopCheckMs?: number | null;
  /** Each project's share of a route when several have work (config `projects.*.weight`); absent: equal. */
  projectWeights?: ProjectWeights;
  /** Projects' own ceilings on routes (config `projects.*.routes`); absent: none. */
  projects?: ProjectsConfig;
}

/** One route inside a worker: its gate, what runs and what is prefetched. */
export interface RouteSlot {
  config: RouteConfig;
  gate: RouteGate;
  inFlight: number;
  /** Set while the gate holds the route (rate limit, Retry-After pause): when to look again. */
  gateTimer: NodeJS.Timeout | null;
  /** Claimed but not started: a small prefetch so a freed slot starts at once, no store trip. */
  queue: ClaimedRecord[];
  /**
   * Projects at their own ceiling on this route at the last start pass: their queued records
   * wait, do not count as prefetch, and are not claimed, so other projects' records go on.
   */
  heldProjects: Set<string>;
  /** Set while a held project's rate gate is closed: when it opens, look again. */
  projectTimer: NodeJS.Timeout | null;
}

export interface Held {
  record: ClaimedRecord;
  controller: AbortController | null;
}
