import { describe, expect, it } from "vitest";
import type { JobStatus } from "../domain/job.js";
import { isComplete, linesAreFinal, parseCursor } from "./partial-cursor.js";

describe("partial-results cursor", () => {
  it("reads a whole number from 0 and refuses anything else, naming the parameter", () => {
    expect(parseCursor(undefined, "after", 0)).toBe(0);
    expect(parseCursor("0", "after", 5)).toBe(0);
    expect(parseCursor("12345", "after", 0)).toBe(12345);
    expect(parseCursor("2147483647", "after", 0)).toBe(2 ** 31 - 1);
    for (const bad of ["-1", "1.5", "1e3", "abc", " 1", "0x10", "2147483648", "99999999999"]) {
      expect(() => parseCursor(bad, "until", 0), bad).toThrow(/'until' must be a cursor/);
    }
  });
});

describe("when ended records are final lines", () => {
  const job = (status: JobStatus, validated: boolean) => ({ status, inProgressAt: validated ? 1 : null });

  it("serves nothing while validation may still rewrite the records or fail the batch", () => {
    expect(linesAreFinal(job("validating", false))).toBe(false);
    expect(linesAreFinal(job("failed", false))).toBe(false);
    // Cancelled while validating: the validator may still be running.
    expect(linesAreFinal(job("cancelling", false))).toBe(false);
  });

  it("serves once validation has finished, whatever comes after", () => {
    for (const status of [
      "in_progress",
      "cancelling",
      "finalizing",
      "completed",
      "cancelled",
      "expired",
    ] as const) {
      expect(linesAreFinal(job(status, true)), status).toBe(true);
    }
    // Expired or cancelled jobs whose validation never finished are finalized from what is stored.
    expect(linesAreFinal(job("finalizing", false))).toBe(true);
    expect(linesAreFinal(job("expired", false))).toBe(true);
  });

  it("is complete only once the job has ended and nothing follows the cursor", () => {
    expect(isComplete({ status: "completed" }, false)).toBe(true);
    expect(isComplete({ status: "completed" }, true)).toBe(false);
    expect(isComplete({ status: "finalizing" }, false)).toBe(false);
    expect(isComplete({ status: "in_progress" }, false)).toBe(false);
    expect(isComplete({ status: "failed" }, false)).toBe(true);
  });
});
