import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningDocket } from "../../src/runtime/embedded.js";
import { tinyLlamaRoute, writeTinyModel } from "../support/llama-route.js";
import { startTestDocket, type TestDocket } from "../support/test-docket.js";
import { bodiesById, repeatedLines, runBatch } from "./dedup-harness.js";

/** Attempts the route's worker made, from `GET /metrics` (`docket_attempts_total`): the engine's calls. */
async function attempts(url: string, route: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let n = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("docket_attempts_total{") && line.includes(`route="${route}"`))
      n += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return n;
}

/** Identical requests once on the in-process llama.cpp engine (a dummy GGUF model). */
describe("dedup and the response cache on a llama.cpp route", () => {
  let t: TestDocket;
  let docket: RunningDocket;
  let openai: OpenAI;

  beforeAll(async () => {
    t = await startTestDocket({ tune: (c) => (c.routes = [tinyLlamaRoute(c.dataDir, { cache: true })]) });
    await writeTinyModel(t.dataDir, 3);
    ({ docket, openai } = t);
  });

  afterAll(async () => t?.close());

  it("runs 6 generations for 60 lines of 6 prompts, then none for the same batch", async () => {
    const lines = repeatedLines(60, 6, '"temperature":0', "tiny");
    const first = await runBatch(openai, lines, { docket_dedup: true });
    expect(first.batch.request_counts).toEqual({ total: 60, completed: 60, failed: 0 });
    expect(await attempts(docket.url, "tiny")).toBe(6);
    const byId = new Map(first.output.map((l) => [l.custom_id, l]));
    for (let i = 6; i < 60; i++) expect(byId.get(`r${i}`)!.response).toEqual(byId.get(`r${i % 6}`)!.response);
    expect(first.batch.dedup).toMatchObject({ deduplicated_requests: 54 });
    expect(first.batch.dedup!.saved_output_tokens).toBe(9 * first.batch.usage!.output_tokens);

    const again = await runBatch(openai, lines);
    expect(await attempts(docket.url, "tiny")).toBe(6);
    expect(bodiesById(again.output)).toEqual(bodiesById(first.output));
    expect(again.output.every((l) => l.docket?.cached)).toBe(true);
    expect(again.batch.dedup).toMatchObject({ cached_requests: 60 });
  });

  it("generates every line at temperature 1 without a seed", async () => {
    const before = await attempts(docket.url, "tiny");
    const lines = repeatedLines(12, 2, '"temperature":1', "tiny");
    const run = await runBatch(openai, lines, { docket_dedup: true });
    expect(run.batch.request_counts).toEqual({ total: 12, completed: 12, failed: 0 });
    expect((await attempts(docket.url, "tiny")) - before).toBe(12);
    expect(run.output.every((l) => l.docket === undefined)).toBe(true);
  });
});
