import { describe, expect, it } from "vitest";
import { budgetJobError, budgetRecordError, costUsd } from "./budget-stop.js";

describe("budget stop", () => {
  it("charges usage at the price per million tokens", () => {
    expect(
      costUsd({ inputTokens: 2_000_000, outputTokens: 500_000 }, { inputPerMTok: 0.15, outputPerMTok: 0.6 }),
    ).toBeCloseTo(0.6);
    expect(costUsd({ inputTokens: 0, outputTokens: 0 }, { inputPerMTok: 5, outputPerMTok: 25 })).toBe(0);
  });

  it("says what was spent, after how many records, and how many were not run", () => {
    const e = budgetJobError({ code: "budget_exceeded", spentUsd: 5.0123, budgetUsd: 5 }, 812, 1);
    expect(e).toEqual({
      code: "budget_exceeded",
      message: "Spent $5.01 of the $5.00 budget after 812 records; 1 record was not run.",
      line: null,
      param: null,
    });
    expect(budgetRecordError({ code: "budget_exceeded", spentUsd: 1, budgetUsd: 0.25 })).toEqual({
      code: "budget_exceeded",
      message: "Not run: the job's budget of $0.2500 was spent.",
    });
  });

  it("names the model when no price is known", () => {
    const e = budgetJobError({ code: "budget_price_unknown", budgetUsd: 3, model: "my-llm" }, 0, 10);
    expect(e.code).toBe("budget_price_unknown");
    expect(e.message).toMatch(/no price is known for the model 'my-llm'/);
    expect(e.message).toMatch(/10 records were not run/);
  });
});
