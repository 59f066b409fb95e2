import type { ValidationRunner } from "../validation/validation-runner.js";
import type { Duty } from "./duty.js";

export const VALIDATION = "validation";

/**
 * An every-process duty: look for submitted batches to validate every `pollMs` and whenever
 * work is hinted. Hints can be lost (a listener reconnecting), so the poll stays the truth, as
 * the record worker's own poll does for records.
 *
 * `drain()` coalesces calls itself and may run for as long as a large file takes, so a pass
 * only starts it: a stopping process never waits for a validation in progress, and a wake-up
 * starts it at once, before the worker and maintenance look (a new batch's records exist only
 * once it is validated, and it is on the submit-to-start path).
 */
export function validationDrainDuty(validation: ValidationRunner, pollMs: number): Duty {
  const drain = () => void validation.drain();
  return {
    name: VALIDATION,
    intervalMs: pollMs,
    async pass() {
      drain();
    },
    wake: drain,
  };
}
