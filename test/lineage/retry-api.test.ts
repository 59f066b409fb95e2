import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chatLine,
  customIdOf,
  type LineageDocket,
  mergedText,
  parseLines,
  REJECT,
  resetSent,
  retry,
  sentBodies,
  startLineageDocket,
  submitLines,
  waitDone,
} from "./lineage-harness.js";

/** A small batch: rows 0–9 are rejected by the fake, 10–39 succeed. */
const line = (i: number) => chatLine(i, i < 10);
const LINES = Array.from({ length: 40 }, (_, i) => line(i));

describe("the retry API: what it refuses, pinned routes, lineage scope, merged reads", () => {
  let d: LineageDocket;
  let rootId: string;

  beforeAll(async () => {
    d = await startLineageDocket();
    const root = await submitLines(d.t, LINES);
    rootId = root.id;
    expect((await waitDone(d.t.openai, rootId)).request_counts).toEqual({
      total: 40,
      completed: 30,
      failed: 10,
    });
  }, 60_000);

  afterAll(async () => d?.close());

  async function post(path: string, body: unknown) {
    const res = await fetch(`${d.t.docket.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { error: { code: string; message: string } } };
  }

  it("refuses a retry of nothing, unknown ids, unknown routes and a batch still running", async () => {
    const nothing = await post(`/v1/batches/${rootId}/retry`, {});
    expect(nothing.status).toBe(400);
    expect(nothing.body.error.message).toMatch(/Say which records to retry/);
    const noMatch = await post(`/v1/batches/${rootId}/retry`, { only: ["expired", "cancelled"] });
    expect(noMatch).toMatchObject({ status: 400, body: { error: { code: "nothing_to_retry" } } });
    const unknown = await post(`/v1/batches/${rootId}/retry`, { ids: [customIdOf(1), "no-such-id"] });
    expect(unknown).toMatchObject({ status: 400, body: { error: { code: "unknown_custom_ids" } } });
    expect(unknown.body.error.message).toContain('"no-such-id"');
    const route = await post(`/v1/batches/${rootId}/retry`, { only: ["failed"], route: "nope" });
    expect(route).toMatchObject({ status: 400, body: { error: { code: "route_not_found" } } });
    const overrides = await post(`/v1/batches/${rootId}/retry`, { only: ["failed"], overrides: [1] });
    expect(overrides.status).toBe(400);
    // Nothing was created by any of them.
    expect((await d.t.openai.get(`/batches/${rootId}/children`)) as { data: unknown[] }).toMatchObject({
      data: [],
    });

    d.slow.setOptions({ latencyMs: 30_000 });
    const running = await submitLines(d.t, [line(10).replace("fake-model", "slow-model")]);
    const refused = await post(`/v1/batches/${running.id}/retry`, { only: ["failed"] });
    expect(refused).toMatchObject({ status: 409, body: { error: { code: "batch_not_finished" } } });
    await d.t.openai.batches.cancel(running.id);
  }, 60_000);

  it("pins a retry to a route, refuses merged reads while it runs, and retries across the lineage", async () => {
    // A retry pinned to the slow route: its records go there whatever their model says.
    d.slow.setOptions({ latencyMs: 0 });
    resetSent(d);
    const pinned = await retry(d.t.openai, rootId, { only: ["failed"], route: "slow", scope: "lineage" });
    expect(pinned.docket_retry).toEqual({ records: 10, reasons: { failed: 10 }, scope: "lineage" });
    expect((await waitDone(d.t.openai, pinned.id)).request_counts).toEqual({
      total: 10,
      completed: 10,
      failed: 0,
    });
    // (The first test's cancelled request may still reach the slow fake: only these ten count.)
    expect((d.slow.stats().bodies ?? []).filter((b) => b.request.includes(REJECT))).toHaveLength(10);
    expect(d.fake.stats().requests).toBe(0);

    // A retry of those ten on a one-at-a-time route, cancelled while it runs: merged reads wait for it.
    d.slow.setOptions({ latencyMs: 1500 });
    const ten = Array.from({ length: 10 }, (_, i) => customIdOf(i));
    const cancelled = await retry(d.t.openai, pinned.id, { ids: ten, route: "single" });
    await waitFor(
      async () => (d.slow.stats().bodies ?? []).filter((b) => b.request.includes(REJECT)).length >= 11,
    );
    const running = await fetch(`${d.t.docket.url}/v1/batches/${rootId}/results?merged=true`);
    expect(running.status).toBe(409);
    expect(((await running.json()) as { error: { code: string } }).error.code).toBe("lineage_not_finished");
    await d.t.openai.batches.cancel(cancelled.id);
    const stopped = await waitDone(d.t.openai, cancelled.id);
    expect(stopped.status).toBe("cancelled");
    const notRun = 10 - stopped.request_counts!.completed;
    expect(notRun).toBeGreaterThan(5);

    // Each request's latest success: the cancelled child's later errors do not replace the pinned
    // child's successes (a later error wins only over an earlier error).
    const merged = parseLines(await mergedText(d.t, rootId));
    expect(merged.map((l) => l.custom_id)).toEqual(LINES.map((_, i) => customIdOf(i)));
    expect(merged.every((l) => l.response?.status_code === 200)).toBe(true);

    // scope "lineage": nothing lacks a success now, so a lineage retry of the cancelled finds none,
    // while the cancelled child itself still holds its cancelled records.
    const none = await post(`/v1/batches/${rootId}/retry`, { only: ["cancelled"], scope: "lineage" });
    expect(none).toMatchObject({ status: 400, body: { error: { code: "nothing_to_retry" } } });
    d.slow.setOptions({ latencyMs: 0 });
    resetSent(d);
    const again = await retry(d.t.openai, cancelled.id, { only: ["cancelled"] });
    expect(again.docket_retry).toEqual({ records: notRun, reasons: { cancelled: notRun }, scope: "batch" });
    await waitDone(d.t.openai, again.id);
    expect(sentBodies(d).filter((b) => b.includes(REJECT))).toHaveLength(notRun);
    const all = parseLines(await mergedText(d.t, rootId));
    expect(all.every((l) => l.response?.status_code === 200)).toBe(true);

    // Named ids, even successes: the latest success wins the merged line.
    const byId = await retry(d.t.openai, rootId, { ids: [customIdOf(20), customIdOf(21)] });
    expect(byId.docket_retry).toEqual({ records: 2, reasons: { id: 2 }, scope: "batch" });
    await waitDone(d.t.openai, byId.id);
    const latest = parseLines(await mergedText(d.t, rootId));
    const childOutput = parseLines(
      await (
        await d.t.openai.files.content((await d.t.openai.batches.retrieve(byId.id)).output_file_id!)
      ).text(),
    );
    expect(latest[20]).toEqual(childOutput[0]);
    expect(latest[21]).toEqual(childOutput[1]);
    expect(latest[22]).toEqual(all[22]);

    // The root's children, paged oldest first; the merged read refuses what it does not serve.
    const page1 = (await d.t.openai.get(`/batches/${rootId}/children?limit=2`)) as {
      data: Array<{ id: string }>;
      has_more: boolean;
    };
    expect(page1.data.map((b) => b.id)).toEqual([pinned.id, byId.id]);
    expect(page1.has_more).toBe(false);
    const grand = (await d.t.openai.get(`/batches/${pinned.id}/children?limit=1`)) as {
      data: Array<{ id: string }>;
      has_more: boolean;
    };
    expect(grand).toMatchObject({ data: [{ id: cancelled.id }], has_more: false });
    const after = (await d.t.openai.get(`/batches/${rootId}/children?limit=1&after=${pinned.id}`)) as {
      data: Array<{ id: string }>;
      has_more: boolean;
    };
    expect(after).toMatchObject({ data: [{ id: byId.id }], has_more: false });
    for (const q of ["merged=true&partial=true", "merged=true&lines=some"]) {
      expect((await fetch(`${d.t.docket.url}/v1/batches/${rootId}/results?${q}`)).status).toBe(400);
    }
  }, 90_000);
});

describe("retrying a body stored in parts (over 1 Mi characters on SQLite)", () => {
  it("sends it byte for byte, and with an override edits only that field", async () => {
    const d = await startLineageDocket();
    try {
      const big = "x".repeat(1_500_000);
      const bodyOf = (tokens: number) =>
        `{"model": "fake-model", "max_tokens": ${tokens}, "messages": [{"role": "user", "content": "${REJECT} ${big}"}]}`;
      const input = `{"custom_id": "big", "method": "POST", "url": "/v1/chat/completions", "body": ${bodyOf(32)}}`;
      const root = await submitLines(d.t, [input, line(11)]);
      expect((await waitDone(d.t.openai, root.id)).request_counts).toEqual({
        total: 2,
        completed: 1,
        failed: 1,
      });

      resetSent(d);
      const same = await retry(d.t.openai, root.id, { only: ["failed"] });
      await waitDone(d.t.openai, same.id);
      expect(sentBodies(d)).toEqual([bodyOf(32)]);

      d.t.fake.setOptions({ fail400Marker: null });
      resetSent(d);
      const edited = await retry(d.t.openai, root.id, { only: ["failed"], overrides: { max_tokens: 8 } });
      expect((await waitDone(d.t.openai, edited.id)).request_counts).toEqual({
        total: 1,
        completed: 1,
        failed: 0,
      });
      expect(sentBodies(d)).toEqual([bodyOf(8)]);
      const merged = parseLines(await mergedText(d.t, root.id));
      expect(merged.map((l) => [l.custom_id, l.response?.status_code])).toEqual([
        ["big", 200],
        [customIdOf(11), 200],
      ]);
    } finally {
      await d.close();
    }
  }, 90_000);
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}
