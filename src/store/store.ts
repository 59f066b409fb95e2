import type { BacklogStore } from "./backlog-store.js";
import type { BudgetStore } from "./budget-store.js";
import type { StoreCapabilities } from "./capabilities.js";
import type { CoordinationStore } from "./coordination-store.js";
import type { DedupStore } from "./dedup-store.js";
import type { ExpiryStore } from "./expiry-store.js";
import type { FileStore } from "./file-store.js";
import type { FinalizeStore } from "./finalize-store.js";
import type { InsightStore } from "./insight-store.js";
import type { InvocationStore } from "./invocation-store.js";
import type { JobStore } from "./job-store.js";
import type { KeyStore } from "./key-store.js";
import type { LineageStore } from "./lineage-store.js";
import type { PartialResultStore } from "./partial-result-store.js";
import type { ProjectUsageStore } from "./project-usage-store.js";
import type { ProviderJobStore } from "./provider-job-store.js";
import type { RecordStore } from "./record-store.js";
import type { RetentionStore } from "./retention-store.js";
import type { ValidationStore } from "./validation-store.js";
import type { WebhookStore } from "./webhook-store.js";

export type { EndStatus } from "../domain/job-transitions.js";
export type { BacklogStat, BacklogStore } from "./backlog-store.js";
export type { BudgetedJob, BudgetStore } from "./budget-store.js";
export type { LargeBodies, StoreCapabilities, WorkHints } from "./capabilities.js";
export type { CoordinationStore } from "./coordination-store.js";
export type { CacheBounds, DedupStore, HandOnRequest, HandOnResult } from "./dedup-store.js";
export type { ExpiryStore } from "./expiry-store.js";
export type { FileQuery, FileStore } from "./file-store.js";
export type { FinalFiles, FinalizeStore } from "./finalize-store.js";
export type { InsightStore } from "./insight-store.js";
export type { InvocationStore } from "./invocation-store.js";
export type { JobStore, NewJob } from "./job-store.js";
export type { KeyStore } from "./key-store.js";
export type { LineageStore } from "./lineage-store.js";
export type { EndedRun, PartialResultStore } from "./partial-result-store.js";
export type { ProjectUsage, ProjectUsageStore } from "./project-usage-store.js";
export type {
  BoundRecord,
  ProviderJobShare,
  ProviderJobStore,
  ProviderJobUsage,
} from "./provider-job-store.js";
export type { ClaimRequest, HeldLease, RecordStore } from "./record-store.js";
export type { RetentionStore } from "./retention-store.js";
export type { ValidationStore } from "./validation-store.js";
export type { WebhookStore } from "./webhook-store.js";

/**
 * The one seam between Docket and its database, grouped by noun (one small interface each, in
 * its own file; each engine implements each noun in its own file). Operation-level: callers
 * never see a connection or a transaction, so the SQLite and PostgreSQL engines are
 * interchangeable and one contract suite (test/store-contract/) runs on both.
 *
 * A caller that needs one noun depends on that noun (`store: JobStore`); `Store` is all of them
 * together, which is what an engine opens. What only some engines can do is a named capability
 * (`capabilities`), asked for, never inferred from the engine's name.
 *
 * Times are epoch milliseconds passed in by the caller (`now`), so tests control the clock.
 */
export interface Store
  extends FileStore,
    JobStore,
    ValidationStore,
    RecordStore,
    ExpiryStore,
    FinalizeStore,
    PartialResultStore,
    RetentionStore,
    CoordinationStore,
    BudgetStore,
    InvocationStore,
    WebhookStore,
    BacklogStore,
    InsightStore,
    KeyStore,
    ProjectUsageStore,
    ProviderJobStore,
    LineageStore,
    DedupStore {
  /** Which engine this is, for logs and diagnostics only: decide on `capabilities`, not on this. */
  readonly engine: "sqlite" | "postgres";
  readonly capabilities: StoreCapabilities;
  close(): Promise<void>;
}
