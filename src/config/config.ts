/**
 * The shape of `docket.config.json` (documented in docs/configuration.md). Everything has a
 * default so `docket serve --backend URL` works with no file at all.
 */
export interface DocketConfig {
  /** Directory for the SQLite database and the local blob store. */
  dataDir: string;
  /** `sqlite` (embedded default) or a `postgres://` URL. */
  databaseUrl: string | null;
  server: ServerConfig;
  worker: WorkerConfig;
  retention: RetentionConfig;
  routes: RouteConfig[];
}

export interface RetentionConfig {
  /** How long output and error files are kept after a job ends (null: forever). */
  outputFileMs: number | null;
}

export interface ServerConfig {
  host: string;
  port: number;
  /** Largest accepted upload on POST /v1/files. */
  maxUploadBytes: number;
  /** Optional bearer token required on every API call. */
  apiKey: string | null;
}

export interface WorkerConfig {
  /** How long a claimed record stays leased without a heartbeat. */
  leaseMs: number;
  /** Records claimed per route per round trip to the store. */
  claimBatch: number;
  /** How often an idle worker looks for work when nothing wakes it. */
  pollMs: number;
  /** SQLite `synchronous`: FULL survives power loss, NORMAL only process crashes. */
  sqliteSynchronous: "FULL" | "NORMAL";
  /** How often maintenance (lease sweep, expiry, finalize) runs. */
  maintenanceMs: number;
}

export type BackendConfig =
  | { type: "openai"; baseUrl: string; apiKey?: string; headers?: Record<string, string> }
  | { type: "llamacpp"; model: string; contexts?: number; contextSize?: number };

export interface RouteConfig {
  /** A name for logs and metrics. */
  name: string;
  /** Model names this route serves: exact names or globs such as `gpt-4o*`; `*` matches all. */
  models: string[];
  backend: BackendConfig;
  /**
   * Requests in flight at once to this backend, per worker process; with `adaptive` the
   * ceiling of what the adaptive loop may reach.
   */
  concurrency: number;
  /** Find the concurrency the backend sustains (docs/limits.md) instead of holding `concurrency`. */
  adaptive?: boolean;
  /** Requests per minute for the route, shared by all worker processes. */
  rpm?: number;
  /** Input + output tokens per minute for the route, shared by all worker processes. */
  tpm?: number;
  /** Per-request timeout; a timed-out request is retried. */
  timeoutMs: number;
  /** Attempts before a retryable failure becomes final. */
  maxAttempts: number;
  /** Context window in tokens, when known (used by validation). */
  contextLength?: number;
}

export const DEFAULT_ROUTE_SETTINGS = { concurrency: 16, timeoutMs: 600_000, maxAttempts: 12 } as const;

export function defaultConfig(): DocketConfig {
  return {
    dataDir: ".docket",
    databaseUrl: null,
    server: { host: "127.0.0.1", port: 8080, maxUploadBytes: 200 * 1024 * 1024, apiKey: null },
    worker: { leaseMs: 30_000, claimBatch: 64, pollMs: 1000, sqliteSynchronous: "FULL", maintenanceMs: 250 },
    retention: { outputFileMs: 30 * 86_400_000 },
    routes: [],
  };
}
