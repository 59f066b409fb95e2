import type { ClaimedRecord, Outcome } from "../domain/record.js";

/** One finished attempt, as the record worker reports it to an observer (metrics). */
export interface AttemptObservation {
  record: ClaimedRecord;
  route: string;
  /** When the backend call started and ended (epoch ms). */
  startedAt: number;
  finishedAt: number;
  outcome: Outcome;
}

export type AttemptObserver = (observation: AttemptObservation) => void;
