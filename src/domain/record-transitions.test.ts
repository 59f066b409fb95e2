import { describe, expect, it } from "vitest";
import { attemptsExhausted, notFinishedNext, releasedNext } from "./record-transitions.js";

describe("record transitions", () => {
  it("counts attempts given back by a graceful release as unused", () => {
    expect(attemptsExhausted({ attempt: 3, released: 0, maxAttempts: 3 })).toBe(true);
    expect(attemptsExhausted({ attempt: 3, released: 1, maxAttempts: 3 })).toBe(false);
  });

  it("sends a lapsed or retried record back to pending while attempts remain", () => {
    expect(notFinishedNext("in_progress", { attempt: 1, released: 0, maxAttempts: 3 })).toBe("pending");
    expect(notFinishedNext("in_progress", { attempt: 3, released: 0, maxAttempts: 3 })).toBe("failed");
  });

  it("ends a cancelling job's record cancelled, whatever its attempts", () => {
    expect(notFinishedNext("cancelling", { attempt: 1, released: 0, maxAttempts: 3 })).toBe("cancelled");
    expect(notFinishedNext("cancelling", { attempt: 3, released: 0, maxAttempts: 3 })).toBe("cancelled");
  });

  it("gives a released record back unless its job is cancelling", () => {
    expect(releasedNext("in_progress")).toBe("pending");
    expect(releasedNext("cancelling")).toBe("cancelled");
  });
});
