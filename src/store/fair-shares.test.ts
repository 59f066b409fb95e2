import { describe, expect, it } from "vitest";
import { projectShares } from "./fair-shares.js";

describe("projectShares", () => {
  it("gives each project an equal slice however many jobs it has, split between its jobs", () => {
    const shares = projectShares(
      new Map([
        ["a", 20],
        ["b", 1],
      ]),
      64,
      undefined,
    );
    expect(shares.get("a")).toEqual({ projectSlice: 32, jobSlice: 2 });
    expect(shares.get("b")).toEqual({ projectSlice: 32, jobSlice: 32 });
  });

  it("weighs projects: 3 to 1 gives three quarters and one quarter", () => {
    const shares = projectShares(
      new Map([
        ["a", 1],
        ["b", 2],
      ]),
      40,
      { byProject: { a: 3 }, defaultWeight: 1 },
    );
    expect(shares.get("a")).toEqual({ projectSlice: 30, jobSlice: 30 });
    expect(shares.get("b")).toEqual({ projectSlice: 10, jobSlice: 5 });
  });

  it("never gives a project or a job less than one record", () => {
    const shares = projectShares(
      new Map([
        ["a", 5],
        ["b", 1],
        ["c", 1],
      ]),
      2,
      { byProject: {}, defaultWeight: 2 },
    );
    expect(shares.get("a")).toEqual({ projectSlice: 1, jobSlice: 1 });
    expect(shares.get("c")).toEqual({ projectSlice: 1, jobSlice: 1 });
  });
});
