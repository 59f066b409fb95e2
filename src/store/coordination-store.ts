/** Coordination between processes sharing the database: duty leaders and live workers. */
export interface CoordinationStore {
  /**
   * Takes or renews the lead of duty `name` (e.g. "maintenance") for `owner` until now +
   * leaseMs, in one atomic statement: true if `owner` now leads (it already did, the lead was
   * free, or the previous leader's lease ran out), false if another process holds it.
   */
  tryLead(name: string, owner: string, leaseMs: number, now: number): Promise<boolean>;
  /** Gives the lead up at once (graceful shutdown), so another process takes it without waiting. */
  resignLead(name: string, owner: string): Promise<void>;
  /**
   * Records that worker process `owner` (serving `routes`) is alive at `now`. Rows silent for
   * over an hour are removed on the way, so crashed processes do not pile up.
   */
  heartbeatWorker(owner: string, routes: string[], now: number): Promise<void>;
  /** Worker processes whose last heartbeat is within `staleMs` of now (at least the caller's). */
  liveWorkers(now: number, staleMs: number): Promise<number>;
  /** Removes a worker process from the registry (graceful shutdown). */
  forgetWorker(owner: string): Promise<void>;
}
