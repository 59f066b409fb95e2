import type { JobKind } from "../domain/job.js";

/** The backlog as autoscalers and `/metrics` read it (src/events/metrics.ts). */
export interface BacklogStore {
  /**
   * Work waiting and running, per route and job kind, with when the oldest waiting item
   * became runnable. Reads only the partial indexes of pending and running records.
   */
  backlogStats(now: number): Promise<BacklogStat[]>;
}

export interface BacklogStat {
  route: string;
  kind: JobKind;
  /** Records pending (runnable now or waiting for a retry) in in-progress jobs. */
  waiting: number;
  running: number;
  /** When the oldest waiting record's job started running (epoch ms); null if none waits. */
  oldestWaitingSince: number | null;
}
