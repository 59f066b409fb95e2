import { describe, expect, it } from "vitest";
import { batchStatusOf, IN_FLIGHT_STATUSES } from "./job-status.js";

describe("Bedrock job status", () => {
  it("maps every Bedrock status onto the shared vocabulary", () => {
    const states = Object.fromEntries(
      [
        "Submitted",
        "Validating",
        "Scheduled",
        "InProgress",
        "Stopping",
        "Stopped",
        "Completed",
        "PartiallyCompleted",
        "Failed",
        "Expired",
      ].map((s) => [s, batchStatusOf(s, undefined).state]),
    );
    expect(states).toEqual({
      Submitted: "validating",
      Validating: "validating",
      Scheduled: "in_progress",
      InProgress: "in_progress",
      Stopping: "cancelling",
      Stopped: "cancelled",
      Completed: "ended",
      PartiallyCompleted: "ended",
      Failed: "failed",
      Expired: "expired",
    });
  });

  it("keeps Bedrock's reason for a failed job, and names one when it gave none", () => {
    expect(batchStatusOf("Failed", "Input file has no records")).toEqual({
      state: "failed",
      error: "Input file has no records",
    });
    expect(batchStatusOf("Failed", "").error).toMatch(/without a message/);
    expect(batchStatusOf("Completed", "done").error).toBeNull();
  });

  it("counts the statuses that hold a slot", () => {
    expect([...IN_FLIGHT_STATUSES].sort()).toEqual(
      ["InProgress", "Scheduled", "Stopping", "Submitted", "Validating"].sort(),
    );
    expect(batchStatusOf("SomethingNew", undefined).state).toBe("in_progress");
  });
});
