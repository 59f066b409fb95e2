import { expect } from "vitest";
import type { DocketConfig } from "../../src/config/config.js";
import {
  bodyText,
  customIdOf,
  fileText,
  mergedText,
  outcomeOf,
  parseLines,
  resetSent,
  retry,
  STILL_BAD,
  scenarioLine,
  sentBodies,
  startLineageDocket,
  submitLines,
  waitDone,
} from "./lineage-harness.js";

const N = 1000;

/**
 * Issue 14's "done means", on whichever engine `tune` picks: 1,000 records of which 10% fail,
 * 5% expire and 5% are truncated; a retry of the failed and expired makes a child of exactly those
 * 150 whose bodies reach the model byte for byte; a retry of the truncated with a new max_tokens
 * changes only that field; a retry of the child's failures (a grandchild) works; and the merged
 * results hold one line per request, in input order, each its latest success.
 */
export async function runRetryScenario(tune?: (c: DocketConfig) => void): Promise<void> {
  const d = await startLineageDocket(tune);
  const { t } = d;
  try {
    const lines = Array.from({ length: N }, (_, i) => scenarioLine(i));
    const ids = (pick: (i: number) => boolean) => lines.map((_, i) => i).filter(pick);
    const failed = ids((i) => outcomeOf(i) === "failed");
    const expired = ids((i) => outcomeOf(i) === "expired");
    const truncated = ids((i) => outcomeOf(i) === "truncated");
    expect([failed.length, expired.length, truncated.length]).toEqual([100, 50, 50]);

    // The parent: once the other 950 have finished, its window ends (the clock jumps past it, as
    // the maintenance sweep sees it) while the slow route still hangs on the 50 "expired" records.
    const root = await submitLines(t, lines);
    await waitFor(async () => {
      const c = (await t.openai.batches.retrieve(root.id)).request_counts!;
      return c.completed + c.failed === N - expired.length;
    });
    expect(await t.docket.store.expireJobs(Date.now() + 25 * 3_600_000)).toEqual([root.id]);
    const ended = await waitDone(t.openai, root.id, 90_000);
    expect(ended.status).toBe("expired");
    expect(ended.request_counts).toEqual({ total: N, completed: 850, failed: 100 });
    const rootErrors = parseLines(await fileText(t.openai, ended.error_file_id));
    expect(rootErrors).toHaveLength(150);
    const rootInput = await fileText(t.openai, ended.input_file_id);

    // The backends recover (all but the STILL-BAD requests); count only what the retries send.
    d.fake.setOptions({ fail400Marker: STILL_BAD });
    d.slow.setOptions({ latencyMs: 0 });
    resetSent(d);

    const child = await retry(t.openai, root.id, { only: ["failed", "expired"] });
    expect(child.parent_batch_id).toBe(root.id);
    expect(child.docket_retry).toEqual({
      records: 150,
      reasons: { failed: 100, expired: 50 },
      scope: "batch",
    });
    const childDone = await waitDone(t.openai, child.id);
    expect(childDone.status).toBe("completed");
    expect(childDone.request_counts).toEqual({ total: 150, completed: 130, failed: 20 });
    // Exactly those 150 bodies, byte for byte as the parent's input wrote them.
    const retried = [...failed, ...expired].sort((a, b) => a - b);
    expect(sentBodies(d).sort()).toEqual(retried.map((i) => bodyText(lines[i]!)).sort());
    // The child's input: the parent's lines of those records (same ids, same bodies), in input order.
    const childInput = await fileText(t.openai, childDone.input_file_id);
    expect(
      childInput
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l).custom_id),
    ).toEqual(retried.map(customIdOf));
    expect(childInput.trimEnd().split("\n").map(bodyText)).toEqual(retried.map((i) => bodyText(lines[i]!)));

    // The truncated ones again, with room to finish: only max_tokens changes in their bodies.
    resetSent(d);
    const longer = await retry(t.openai, root.id, { only: ["truncated"], overrides: { max_tokens: 64 } });
    expect(longer.docket_retry.records).toBe(50);
    expect((await waitDone(t.openai, longer.id)).status).toBe("completed");
    const expectedLonger = truncated.map((i) =>
      bodyText(lines[i]!).replace('"max_tokens": 4,', '"max_tokens": 64,'),
    );
    expect(sentBodies(d).sort()).toEqual(expectedLonger.sort());
    // The parent's own input is untouched.
    expect(await fileText(t.openai, ended.input_file_id)).toBe(rootInput);

    // Before the grandchild: 20 requests never succeeded; their line is the child's error.
    const stillFailing = failed.filter((i) => i % 100 < 20);
    const errorsNow = parseLines(await mergedText(t, root.id, "errors"));
    expect(errorsNow.map((l) => l.custom_id)).toEqual(stillFailing.map(customIdOf));
    expect(errorsNow.every((l) => l.response?.status_code === 400)).toBe(true);

    // A child of the child: its failures, now that the backend takes them.
    d.fake.setOptions({ fail400Marker: null });
    resetSent(d);
    const grandchild = await retry(t.openai, child.id, { only: ["failed"] });
    expect(grandchild.parent_batch_id).toBe(child.id);
    expect(grandchild.docket_retry.records).toBe(20);
    expect((await waitDone(t.openai, grandchild.id)).request_counts).toEqual({
      total: 20,
      completed: 20,
      failed: 0,
    });
    expect(sentBodies(d).sort()).toEqual(stillFailing.map((i) => bodyText(lines[i]!)).sort());

    // Merged, from any batch of the lineage: 1,000 lines in input order, every one a success.
    const merged = await mergedText(t, grandchild.id);
    expect(await mergedText(t, root.id)).toBe(merged);
    const out = parseLines(merged);
    expect(out.map((l) => l.custom_id)).toEqual(lines.map((_, i) => customIdOf(i)));
    expect(out.every((l) => l.error === null && l.response?.status_code === 200)).toBe(true);
    expect(out.every((l) => l.response?.body.choices?.[0]?.finish_reason === "stop")).toBe(true);
    expect(await mergedText(t, root.id, "errors")).toBe("");
    expect(await mergedText(t, root.id, "output")).toBe(merged);
    // Each line is its batch's own output line, byte for byte.
    const outputs = new Set<string>();
    for (const b of [
      ended,
      childDone,
      await t.openai.batches.retrieve(longer.id),
      await t.openai.batches.retrieve(grandchild.id),
    ]) {
      for (const l of (await fileText(t.openai, b.output_file_id)).split("\n")) if (l) outputs.add(l);
    }
    for (const l of merged.trimEnd().split("\n")) expect(outputs.has(l)).toBe(true);
    // The untouched successes come from the parent itself.
    const rootOutput = new Set((await fileText(t.openai, ended.output_file_id)).split("\n"));
    merged
      .trimEnd()
      .split("\n")
      .forEach((l, i) => {
        if (outcomeOf(i) === "ok") expect(rootOutput.has(l)).toBe(true);
      });

    // Lineage both ways: parents on the batch objects, children listed oldest first.
    const kids = (await t.openai.get(`/batches/${root.id}/children`)) as { data: Array<{ id: string }> };
    expect(kids.data.map((b) => b.id)).toEqual([child.id, longer.id]);
    const grandkids = (await t.openai.get(`/batches/${child.id}/children`)) as {
      data: Array<{ id: string }>;
    };
    expect(grandkids.data.map((b) => b.id)).toEqual([grandchild.id]);
    const retrieved = (await t.openai.batches.retrieve(grandchild.id)) as unknown as {
      parent_batch_id: string;
    };
    expect(retrieved.parent_batch_id).toBe(child.id);
  } finally {
    await d.close();
  }
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}
