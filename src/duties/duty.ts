/**
 * Background work a process does on a timer: one pass every `intervalMs`, and at once when
 * woken. Which processes run it is said where it is handed to the duty runner (duty-runner.ts).
 */
export interface Duty {
  /** For logs, and the name `wake()` and `stop()` know it by. */
  readonly name: string;
  /** Pause between the end of one pass and the start of the next. */
  readonly intervalMs: number;
  /** `at-start` (default): the first pass runs as soon as the duty starts; `after-interval`: one interval later. */
  readonly firstPass?: "at-start" | "after-interval";
  /**
   * One pass. A throw is logged and the next pass retries. `stopping` aborts when the duty is
   * being stopped, for a pass that loops over pages to end early.
   */
  pass(stopping: AbortSignal): Promise<void>;
  /**
   * How a wake-up reaches this duty; default: a pass as soon as the loop is free. For duties
   * whose pass coalesces itself and must begin before the caller's next step (validation).
   */
  wake?(): void;
  /** After its last pass, once stopped: release what the duty holds (sockets, its registry row). */
  close?(): Promise<void>;
}

/**
 * A duty as handed to the runner. `every-process`: each process does its own (its heartbeat,
 * its validation), built once. `leader`: done for everyone by one process at a time (the
 * elected one, or the only one); built anew at each election, since a deposed leader's duties
 * are closed and a later lead starts fresh ones.
 */
export type DutyEntry = { scope: "every-process"; duty: Duty } | { scope: "leader"; create: () => Duty };
