import type { AutoBackendConfig, BatchBackendConfig } from "./batch-backend-types.js";
import type { DedupConfig } from "./dedup-config.js";
import type { ProjectsConfig } from "./projects-config.js";
import type { ValidationLimits } from "./validation-limits.js";

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
  /** Opening one PostgreSQL connection (TCP, TLS, handshake): 10 s; 0 turns it off. */
  databaseConnectTimeoutMs: number;
  /**
   * One PostgreSQL statement, lock waits included (`statement_timeout`): 60 s. Docket's
   * statements take milliseconds; one that takes a minute is stuck. 0: the server's setting.
   */
  databaseStatementTimeoutMs: number;
  /** A transaction left open and idle (`idle_in_transaction_session_timeout`): 60 s; 0: the server's. */
  databaseIdleInTransactionTimeoutMs: number;
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
  /**
   * Input-file validation limits (line length, nesting depth, custom_id length, attempts,
   * listed errors); each absent field takes its default (validation-limits.ts).
   */
  validation?: Partial<ValidationLimits>;
  /** Per-project quotas and fair-share weights (projects-config.ts); absent: no limits, equal shares. */
  projects?: ProjectsConfig;
  /** Identical requests once and the response cache (dedup-config.ts); absent: the defaults. */
  dedup?: DedupConfig;
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
      /** TCP connect to the endpoint (default 10 s). */
      connectTimeoutMs?: number;
      /** From sending a request to its response headers, body upload included (default 120 s). */
      requestTimeoutMs?: number;
      /** No byte either way on a connection, response bodies included (default 60 s). */
      idleTimeoutMs?: number;
      /** Tries per S3 call, first included, with the SDK's backoff (default 3). */
      maxAttempts?: number;
    };

export interface RetentionConfig {
  /** How long output and error files are kept after a job ends (null: forever). */
  outputFileMs: number | null;
  /**
   * A blob store temp file (`*.tmp`: an upload or output still being written) untouched this
   * long is an orphan of a crashed writer and is deleted (default 1 h). Writers touch theirs
   * at least every idle timeout, far below this.
   */
  tempFileGraceMs: number;
  /** How often orphan temp files are looked for (default 10 min). */
  tempSweepMs: number;
}

export interface ServerConfig {
  host: string;
  port: number;
  /** Largest accepted upload on POST /v1/files. */
  maxUploadBytes: number;
  /**
   * Optional bearer token required on every API call but /health; `env:NAME` reads it from the
   * environment. An empty key (or an unset/empty variable) is refused at start-up.
   */
  apiKey: string | null;
  /**
   * Lets the server start on a non-loopback address with no key at all (`--insecure-no-auth`):
   * without it, such a start is refused, since anyone who can reach the port could do anything.
   */
  insecureNoAuth: boolean;
  /** Time to receive a request's headers (slowloris guard); Node's default, 60 s. */
  headersTimeoutMs: number;
  /**
   * Time to receive a whole request, body included: 1 h, so a GiB upload still fits at
   * ~300 KB/s. A stalled upload is cut much sooner by `idleTimeoutMs`.
   */
  requestTimeoutMs: number;
  /**
   * A connection with no bytes either way for this long is closed and its request aborted
   * (partial uploads deleted): 60 s, as common load balancers; SSE heartbeats every 15 s keep
   * event streams alive.
   */
  idleTimeoutMs: number;
  /** Open connections at most; beyond, new ones are closed at once (512 fits a 1024-fd ulimit). */
  maxConnections: number;
  /**
   * Longest `completion_window` a batch may ask for (default 7 days). OpenAI only offers `24h`;
   * Docket accepts other durations, but a window of a year would keep a stuck job (and its
   * records) alive for a year, so beyond this a batch is refused with a 400.
   */
  maxCompletionWindowMs: number;
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
  /**
   * When a job stops (cancel, budget, expiry), abort its requests already in flight instead of
   * letting them finish (default false: a backend may still bill an aborted request, and its
   * answer is then lost). Records not yet sent are never sent either way.
   */
  abortInFlightOnStop?: boolean;
  /**
   * PostgreSQL with several processes: how often (ms, at most) a worker holding prefetched
   * records asks the store whether their jobs were stopped by another process, should the
   * LISTEN/NOTIFY hint every stop sends be lost. Default 100.
   */
  stopCheckMs?: number;
}

export type BackendConfig =
  | { type: "openai"; baseUrl: string; apiKey?: string; headers?: Record<string, string> }
  | { type: "llamacpp"; model: string; contexts?: number; contextSize?: number }
  | AnthropicBackendConfig
  | BedrockBackendConfig
  // Provider batch APIs and hybrid routes (issue 13, docs/provider-batch.md).
  | BatchBackendConfig
  | AutoBackendConfig;

/** Anthropic's Messages API (docs/providers.md#anthropic). */
export interface AnthropicBackendConfig {
  type: "anthropic";
  /** The host, without `/v1` (default https://api.anthropic.com). */
  baseUrl?: string;
  /** Sent as `x-api-key`; `env:NAME` reads it from the environment. */
  apiKey?: string;
  /** The `anthropic-version` header (default 2023-06-01). */
  version?: string;
  headers?: Record<string, string>;
}

/** Amazon Bedrock Runtime through the AWS SDK (docs/providers.md#amazon-bedrock). */
export interface BedrockBackendConfig {
  type: "bedrock";
  /** AWS region, e.g. us-east-1; absent: the SDK's chain (AWS_REGION, ~/.aws/config). */
  region?: string;
  /** Endpoint override (a VPC interface endpoint, a test fake); absent: the region's own. */
  endpoint?: string;
  /** Static credentials (`env:NAME` allowed); absent: the AWS default credential chain. */
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** A fixed model id or ARN for this route; absent: the one in the record's endpoint path. */
  modelId?: string;
}

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
  /**
   * Waiting for the backend's response headers once the request is sent; default: `timeoutMs`
   * (a non-streamed completion sends its headers only when it is done).
   */
  headersTimeoutMs?: number;
  /** Longest silence in the middle of a response body (default 120 s); a timed-out request is retried. */
  bodyTimeoutMs?: number;
  /** Attempts before a retryable failure becomes final. */
  maxAttempts: number;
  /** Context window in tokens, when known (used by validation). */
  contextLength?: number;
  /** What the backend charges, for estimates and job budgets; else the built-in price table. */
  price?: RoutePrice;
  /** Identical requests of a job sent once (docs/dedup-and-cache.md) unless the job says otherwise (default false). */
  dedup?: boolean;
  /** The response cache for this route; absent: the config's `dedup.cache.enabled`. */
  cache?: boolean;
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
    databaseConnectTimeoutMs: 10_000,
    databaseStatementTimeoutMs: 60_000,
    databaseIdleInTransactionTimeoutMs: 60_000,
    blobs: { type: "local" },
    server: {
      host: "127.0.0.1",
      port: 8080,
      maxUploadBytes: 200 * 1024 * 1024,
      apiKey: null,
      insecureNoAuth: false,
      headersTimeoutMs: 60_000,
      requestTimeoutMs: 3_600_000,
      idleTimeoutMs: 60_000,
      maxConnections: 512,
      maxCompletionWindowMs: 7 * 86_400_000,
    },
    worker: { leaseMs: 30_000, claimBatch: 64, pollMs: 1000, sqliteSynchronous: "FULL", maintenanceMs: 250 },
    retention: { outputFileMs: 30 * 86_400_000, tempFileGraceMs: 3_600_000, tempSweepMs: 600_000 },
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
