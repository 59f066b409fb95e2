/** Time-driven ends run by maintenance: leases that ran out, jobs past their window. */
export interface ExpiryStore {
  /**
   * Records whose lease ran out go back to pending (or fail once attempts are exhausted, or
   * become cancelled if their job is cancelling). Returns how many were touched.
   */
  requeueExpiredLeases(now: number): Promise<number>;
  /**
   * Ends every lease (records and validations) as of `now`, so the next sweep and claims take
   * them over at once. Only for a process that knows it is alone on the database
   * (`capabilities.exclusive`: embedded `docket serve` at start-up, whose data-dir lock proves
   * the previous holder is dead), so recovery after a crash costs no lease wait.
   */
  expireAllLeases(now: number): Promise<void>;
  /**
   * Jobs past `expiresAt` and not yet terminal: their pending and running records become
   * `expired`, the job goes to finalizing with `expired` as its end. Returns their ids.
   */
  expireJobs(now: number): Promise<string[]>;
}
