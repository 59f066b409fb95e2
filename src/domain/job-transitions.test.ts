import { describe, expect, it } from "vitest";
import type { JobStatus } from "./job.js";
import { allRecordsEnded, canCancel, canExpire, finalizeMove, type JobCounts } from "./job-transitions.js";

const ALL: JobStatus[] = [
  "validating",
  "failed",
  "in_progress",
  "finalizing",
  "completed",
  "expired",
  "cancelling",
  "cancelled",
];
const counts = (c: Partial<JobCounts>): JobCounts => ({
  total: 3,
  succeeded: 0,
  failed: 0,
  cancelled: 0,
  expired: 0,
  ...c,
});

describe("job transitions", () => {
  it("cancels only jobs still validating or in progress", () => {
    expect(ALL.filter(canCancel)).toEqual(["validating", "in_progress"]);
  });

  it("expires every job not yet finalizing or ended", () => {
    expect(ALL.filter(canExpire)).toEqual(["validating", "in_progress", "cancelling"]);
  });

  it("sees a job as done when every record has an end", () => {
    expect(allRecordsEnded(counts({ succeeded: 1, failed: 1 }))).toBe(false);
    expect(allRecordsEnded(counts({ succeeded: 1, failed: 1, expired: 1 }))).toBe(true);
    expect(allRecordsEnded(counts({ total: 0 }))).toBe(true);
  });

  it("finalizes an in-progress job as completed once every record ended", () => {
    expect(finalizeMove("in_progress", counts({ succeeded: 3 }), false, false)).toBe("completed");
    expect(finalizeMove("in_progress", counts({ succeeded: 2, cancelled: 1 }), false, false)).toBe(
      "completed",
    );
    expect(finalizeMove("in_progress", counts({ succeeded: 2 }), true, false)).toBeNull();
  });

  it("finalizes a cancelling job as cancelled once drained and its validator gone", () => {
    expect(finalizeMove("cancelling", counts({}), false, false)).toBe("cancelled");
    expect(finalizeMove("cancelling", counts({}), true, false)).toBeNull();
    expect(finalizeMove("cancelling", counts({}), false, true)).toBeNull();
  });

  it("moves nothing else to finalizing", () => {
    for (const s of ALL.filter((s) => s !== "in_progress" && s !== "cancelling"))
      expect(finalizeMove(s, counts({ succeeded: 3 }), false, false)).toBeNull();
  });
});
