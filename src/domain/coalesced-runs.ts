/**
 * One pass at a time: a call while a pass runs asks for one more pass after it (however many
 * calls came meanwhile) instead of starting a second one beside it, so a wake-up during a pass is
 * never lost. The loops that drain work (claiming records, validation, stop checks) run through it.
 */
export class CoalescedRuns {
  private running = false;
  private again = false;

  /** `pass` may end the run at once, whatever was asked meanwhile, by returning false. */
  constructor(private readonly pass: () => Promise<boolean | undefined> | Promise<void>) {}

  /** Whether a pass is running now. */
  get busy(): boolean {
    return this.running;
  }

  /** Asks for one more pass after the current one (from inside a pass: more work may wait). */
  repeat(): void {
    this.again = true;
  }

  /**
   * Runs passes until none is asked for; false, at once, when a run is already going (it is
   * asked for one more pass). A pass that throws ends the run: the error is the caller's.
   */
  async run(): Promise<boolean> {
    if (this.running) {
      this.again = true;
      return false;
    }
    this.running = true;
    try {
      do {
        this.again = false;
        if ((await this.pass()) === false) break;
      } while (this.again);
    } finally {
      this.running = false;
    }
    return true;
  }
}
