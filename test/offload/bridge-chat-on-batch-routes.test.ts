import { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FakeAnthropic,
  startFakeAnthropic,
} from "../../src/backends/fake-anthropic/fake-anthropic-server.js";
import {
  type FakeBedrockBatch,
  startFakeBedrockBatch,
} from "../../src/backends/fake-bedrock-batch/fake-bedrock-batch-server.js";
import type { BatchBackendConfig } from "../../src/config/batch-backend-config.js";
import { parseJsonl } from "../support/batch-files.js";
import { type RunningS3rver, startS3rver } from "../support/s3rver.js";
import { pollBatch, startTestDocket, type TestDocket } from "../support/test-docket.js";
import { BUCKET, bedrockBatchRoute } from "./offload-harness.js";

const CLAUDE = "claude-3-5-haiku-latest";
const BEDROCK_MODEL = "anthropic.claude-3-haiku-20240307-v1:0";

/** An OpenAI batch input of `n` chat requests for `model`; `extra(i)` adds fields to request i's body. */
function chatLines(
  n: number,
  model: string,
  extra: (i: number) => Record<string, unknown> = () => ({}),
): string {
  const lines = Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      custom_id: `q-${i}`,
      method: "POST",
      url: "/v1/chat/completions",
      body: {
        model,
        max_tokens: 12,
        messages: [
          { role: "system", content: "Answer briefly." },
          { role: "user", content: `Question ${i}: what is ${i} + ${i}?` },
        ],
        ...extra(i),
      },
    }),
  );
  return `${lines.join("\n")}\n`;
}

async function submitChat(d: TestDocket, input: string) {
  const file = await d.openai.files.create({
    file: await toFile(Buffer.from(input), "in.jsonl"),
    purpose: "batch",
  });
  return d.openai.batches.create({
    input_file_id: file.id,
    endpoint: "/v1/chat/completions",
    completion_window: "24h",
  });
}

interface ChatOutputLine {
  custom_id: string;
  response: {
    status_code: number;
    body: {
      object: string;
      model: string;
      choices: Array<{ message: { role: string; content: string }; finish_reason: string }>;
      usage: { prompt_tokens: number; completion_tokens: number };
    };
  };
  error: unknown;
}

/** Runs an OpenAI chat batch of `n` through Docket `d` and checks every answer came back as chat. */
async function runsChatBatch(d: TestDocket, n: number, model: string): Promise<string> {
  const b = await submitChat(d, chatLines(n, model));
  const done = await pollBatch(d.openai, b.id, ["completed", "failed"], 60_000);
  expect(done.status).toBe("completed");
  expect(done.request_counts).toMatchObject({ total: n, completed: n, failed: 0 });
  const out = parseJsonl<ChatOutputLine>(await (await d.openai.files.content(done.output_file_id!)).text());
  expect(out.map((l) => l.custom_id)).toEqual(Array.from({ length: n }, (_, i) => `q-${i}`));
  for (const line of out) {
    expect(line.response.status_code).toBe(200);
    const body = line.response.body;
    expect(body.object).toBe("chat.completion");
    expect(body.model).toBe(model);
    expect(body.choices[0]!.message.role).toBe("assistant");
    expect(typeof body.choices[0]!.message.content).toBe("string");
    expect(body.choices[0]!.message.content.length).toBeGreaterThan(0);
    expect(body.usage.prompt_tokens).toBeGreaterThan(0);
    expect(body.usage.completion_tokens).toBeGreaterThan(0);
  }
  return b.id;
}

/** A chat line with a field the provider's dialect cannot carry fails validation, naming its line; nothing is sent. */
async function refusesUnbridgeable(d: TestDocket, model: string): Promise<void> {
  const b = await submitChat(
    d,
    chatLines(3, model, (i) => (i === 1 ? { logprobs: true } : {})),
  );
  const done = await pollBatch(d.openai, b.id, ["completed", "failed"], 30_000);
  expect(done.status).toBe("failed");
  const problems = done.errors?.data ?? [];
  expect(problems.map((p) => [p.line, p.param])).toEqual([[2, "body.logprobs"]]);
}

async function providerJobsOf(d: TestDocket, batchId: string) {
  const res = await fetch(`${d.docket.url}/v1/batches/${batchId}/provider_jobs`);
  return ((await res.json()) as { data: Array<{ endpoint: string; records: number; status: string }> }).data;
}

/**
 * Bridging on provider batch routes (issue 13, docs/provider-batch.md "Bridging"): an OpenAI chat
 * batch, sent with the official openai SDK, runs on an anthropic-batch route and on a
 * bedrock-batch route — each request translated into the provider's dialect when packed, each
 * answer translated back into a chat completion when ingested.
 */
describe("OpenAI chat batches on provider batch routes of other dialects", () => {
  let anthropic: FakeAnthropic;
  let s3rver: RunningS3rver;
  let bedrock: FakeBedrockBatch;
  let docket: TestDocket;

  beforeAll(async () => {
    anthropic = await startFakeAnthropic({ batches: { turnaroundMs: 30 } });
    s3rver = await startS3rver([BUCKET]);
    bedrock = await startFakeBedrockBatch({
      s3: { endpoint: s3rver.endpoint, credentials: s3rver.credentials },
      turnaroundMs: 30,
      minRecordsPerJob: 1,
    });
    const bedrockRoute = bedrockBatchRoute(
      "bedrock-batch",
      { fakeUrl: bedrock.url, s3Endpoint: s3rver.endpoint, credentials: s3rver.credentials },
      { minRecordsPerJob: 1 },
    );
    const anthropicBackend: BatchBackendConfig = {
      type: "anthropic-batch",
      baseUrl: anthropic.url,
      apiKey: "k",
      pollMs: 20,
    };
    docket = await startTestDocket({
      tune: (c) => {
        c.routes = [
          {
            name: "claude-batch",
            models: ["claude-*"],
            backend: anthropicBackend,
            concurrency: 1,
            timeoutMs: 60_000,
            maxAttempts: 12,
          },
          { ...bedrockRoute, models: [BEDROCK_MODEL] },
        ];
      },
    });
  }, 60_000);

  afterAll(async () => {
    await docket?.close();
    await anthropic?.close();
    await bedrock?.close();
    await s3rver?.close();
  });

  it("runs them as Anthropic Message Batches and answers in chat completions", async () => {
    const before = anthropic.batches.stats().created;
    const id = await runsChatBatch(docket, 25, CLAUDE);
    expect(anthropic.batches.stats().created).toBeGreaterThan(before);
    const pjs = await providerJobsOf(docket, id);
    // The chat requests reached the provider as Messages requests (the fake answers anything else
    // with an invalid_request_error, which would fail the record).
    expect(pjs.map((p) => [p.endpoint, p.status])).toEqual([["/v1/messages", "done"]]);
  }, 90_000);

  it("runs them as Bedrock Converse batch jobs and answers in chat completions", async () => {
    const id = await runsChatBatch(docket, 25, BEDROCK_MODEL);
    const pjs = await providerJobsOf(docket, id);
    expect(pjs.map((p) => [p.endpoint, p.status])).toEqual([
      [`/model/${encodeURIComponent(BEDROCK_MODEL)}/converse`, "done"],
    ]);
    const read = Object.values(bedrock.stats().recordsSubmitted);
    expect(read.length).toBe(25);
    expect(read.every((n) => n === 1)).toBe(true);
  }, 90_000);

  it("refuses at validation, by line, what cannot be bridged to either provider", async () => {
    await refusesUnbridgeable(docket, CLAUDE);
    await refusesUnbridgeable(docket, BEDROCK_MODEL);
  }, 60_000);
});
