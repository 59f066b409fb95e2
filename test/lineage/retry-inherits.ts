import { expect } from "vitest";
import type { DocketConfig } from "../../src/config/config.js";
import type { DedupUsageView } from "../../src/views/dedup-usage.js";
import {
  chatLine,
  type RetryAnswer,
  retry,
  startLineageDocket,
  submitLines,
  waitDone,
} from "./lineage-harness.js";

/** Rows 0–4 are rejected by the fake (so there is something to retry), 5–19 succeed. */
const LINES = Array.from({ length: 20 }, (_, i) => chatLine(i, i < 5, { max_tokens: 16, temperature: 0 }));

type Child = RetryAnswer & { dedup?: DedupUsageView };

/**
 * What a retry's child inherits from its parent (docs/lineage.md, "The child"), on the engine
 * `tune` picks: the parent's budget (its price too while the model stays), its dedup and cache
 * choice, each unless the retry sets its own; a changed model with no known price is refused
 * before anything is made; a parent with neither gives a child with neither.
 */
export async function runInheritScenario(tune?: (c: DocketConfig) => void): Promise<void> {
  const d = await startLineageDocket(tune);
  try {
    const { openai } = d.t;
    const store = d.t.docket.store;
    const parent = await submitLines(d.t, LINES, "24h", {
      docket_budget_usd: 5,
      docket_price: { input_per_mtok: 1, output_per_mtok: 2 },
      docket_dedup: true,
      docket_cache: false,
    });
    expect((await waitDone(openai, parent.id)).request_counts).toMatchObject({ completed: 15, failed: 5 });

    const child = (await retry(openai, parent.id, { only: ["failed"] })) as Child;
    expect(child.docket_retry.records).toBe(5);
    expect(child.dedup).toMatchObject({ dedup: true, cache: false });
    expect(await store.getJobBudget(child.id)).toEqual({
      budgetUsd: 5,
      price: { inputPerMTok: 1, outputPerMTok: 2 },
    });
    // Inherited, the budget is enforced like any other: the child runs under it and ends.
    expect((await waitDone(openai, child.id)).status).toBe("completed");

    // The retry's own fields win, one by one: the cache is turned on, dedup stays the parent's.
    const own = (await retry(openai, parent.id, {
      only: ["failed"],
      docket_budget_usd: 2,
      docket_price: { input_per_mtok: 0.5, output_per_mtok: 0.25 },
      docket_cache: true,
    })) as Child;
    expect(own.dedup).toMatchObject({ dedup: true, cache: true });
    expect(await store.getJobBudget(own.id)).toEqual({
      budgetUsd: 2,
      price: { inputPerMTok: 0.5, outputPerMTok: 0.25 },
    });
    await waitDone(openai, own.id);

    // Another model has another price; one with none known cannot be held to the inherited budget.
    const res = await fetch(`${d.t.docket.url}/v1/batches/${parent.id}/retry`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ only: ["failed"], overrides: { model: "fake-unpriced" } }),
    });
    const refused = (await res.json()) as { error: { code: string; message: string } };
    expect(res.status).toBe(400);
    expect(refused.error.code).toBe("budget_price_unknown");
    expect(refused.error.message).toContain(`inherited from ${parent.id}`);
    const children = (await openai.get(`/batches/${parent.id}/children`)) as { data: unknown[] };
    expect(children.data).toHaveLength(2);

    // A parent without a budget or a dedup choice: the child has neither.
    const plain = await submitLines(d.t, LINES);
    await waitDone(openai, plain.id);
    const bare = (await retry(openai, plain.id, { only: ["failed"] })) as Child;
    expect(bare.dedup).toBeUndefined();
    expect(await store.getJobBudget(bare.id)).toBeNull();
    await waitDone(openai, bare.id);
    // The headers of any create work on a retry too (the only way on the Anthropic prefix's body).
    const byHeader = await fetch(`${d.t.docket.url}/v1/batches/${plain.id}/retry`, {
      method: "POST",
      headers: { "content-type": "application/json", "Docket-Dedup": "on" },
      body: JSON.stringify({ only: ["failed"] }),
    });
    expect(((await byHeader.json()) as Child).dedup).toMatchObject({ dedup: true, cache: null });
  } finally {
    await d.close();
  }
}
