import { afterEach, describe, expect, it } from "vitest";
import { chatBatchLines, parseJsonl } from "../support/batch-files.js";
import { pollBatch, startTestDocket, type TestDocket } from "../support/test-docket.js";

const RECORDS = 200;
/** chatBatchLines asks for max_tokens 8; the fake answers with exactly that many. */
const OUTPUT_TOKENS = 8;
/** $100 per million output tokens, input free: each request costs exactly $0.0008. */
const PRICE = { input_per_mtok: 0, output_per_mtok: 100 };
/** 4 requests cost $0.0032 (under), 5 cost $0.0040: the 5th answer reaches the budget. */
const BUDGET = 0.0036;
const REACHED_AFTER = 5;

/**
 * "Stops stop" for budgets (issue 17): the worker charges each answer as it arrives, and once
 * the spend reaches the budget nothing more of the job is sent. The requests already in flight
 * at that moment may finish (at most concurrency − 1 of them); everything else is cancelled.
 * Counted at the fake backend, so no timing is involved.
 */
describe("a budget stop takes effect before the next request (embedded serve)", () => {
  let t: TestDocket;
  afterEach(async () => t?.close());

  async function runBudgeted(concurrency: number) {
    t = await startTestDocket({
      fake: { latencyMs: 50, outputTokens: 64 },
      route: { concurrency },
    });
    const file = await t.openai.files.create({
      file: new File([`${chatBatchLines(RECORDS).join("\n")}\n`], "in.jsonl"),
      purpose: "batch",
    });
    const created = await t.openai.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
      docket_budget_usd: BUDGET,
      docket_price: PRICE,
    } as never);
    const done = await pollBatch(t.openai, created.id, ["cancelled", "completed"], 30_000);
    const sent = t.fake.stats().requests;
    const errors = done.error_file_id
      ? parseJsonl<{ error: { code: string } }>(
          await (await t.openai.files.content(done.error_file_id)).text(),
        )
      : [];
    return { done, sent, errors };
  }

  function expectStopped(r: Awaited<ReturnType<typeof runBudgeted>>) {
    const { done, sent, errors } = r;
    expect(done.status).toBe("cancelled");
    const completed = done.request_counts!.completed;
    // Everything sent finished (in flight at the stop: allowed to), nothing else ran.
    expect(completed).toBe(sent);
    expect(done.usage?.output_tokens).toBe(completed * OUTPUT_TOKENS);
    expect(errors).toHaveLength(RECORDS - completed);
    expect(errors.every((e) => e.error.code === "budget_exceeded")).toBe(true);
    expect(done.errors?.data?.[0]?.code).toBe("budget_exceeded");
    expect(done.errors?.data?.[0]?.message).toMatch(
      new RegExp(
        `^Spent \\$0\\.\\d{4} of the \\$0\\.0036 budget after \\d+ records; ${RECORDS - completed} records were not run\\.$`,
      ),
    );
  }

  it("one at a time: exactly the requests that reached the budget are sent, none after", async () => {
    const r = await runBudgeted(1);
    expectStopped(r);
    // Sent after the stop point = sent − the answers that reached the budget = 0.
    expect(r.sent - REACHED_AFTER).toBe(0);
  });

  it("16 at a time: the overshoot is bounded by the requests in flight when the budget was reached", async () => {
    const concurrency = 16;
    const r = await runBudgeted(concurrency);
    expectStopped(r);
    expect(r.sent).toBeGreaterThanOrEqual(REACHED_AFTER);
    // At the stop, at most concurrency − 1 other requests were in flight; none started after.
    expect(r.sent).toBeLessThanOrEqual(REACHED_AFTER + concurrency - 1);
  });
});
