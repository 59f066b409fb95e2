/**
 * Results while a job runs (issue 14, docs/partial-results.md): how far a job's records have
 * ended without a gap, read from a cursor in input order. A record that has ended (succeeded,
 * failed, cancelled, expired) never changes again, so the run of ended records after a cursor is
 * final: its lines are the ones the output files will hold.
 */
export interface PartialResultStore {
  /**
   * The ended records right after `afterPosition`, in input order, up to the first record still
   * open (pending or running), to `beforePosition` (exclusive; absent: the job's end) and to
   * `limit` records. Reads at most `limit` records' positions and states (the positions index),
   * whatever lies beyond.
   */
  endedRun(jobId: string, afterPosition: number, limit: number, beforePosition?: number): Promise<EndedRun>;
}

export interface EndedRun {
  /** How many records the run holds (0 when the next record is open, or there is none). */
  ended: number;
  /** The position of its last record; null when it is empty. */
  lastPosition: number | null;
  /**
   * Whether records may follow the run (before `beforePosition`): one still open, or `limit`
   * reached. False once every record up to the bound has been covered.
   */
  more: boolean;
}

/** Above every position (a 32-bit integer column on both engines): the bound when a caller gives none. */
export const NO_POSITION_BOUND = 2 ** 31 - 1;
