import { afterEach, describe, expect, it, vi } from "vitest";
import { goal, goalText, printGoalSummary, verdict } from "../../bench/support/goal.js";

describe("bench goals", () => {
  afterEach(() => vi.restoreAllMocks());

  it("judges a floor, a ceiling, both, and neither", () => {
    expect(verdict({ value: 0.7, atLeast: 0.7 })).toBe("yes");
    expect(verdict({ value: 0.69, atLeast: 0.7 })).toBe("no");
    expect(verdict({ value: 2, atMost: 2 })).toBe("yes");
    expect(verdict({ value: 2.01, atMost: 2 })).toBe("no");
    expect(verdict({ value: 1, atLeast: 0.5, atMost: 0.9 })).toBe("no");
    expect(verdict({ value: 0.6, atLeast: 0.5, atMost: 0.9 })).toBe("yes");
    expect(verdict({ value: 123 })).toBe("reported");
  });

  it("never calls a figure the run could not measure met", () => {
    expect(verdict({ value: Number.NaN, atMost: 0 })).toBe("no");
    expect(verdict({ value: Number.POSITIVE_INFINITY, atLeast: 1 })).toBe("no");
  });

  it("prints one GOAL line per figure and a summary counting only bounded goals", () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => lines.push(line));
    goal({ name: "t.ratio", value: 0.812, atLeast: 0.95, unit: "×", what: "a ratio" });
    goal({ name: "t.ms", value: 1.5, atMost: 2, unit: "ms" });
    goal({ name: "t.cost", value: 0.25 });
    expect(lines).toEqual([
      "GOAL t.ratio value=0.812 goal=>=0.95 met=no",
      "GOAL t.ms value=1.50 goal=<=2 met=yes",
      "GOAL t.cost value=0.250 goal=none met=reported",
    ]);
    printGoalSummary();
    const table = lines.slice(3).join("\n");
    expect(table).toMatch(/t\.ratio\s+0\.812 ×\s+>=0\.95\s+no\s+a ratio/);
    expect(table).toContain("1 of 2 goals met; 1 figures reported");
    expect(goalText({ atLeast: 0.5, atMost: 0.9 })).toBe(">=0.5,<=0.9");
  });
});
