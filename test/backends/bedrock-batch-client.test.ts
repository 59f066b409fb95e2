import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { BatchApiResult, BatchApiStatus } from "../../src/backends/batch-apis/batch-api-client.js";
import {
  BedrockBatchClient,
  type BedrockBatchClientOptions,
} from "../../src/backends/batch-apis/bedrock-batch/bedrock-batch-client.js";
import { bedrockEndpoint } from "../../src/backends/bedrock/bedrock-endpoint.js";
import {
  type FakeBedrockBatch,
  startFakeBedrockBatch,
} from "../../src/backends/fake-bedrock-batch/fake-bedrock-batch-server.js";
import { type RunningS3rver, startS3rver } from "../support/s3rver.js";

const BUCKET = "docket-batch";
const MODEL = "anthropic.claude-3-haiku-20240307-v1:0";
const INVOKE = bedrockEndpoint("invoke", MODEL);

/** The Bedrock batch client against the fake control plane and a real S3 (s3rver). */
describe("BedrockBatchClient", () => {
  let s3rver: RunningS3rver;
  let fake: FakeBedrockBatch;
  let client: BedrockBatchClient;
  let options: BedrockBatchClientOptions;
  let s3: S3Client;
  let n = 0;

  beforeAll(async () => {
    s3rver = await startS3rver([BUCKET]);
    fake = await startFakeBedrockBatch({
      s3: { endpoint: s3rver.endpoint, credentials: s3rver.credentials },
      turnaroundMs: 100,
    });
    options = {
      region: "eu-west-1",
      endpoint: fake.url,
      credentials: s3rver.credentials,
      s3: { bucket: BUCKET, prefix: "docket/jobs", endpoint: s3rver.endpoint, forcePathStyle: true },
      roleArn: "arn:aws:iam::123456789012:role/DocketBatch",
      maxAttempts: 1,
      quotas: { minRecordsPerJob: 1 },
    };
    client = new BedrockBatchClient(options);
    s3 = new S3Client({
      region: "us-east-1",
      endpoint: s3rver.endpoint,
      forcePathStyle: true,
      credentials: s3rver.credentials,
    });
  });

  beforeEach(() => {
    fake.setOptions({
      turnaroundMs: 100,
      stopMs: 50,
      recordRetryableFailureRate: 0,
      recordFailureRate: 0,
      failRecordMarker: null,
      failJobValidation: null,
      expireBeforeCompletion: false,
      maxJobsInFlight: 10,
    });
  });

  afterAll(async () => {
    await client?.close();
    s3?.destroy();
    await fake?.close();
    await s3rver?.close();
  });

  const claude = (text: string, extra = "") =>
    `{"anthropic_version":"bedrock-2023-05-31","max_tokens":40,"messages":[{"role":"user","content":${JSON.stringify(text)}}]${extra}}`;

  /** Submits records (id → body) under a fresh token, as the core does. */
  function input(records: Array<[number, string]>, endpoint = INVOKE, model = MODEL) {
    const lines = records.map(([recordId, body]) => client.encode({ recordId, endpoint, body, model }));
    return {
      lines: async function* () {
        yield* lines;
      },
      count: lines.length,
      bytes: lines.reduce((sum, l) => sum + Buffer.byteLength(l) + 1, 0),
      model,
      endpoint,
    };
  }

  async function waitFor(id: string, states: BatchApiStatus["state"][]): Promise<BatchApiStatus> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const status = await client.status(id);
      if (states.includes(status.state)) return status;
      if (Date.now() > deadline) throw new Error(`still ${status.state}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async function collect(id: string): Promise<BatchApiResult[]> {
    const out: BatchApiResult[] = [];
    for await (const r of client.results(id)) out.push(r);
    return out;
  }

  it("writes the input under the token, runs one job, and maps results back to record ids", async () => {
    const token = `pj-${++n}`;
    const odd = claude("spaced", ',"temperature":0.50');
    const job = input([
      [7, claude("hello")],
      [123_456_789, odd],
    ]);
    const { providerJobId } = await client.submit(token, job);
    expect(providerJobId).toMatch(/^arn:aws:bedrock:eu-west-1:\d{12}:model-invocation-job\/[a-z0-9]{12}$/);

    const written = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: `docket/jobs/${token}/input.jsonl` }),
    );
    const text = await written.Body!.transformToString();
    expect(text).toBe(
      `{"recordId":"00000000007","modelInput":${claude("hello")}}\n{"recordId":"${client.keyOf(123_456_789)}","modelInput":${odd}}\n`,
    );

    expect((await client.status(providerJobId)).state).toMatch(/validating|in_progress/);
    expect(await waitFor(providerJobId, ["ended", "failed"])).toEqual({ state: "ended", error: null });

    const results = await collect(providerJobId);
    expect(results.map((r) => client.recordIdOf(r.key))).toEqual([7, 123_456_789]);
    for (const r of results) {
      if (!r.ok) throw new Error("expected answers");
      expect(JSON.parse(r.body)).toMatchObject({ type: "message", role: "assistant" });
      expect(r.usage!.outputTokens).toBe(JSON.parse(r.body).usage.output_tokens);
      expect(r.usage!.inputTokens).toBeGreaterThan(0);
    }
    expect(await client.manifest(providerJobId)).toMatchObject({
      totalRecordCount: 2,
      successRecordCount: 2,
    });
  });

  it("is idempotent by token: a second submit finds the first job and uploads nothing", async () => {
    const token = `pj-${++n}`;
    const job = input([[1, claude("once")]]);
    const a = await client.submit(token, job);
    const b = await client.submit(token, job);
    expect(b.providerJobId).toBe(a.providerJobId);
    expect(await client.findByToken(token, Date.now() - 60_000)).toBe(a.providerJobId);
    expect(await client.findByToken(`pj-never-${n}`, 0)).toBeNull();
    await waitFor(a.providerJobId, ["ended"]);
    const stats = fake.stats();
    expect(stats.jobsByToken[token]).toBe(1);
    expect(stats.recordsSubmitted[client.keyOf(1)]).toBe(1);
  });

  it("keeps a token that is not a valid Bedrock name usable (hashed), and finds it again", async () => {
    const token = `pj_${++n}/odd`;
    const { providerJobId } = await client.submit(token, input([[2, claude("odd")]]));
    expect(await client.findByToken(token, 0)).toBe(providerJobId);
    await waitFor(providerJobId, ["ended"]);
  });

  it("reports record errors as retryable or final, and a job's failure with Bedrock's reason", async () => {
    fake.setOptions({ failRecordMarker: "BAD", recordRetryableFailureRate: 0.5, seed: 7 });
    const records: Array<[number, string]> = Array.from({ length: 20 }, (_, i) => [100 + i, claude(`q${i}`)]);
    records[0] = [100, claude("BAD input")];
    const { providerJobId } = await client.submit(`pj-${++n}`, input(records));
    expect((await waitFor(providerJobId, ["ended"])).state).toBe("ended");
    const results = await collect(providerJobId);
    expect(results).toHaveLength(20);
    const first = results.find((r) => client.recordIdOf(r.key) === 100)!;
    expect(first).toMatchObject({
      ok: false,
      retryable: false,
      code: "ValidationException",
      statusCode: 400,
    });
    const throttled = results.filter((r) => !r.ok && r.retryable);
    expect(throttled.length).toBeGreaterThan(2);
    expect(throttled[0]).toMatchObject({ code: "ThrottlingException", statusCode: 429 });
    expect(results.filter((r) => r.ok).length).toBeGreaterThan(2);

    fake.setOptions({
      failJobValidation: "Validation of the input file failed.",
      failRecordMarker: null,
      recordRetryableFailureRate: 0,
    });
    const failed = await client.submit(`pj-${++n}`, input([[300, claude("x")]]));
    expect(await waitFor(failed.providerJobId, ["failed"])).toEqual({
      state: "failed",
      error: "Validation of the input file failed.",
    });
    expect(await collect(failed.providerJobId)).toEqual([]);
  });

  it("reads the records an expired job did, and none of the others", async () => {
    fake.setOptions({ expireBeforeCompletion: true });
    const records: Array<[number, string]> = Array.from({ length: 6 }, (_, i) => [500 + i, claude(`e${i}`)]);
    const { providerJobId } = await client.submit(`pj-${++n}`, input(records));
    expect((await waitFor(providerJobId, ["expired"])).state).toBe("expired");
    const results = await collect(providerJobId);
    expect(results.map((r) => client.recordIdOf(r.key))).toEqual([500, 501, 502]);
  });

  it("runs Converse records as a Converse job", async () => {
    const endpoint = bedrockEndpoint("converse", MODEL);
    const body =
      '{"messages":[{"role":"user","content":[{"text":"hi"}]}],"inferenceConfig":{"maxTokens":10}}';
    const { providerJobId } = await client.submit(`pj-${++n}`, input([[42, body]], endpoint));
    await waitFor(providerJobId, ["ended"]);
    const [result] = await collect(providerJobId);
    expect(result).toMatchObject({ ok: true, key: client.keyOf(42) });
    if (!result!.ok) throw new Error("expected an answer");
    expect(JSON.parse(result!.body).output.message.role).toBe("assistant");
    expect(result!.usage).toEqual({
      inputTokens: JSON.parse(result!.body).usage.inputTokens,
      outputTokens: JSON.parse(result!.body).usage.outputTokens,
    });
  });

  it("cancels a job, and cancelling again or after the end is not an error", async () => {
    fake.setOptions({ turnaroundMs: 5_000, stopMs: 1_000 });
    const { providerJobId } = await client.submit(`pj-${++n}`, input([[9, claude("stop me")]]));
    await client.cancel(providerJobId);
    expect((await client.status(providerJobId)).state).toBe("cancelling");
    await client.cancel(providerJobId);
    expect(await waitFor(providerJobId, ["cancelled"])).toEqual({ state: "cancelled", error: null });
    await client.cancel(providerJobId);
    expect(await collect(providerJobId)).toEqual([]);
  });

  it("counts in-flight jobs of a model, its own and others', and surfaces throttled creates", async () => {
    fake.setOptions({ turnaroundMs: 5_000, stopMs: 1_500 });
    const model = "meta.llama3-70b-instruct-v1:0";
    const llama = '{"prompt":"hi","max_gen_len":20}';
    const endpoint = bedrockEndpoint("invoke", model);
    expect(await client.inFlight(model)).toBe(0);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await client.submit(`pj-${++n}`, input([[700 + i, llama]], endpoint, model))).providerJobId);
    }
    expect(await client.inFlight(model)).toBe(3);
    expect(await client.inFlight("meta.llama3-8b-instruct-v1:0")).toBe(0);
    await client.cancel(ids[0]!);
    expect(await client.inFlight(model)).toBe(3); // Stopping still holds its slot
    await waitFor(ids[0]!, ["cancelled"]);
    expect(await client.inFlight(model)).toBe(2);

    fake.setOptions({ throttleCreates: 1 });
    const token = `pj-${++n}`;
    await expect(client.submit(token, input([[800, llama]], endpoint, model))).rejects.toMatchObject({
      code: "provider_throttled",
      httpStatus: 429,
    });
    fake.setOptions({ maxJobsInFlight: 2 });
    await expect(client.submit(token, input([[800, llama]], endpoint, model))).rejects.toMatchObject({
      code: "provider_throttled",
      message: expect.stringContaining("ServiceQuotaExceededException"),
    });
    for (const id of ids.slice(1)) await client.cancel(id);
    expect(fake.stats().jobsByToken[token]).toBeUndefined();
  });

  it("streams a large input through a multipart upload", async () => {
    const big = new BedrockBatchClient({ ...options, partSize: 5 * 1024 * 1024 });
    try {
      const padding = "x".repeat(2000);
      const records: Array<[number, string]> = Array.from({ length: 3000 }, (_, i) => [
        10_000 + i,
        claude(`${i} ${padding}`),
      ]);
      const job = input(records);
      expect(job.bytes).toBeGreaterThan(5 * 1024 * 1024);
      const token = `pj-${++n}`;
      const { providerJobId } = await big.submit(token, job);
      await waitFor(providerJobId, ["ended"]);
      const results: BatchApiResult[] = [];
      for await (const r of big.results(providerJobId)) results.push(r);
      expect(results).toHaveLength(3000);
      expect(new Set(results.map((r) => big.recordIdOf(r.key))).size).toBe(3000);
      const listed = await s3.send(
        new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `docket/jobs/${token}/` }),
      );
      const inputObject = listed.Contents!.find((o) => o.Key!.endsWith("input.jsonl"))!;
      expect(inputObject.Size).toBe(job.bytes);
    } finally {
      await big.close();
    }
  });
});
