import { createReadStream } from "node:fs";
import { join } from "node:path";
import type OpenAI from "openai";
import { type FakeBackend, startFakeBackend } from "../../src/backends/fake/fake-backend-server.js";
import type { DocketConfig } from "../../src/config/config.js";
import { parseJsonl, writeLines } from "../support/batch-files.js";
import { pollBatch, startTestDocket, type TestDocket } from "../support/test-docket.js";

/** Markers in a request's text that script how the fakes answer it. */
export const REJECT = "REJECT-ME";
export const STILL_BAD = "STILL-BAD";

/** Which of the 1,000 records of the scenario ends how: 10% failed, 5% expired, 5% truncated. */
export function outcomeOf(i: number): "failed" | "expired" | "truncated" | "ok" {
  const k = i % 20;
  if (k < 2) return "failed";
  if (k === 2) return "expired";
  if (k === 3) return "truncated";
  return "ok";
}

export const customIdOf = (i: number) => `row-${String(i).padStart(4, "0")}`;

/**
 * One input line per record. Failed ones carry the fake's 400 marker (a fifth of them a second
 * marker too, to fail again later); expired ones ask for a model on a route whose backend hangs
 * past the batch's window; truncated ones ask for fewer tokens than the fake writes.
 */
export function scenarioLine(i: number): string {
  const outcome = outcomeOf(i);
  const marker = outcome === "failed" ? (i % 100 < 20 ? `${REJECT} ${STILL_BAD} ` : `${REJECT} `) : "";
  // Written by hand, not JSON.stringify: spacing and `1.0` prove the bytes reach the model as written.
  const model = outcome === "expired" ? "slow-model" : "fake-model";
  const maxTokens = outcome === "truncated" ? 4 : 32;
  return `{"custom_id": "${customIdOf(i)}", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "${model}",  "max_tokens": ${maxTokens}, "temperature": 1.0, "messages": [{"role": "user", "content": "${marker}Row ${i}: say something"}]}}`;
}

/**
 * A chat request line for row `i` of a small batch, carrying the fake's 400 marker when `rejected`;
 * `body` adds or changes body fields (max_tokens 32 unless given).
 */
export function chatLine(i: number, rejected: boolean, body: Record<string, unknown> = {}): string {
  return JSON.stringify({
    custom_id: customIdOf(i),
    method: "POST",
    url: "/v1/chat/completions",
    body: {
      model: "fake-model",
      max_tokens: 32,
      ...body,
      messages: [{ role: "user", content: `${rejected ? REJECT : ""} ${i}` }],
    },
  });
}

/** The `body` text of an OpenAI input line whose last member is `body`, exactly as written. */
export function bodyText(line: string): string {
  const start = line.indexOf("{", line.indexOf('"body":'));
  return line.slice(start, line.length - 1);
}

export interface LineageDocket {
  t: TestDocket;
  fake: FakeBackend;
  slow: FakeBackend;
  close(): Promise<void>;
}

/**
 * `docket serve` with two fake backends: `fake-*` answers at once (400 for the marker), `slow-*`
 * hangs until told otherwise. `tune` picks the engine.
 */
export async function startLineageDocket(tune?: (c: DocketConfig) => void): Promise<LineageDocket> {
  const slow = await startFakeBackend({ latencyMs: 30_000, recordBodies: true });
  const t = await startTestDocket({
    fake: { fail400Marker: REJECT, recordBodies: true },
    tune: (c) => {
      c.routes.push({
        name: "slow",
        models: ["slow-*"],
        backend: { type: "openai", baseUrl: slow.url },
        // Room for the child's records while the parent's hung requests are still out.
        concurrency: 200,
        timeoutMs: 60_000,
        maxAttempts: 3,
      });
      // Serves no model by name: only retries pinned to it, one request at a time.
      c.routes.push({
        name: "single",
        models: [],
        backend: { type: "openai", baseUrl: slow.url },
        concurrency: 1,
        timeoutMs: 60_000,
        maxAttempts: 3,
      });
      tune?.(c);
    },
  });
  return {
    t,
    fake: t.fake,
    slow,
    async close() {
      await t.close();
      await slow.close();
    },
  };
}

/** Uploads `lines` and creates a batch; `extra`: Docket fields the SDK sends as given (docket_budget_usd …). */
export async function submitLines(
  t: TestDocket,
  lines: string[],
  window = "24h",
  extra: Record<string, unknown> = {},
) {
  const path = writeLines(join(t.dataDir, `input-${Date.now()}-${Math.random()}.jsonl`), lines);
  const file = await t.openai.files.create({ file: createReadStream(path), purpose: "batch" });
  return t.openai.batches.create({
    input_file_id: file.id,
    endpoint: "/v1/chat/completions",
    completion_window: window as "24h",
    ...extra,
  });
}

export interface RetryAnswer extends OpenAI.Batch {
  parent_batch_id?: string;
  docket_retry: { records: number; reasons: Record<string, number>; scope: string };
}

/** `POST /v1/batches/{id}/retry` through the official SDK's raw request. */
export function retry(openai: OpenAI, id: string, body: Record<string, unknown>): Promise<RetryAnswer> {
  return openai.post(`/batches/${id}/retry`, { body }) as unknown as Promise<RetryAnswer>;
}

export async function waitDone(openai: OpenAI, id: string, timeoutMs = 60_000) {
  return pollBatch(openai, id, ["completed", "failed", "expired", "cancelled"], timeoutMs);
}

export interface OutputLine {
  id: string;
  custom_id: string;
  response: { status_code: number; body: { choices?: Array<{ finish_reason: string }> } } | null;
  error: { code: string } | null;
}

/** The merged results of a batch's lineage, as text (raw HTTP: the lines are compared byte for byte). */
export async function mergedText(t: TestDocket, id: string, lines = "all"): Promise<string> {
  const res = await fetch(`${t.docket.url}/v1/batches/${id}/results?merged=true&lines=${lines}`);
  if (res.status !== 200) throw new Error(`merged results: HTTP ${res.status}: ${await res.text()}`);
  return res.text();
}

export const parseLines = (text: string) => parseJsonl<OutputLine>(text);

/** What the two fakes were sent since their last reset, as request body texts. */
export function sentBodies(d: LineageDocket): string[] {
  return [...(d.fake.stats().bodies ?? []), ...(d.slow.stats().bodies ?? [])].map((b) => b.request);
}

export function resetSent(d: LineageDocket): void {
  d.fake.resetStats();
  d.slow.resetStats();
}

export async function fileText(openai: OpenAI, fileId: string | null | undefined): Promise<string> {
  if (!fileId) return "";
  return (await openai.files.content(fileId)).text();
}
