import { describe, expect, it } from "vitest";
import { estimateBatchUsd, estimateRecordTokens } from "./record-estimate.js";
import { type BudgetedForPacking, SubmitAllowance } from "./submit-allowance.js";

const price = { inputPerMTok: 1_000, outputPerMTok: 2_000 };
const body = JSON.stringify({ model: "m", max_tokens: 100, messages: [{ role: "user", content: "hello" }] });
const one = estimateBatchUsd(estimateRecordTokens(body), price, 0.5);

const job = (over: Partial<BudgetedForPacking>): BudgetedForPacking => ({
  budgetUsd: 10 * one,
  spentUsd: 0,
  reservedUsd: 0,
  price,
  batchDiscount: 0.5,
  ...over,
});

/** Offers `n` records of `jobId`, taking each that fits; the verdicts in order. */
function offer(a: SubmitAllowance, jobId: string, n: number): string[] {
  return Array.from({ length: n }, () => {
    const v = a.check(jobId, body);
    if (v.verdict === "take") a.take(jobId, v.usd);
    return v.verdict;
  });
}

describe("SubmitAllowance", () => {
  it("packs what the budget pays for at the batch price, then stops a job with nothing out", () => {
    // The budget pays for 3.5 records at the batch price (it would pay for fewer than 2 at list).
    const a = new SubmitAllowance(new Map([["j", job({ budgetUsd: 3.5 * one })]]));
    expect(offer(a, "j", 5)).toEqual(["take", "take", "take", "wait", "wait"]);
    expect(a.packed().get("j")).toBeCloseTo(3 * one, 12);
    const b = new SubmitAllowance(new Map([["j", job({ budgetUsd: 3.5 * one, spentUsd: 3 * one })]]));
    expect(offer(b, "j", 2)).toEqual(["stop", "stop"]);
    expect(b.check("j", body)).toMatchObject({ stop: { code: "budget_exceeded", budgetUsd: 3.5 * one } });
  });

  it("counts what is spent and what provider jobs still hold, and waits while they are out", () => {
    const a = new SubmitAllowance(new Map([["j", job({ spentUsd: 4 * one, reservedUsd: 4 * one })]]));
    expect(offer(a, "j", 4)).toEqual(["take", "take", "wait", "wait"]);
    expect([...a.waiting]).toEqual(["j"]);
  });

  it("leaves jobs without a budget alone and stops a budgeted one whose price is unknown", () => {
    const unknown = { code: "budget_price_unknown" as const, budgetUsd: 1, model: "m" };
    const a = new SubmitAllowance(new Map([["j", job({ price: unknown })]]));
    expect(a.check("other", body)).toEqual({ verdict: "free" });
    expect(a.check("j", body)).toEqual({ verdict: "stop", stop: unknown });
    expect(new SubmitAllowance(new Map()).active).toBe(false);
  });
});
