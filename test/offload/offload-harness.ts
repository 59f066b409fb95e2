import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BedrockBatchBackendConfig } from "../../src/config/batch-backend-config.js";
import type { RouteConfig } from "../../src/config/config.js";
import { bedrockInvokeEndpoint } from "../../src/domain/job.js";
import type { Duty } from "../../src/duties/duty.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { insertRunningJob, randomJobId } from "../support/running-job.js";

export const MODEL = "anthropic.claude-3-haiku-20240307-v1:0";
export const ROLE = "arn:aws:iam::123456789012:role/BedrockBatch";
export const BUCKET = "batch";

export function openTempStore(): Store {
  return openSqliteStore({ path: join(mkdtempSync(join(tmpdir(), "docket-offload-")), "docket.db") });
}

/** Whether every record of the job has ended (succeeded, failed, cancelled or expired). */
export function allEnded(store: Store, jobId: string, total: number): () => Promise<boolean> {
  return async () => {
    const t = (await store.getJob(jobId))!.tally;
    return t.succeeded + t.failed + t.cancelled + t.expired >= total;
  };
}

export interface BedrockTarget {
  fakeUrl: string;
  s3Endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** A bedrock-batch backend on the fake control plane, its files under `prefix` in the bucket. */
export function bedrockBatchBackend(
  prefix: string,
  o: BedrockTarget,
  quotas: Partial<BedrockBatchBackendConfig> = {},
): BedrockBatchBackendConfig {
  return {
    type: "bedrock-batch",
    region: "us-west-2",
    endpoint: o.fakeUrl,
    s3: { bucket: BUCKET, prefix, endpoint: o.s3Endpoint, forcePathStyle: true, region: "us-east-1" },
    roleArn: ROLE,
    accessKeyId: o.credentials.accessKeyId,
    secretAccessKey: o.credentials.secretAccessKey,
    pollMs: 20,
    ...quotas,
  };
}

export function bedrockBatchRoute(
  name: string,
  o: BedrockTarget,
  quotas: Partial<BedrockBatchBackendConfig> = {},
  maxAttempts = 12,
): RouteConfig {
  const backend = bedrockBatchBackend(name, o, quotas);
  return { name, models: [MODEL], backend, concurrency: 1, timeoutMs: 60_000, maxAttempts };
}

/** A Bedrock batch (format bedrock, model named on the job) of `n` records, validated and running. */
export function bedrockJob(
  store: Store,
  n: number,
  route: string,
  o: { now?: number; windowMs?: number; id?: string; model?: string } = {},
): Promise<string> {
  const model = o.model ?? MODEL;
  return insertRunningJob(store, {
    id: o.id ?? randomJobId("batch_"),
    format: "bedrock",
    model,
    endpoint: bedrockInvokeEndpoint(model),
    n,
    route,
    record: (i) => ({
      customId: `r${i}`,
      body: JSON.stringify({
        anthropic_version: "bedrock-2023-05-31",
        max_tokens: 20,
        messages: [{ role: "user", content: `Summarize call ${i}` }],
      }),
    }),
    ...(o.now !== undefined ? { now: o.now } : {}),
    ...(o.windowMs !== undefined ? { windowMs: o.windowMs } : {}),
  });
}

/** Runs the duty's passes (and `tick` between them) until `done()` or the deadline. */
export async function passUntil(
  duty: Duty,
  done: () => Promise<boolean>,
  timeoutMs: number,
  tick: () => Promise<void> = async () => {},
): Promise<void> {
  const stop = new AbortController();
  const end = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > end) throw new Error("timed out waiting for the provider batch duty");
    await duty.pass(stop.signal);
    await tick();
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function finishedOf(store: Store, jobId: string) {
  const all = [];
  let after = -1;
  for (;;) {
    const page = await store.readFinished(jobId, after, 10_000);
    if (page.length === 0) return all;
    all.push(...page);
    after = page[page.length - 1]!.position;
  }
}

/** An OpenAI batch of `n` chat requests for model `fake-model`, validated and running. */
export function chatJob(
  store: Store,
  n: number,
  route: string,
  o: { windowMs?: number } = {},
): Promise<string> {
  return insertRunningJob(store, {
    id: randomJobId("batch_"),
    endpoint: "/v1/chat/completions",
    model: "fake-model",
    n,
    route,
    record: (i) => ({
      customId: `r${i}`,
      body: JSON.stringify({
        model: "fake-model",
        max_tokens: 8,
        messages: [{ role: "user", content: `Call ${i}` }],
      }),
    }),
    ...(o.windowMs !== undefined ? { windowMs: o.windowMs } : {}),
  });
}

/** An Anthropic Message Batch of `n` requests (format anthropic, `/v1/messages`), validated and running. */
export function messagesJob(
  store: Store,
  n: number,
  route: string,
  o: { model?: string; windowMs?: number } = {},
): Promise<string> {
  const model = o.model ?? "claude-3-5-haiku-latest";
  return insertRunningJob(store, {
    id: randomJobId("msgbatch_"),
    format: "anthropic",
    endpoint: "/v1/messages",
    model,
    n,
    route,
    record: (i) => ({
      customId: `req-${i}`,
      body: JSON.stringify({ model, max_tokens: 16, messages: [{ role: "user", content: `Call ${i}` }] }),
    }),
    ...(o.windowMs !== undefined ? { windowMs: o.windowMs } : {}),
  });
}
