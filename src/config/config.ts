/**
 * The shape of `docket.config.json` (documented in docs/configuration.md). Everything has a
 * default so `docket serve --backend URL` works with no file at all.
 */
export interface DocketConfig {
  /** Directory for the SQLite database and the local blob store. */
  dataDir: string;
  /** `sqlite` (embedded default) or a `postgres://` URL. */
  databaseUrl: string | null;
  /** PostgreSQL schema for Docket's tables (created if missing); null: the server's search_path. */
  databaseSchema: string | null;
  /** PostgreSQL connections per process (docs/deployment.md: budget poolSize × processes). */
  databasePoolSize: number;
  /** Where payloads live: a local (or shared) directory, or an S3-compatible bucket. */
  blobs: BlobsConfig;
  server: ServerConfig;
  worker: WorkerConfig;
  retention: RetentionConfig;
  routes: RouteConfig[];
  /** Async invocations (docs/async-and-events.md); defaults when absent. */
  invocations?: InvocationsConfig;
  /** Webhook defaults, signing and delivery (docs/async-and-events.md); defaults when absent. */
  webhooks?: WebhooksConfig;
}

export interface InvocationsConfig {
  /** Largest payload accepted on POST /v1/async/invocations (default 1 GiB); beyond it, 413. */
  maxPayloadBytes: number;
  /** How long an invocation may wait in the queue before it fails `request_ttl_expired` (6 h). */
  defaultTtlMs: number;
  /** How long one attempt may run before it fails `invocation_timeout` (15 min). */
  defaultTimeoutMs: number;
}

export interface WebhooksConfig {
  /** Where `batch.completed` / `invocation.succeeded` go for jobs without their own URL. */
  successUrl: string | null;
  /** Where failure, expiry and cancellation events go for jobs without their own URL. */
  errorUrl: string | null;
  /** HMAC-SHA256 key for `Docket-Signature` (`env:NAME` reads it from the environment). */
  secret: string | null;
  /** Loopback/private/link-local targets are refused unless true, or listed (IPs or CIDRs). */
  allowPrivateTargets: boolean | string[];
  /** A failing delivery is retried with backoff for this long (default 24 h). */
  retryForMs: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  /** Per attempt. */
  timeoutMs: number;
  /** How often the delivery loop looks for due deliveries. */
  pollMs: number;
  /** Makes result locations in events absolute (e.g. `https://docket.example.com`). */
  publicBaseUrl: string | null;
}

export type BlobsConfig =
  | { type: "local" /** Default `<dataDir>/blobs`. */; dir?: string }
  | {
      type: "s3";
      bucket: string;
      /** For S3-compatible servers (MinIO, R2…); AWS when absent. */
      endpoint?: string;
      region?: string;
      /** Prepended to every key, e.g. `docket/`. */
      prefix?: string;
      forcePathStyle?: boolean;
    };

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
  /**
   * With several worker processes, how long the elected maintenance leader holds the lead
   * without renewing it (failover time when it dies); default: `leaseMs`.
   */
  leaderLeaseMs?: number;
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
  /** What the backend charges, for estimates and job budgets; else the built-in price table. */
  price?: RoutePrice;
}

/** USD per million tokens; `batchDiscount` is the provider batch API's fraction off (0.5 = half). */
export interface RoutePrice {
  inputPerMTok: number;
  outputPerMTok: number;
  batchDiscount?: number;
}

export const DEFAULT_ROUTE_SETTINGS = { concurrency: 16, timeoutMs: 600_000, maxAttempts: 12 } as const;

export function defaultConfig(): DocketConfig {
  return {
    dataDir: ".docket",
    databaseUrl: null,
    databaseSchema: null,
    databasePoolSize: 10,
    blobs: { type: "local" },
    server: { host: "127.0.0.1", port: 8080, maxUploadBytes: 200 * 1024 * 1024, apiKey: null },
    worker: { leaseMs: 30_000, claimBatch: 64, pollMs: 1000, sqliteSynchronous: "FULL", maintenanceMs: 250 },
    retention: { outputFileMs: 30 * 86_400_000 },
    invocations: { maxPayloadBytes: 1024 ** 3, defaultTtlMs: 6 * 3_600_000, defaultTimeoutMs: 15 * 60_000 },
    webhooks: {
      successUrl: null,
      errorUrl: null,
      secret: null,
      allowPrivateTargets: false,
      retryForMs: 24 * 3_600_000,
      backoffBaseMs: 10_000,
      backoffCapMs: 3_600_000,
      timeoutMs: 10_000,
      pollMs: 1000,
      publicBaseUrl: null,
    },
    routes: [],
  };
}
