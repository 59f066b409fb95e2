import {
  BedrockClient,
  CreateModelInvocationJobCommand,
  type CreateModelInvocationJobCommandInput,
  GetModelInvocationJobCommand,
  type GetModelInvocationJobCommandOutput,
  ListModelInvocationJobsCommand,
  StopModelInvocationJobCommand,
} from "@aws-sdk/client-bedrock";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type FakeBedrockBatch,
  startFakeBedrockBatch,
} from "../../src/backends/fake-bedrock-batch/fake-bedrock-batch-server.js";
import { type RunningS3rver, startS3rver } from "../support/s3rver.js";

const BUCKET = "batch";
const MODEL = "anthropic.claude-3-haiku-20240307-v1:0";
const ROLE = "arn:aws:iam::123456789012:role/BedrockBatch";

/** The fake Bedrock batch control plane driven by the official SDKs, on a real S3 (s3rver). */
describe("fake Bedrock batch control plane", () => {
  let s3rver: RunningS3rver;
  let fake: FakeBedrockBatch;
  let bedrock: BedrockClient;
  let s3: S3Client;
  let n = 0;

  beforeAll(async () => {
    s3rver = await startS3rver([BUCKET]);
    fake = await startFakeBedrockBatch({
      s3: { endpoint: s3rver.endpoint, credentials: s3rver.credentials },
      turnaroundMs: 100,
    });
    bedrock = new BedrockClient({
      region: "us-west-2",
      endpoint: fake.url,
      credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" },
      maxAttempts: 1,
    });
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
      minRecordsPerJob: 1,
    });
  });

  afterAll(async () => {
    bedrock?.destroy();
    s3?.destroy();
    await fake?.close();
    await s3rver?.close();
  });

  function claudeLine(recordId: string, text: string): string {
    return JSON.stringify({
      recordId,
      modelInput: {
        anthropic_version: "bedrock-2023-05-31",
        max_tokens: 50,
        messages: [{ role: "user", content: text }],
      },
    });
  }

  /** Writes an input file and returns a create request for it, unique per call. */
  async function prepare(lines: string[], extra: Partial<CreateModelInvocationJobCommandInput> = {}) {
    const name = `t${++n}`;
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: `${name}/input.jsonl`, Body: `${lines.join("\n")}\n` }),
    );
    return {
      jobName: `job-${name}`,
      roleArn: ROLE,
      clientRequestToken: `tok-${name}`,
      modelId: MODEL,
      inputDataConfig: { s3InputDataConfig: { s3Uri: `s3://${BUCKET}/${name}/input.jsonl` } },
      outputDataConfig: { s3OutputDataConfig: { s3Uri: `s3://${BUCKET}/${name}/out/` } },
      ...extra,
    } satisfies CreateModelInvocationJobCommandInput;
  }

  async function waitForEnd(jobArn: string): Promise<GetModelInvocationJobCommandOutput> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const job = await bedrock.send(new GetModelInvocationJobCommand({ jobIdentifier: jobArn }));
      if (!["Submitted", "Validating", "Scheduled", "InProgress", "Stopping"].includes(job.status!))
        return job;
      if (Date.now() > deadline) throw new Error(`job ${jobArn} still ${job.status}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async function object(key: string): Promise<string | null> {
    try {
      const res = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      return await res.Body!.transformToString();
    } catch {
      return null;
    }
  }

  function outputKeys(input: CreateModelInvocationJobCommandInput, jobArn: string) {
    const prefix = input.outputDataConfig!.s3OutputDataConfig!.s3Uri!.replace(`s3://${BUCKET}/`, "");
    const id = jobArn.split("/").pop();
    return { results: `${prefix}${id}/input.jsonl.out`, manifest: `${prefix}${id}/manifest.json.out` };
  }

  it("runs a job: output lines with the runtime fake's answers, and a manifest", async () => {
    const input = await prepare([claudeLine("AAAAAAAAAA1", "hello"), claudeLine("AAAAAAAAAA2", "world")]);
    const { jobArn } = await bedrock.send(new CreateModelInvocationJobCommand(input));
    expect(jobArn).toMatch(/^arn:aws:bedrock:us-west-2:\d{12}:model-invocation-job\/[a-z0-9]{12}$/);
    const first = await bedrock.send(new GetModelInvocationJobCommand({ jobIdentifier: jobArn! }));
    expect(["Submitted", "Validating", "Scheduled", "InProgress"]).toContain(first.status);
    expect(first.submitTime).toBeInstanceOf(Date);

    const job = await waitForEnd(jobArn!);
    expect(job).toMatchObject({
      status: "Completed",
      jobName: input.jobName,
      clientRequestToken: input.clientRequestToken,
      modelId: MODEL,
      modelInvocationType: "InvokeModel",
      totalRecordCount: 2,
      processedRecordCount: 2,
      successRecordCount: 2,
      errorRecordCount: 0,
    });
    const keys = outputKeys(input, jobArn!);
    const lines = (await object(keys.results))!
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.recordId)).toEqual(["AAAAAAAAAA1", "AAAAAAAAAA2"]);
    expect(lines[0].modelInput.messages[0].content).toBe("hello");
    expect(lines[0].modelOutput).toMatchObject({
      type: "message",
      role: "assistant",
      model: expect.stringContaining("claude-3-haiku"),
    });
    expect(lines[0].modelOutput.usage.output_tokens).toBeGreaterThan(0);
    const manifest = JSON.parse((await object(keys.manifest))!);
    expect(manifest).toMatchObject({
      totalRecordCount: 2,
      processedRecordCount: 2,
      successRecordCount: 2,
      errorRecordCount: 0,
    });
    expect(manifest.outputTokenCount).toBe(lines[0].modelOutput.usage.output_tokens * 2);
    expect(fake.stats().recordsSubmitted).toMatchObject({ AAAAAAAAAA1: 1, AAAAAAAAAA2: 1 });
  });

  it("answers a Converse job with Converse bodies", async () => {
    const line = JSON.stringify({
      recordId: "CCCCCCCCCC1",
      modelInput: {
        messages: [{ role: "user", content: [{ text: "hi" }] }],
        inferenceConfig: { maxTokens: 20 },
      },
    });
    const input = await prepare([line], { modelInvocationType: "Converse" });
    const { jobArn } = await bedrock.send(new CreateModelInvocationJobCommand(input));
    expect((await waitForEnd(jobArn!)).status).toBe("Completed");
    const out = JSON.parse((await object(outputKeys(input, jobArn!).results))!.trim());
    expect(out.modelOutput.output.message.role).toBe("assistant");
    expect(out.modelOutput.usage.inputTokens).toBeGreaterThan(0);
  });

  it("makes one job per clientRequestToken, and refuses a second job of the same name", async () => {
    const input = await prepare([claudeLine("BBBBBBBBBB1", "x")]);
    const a = await bedrock.send(new CreateModelInvocationJobCommand(input));
    const b = await bedrock.send(new CreateModelInvocationJobCommand(input));
    expect(b.jobArn).toBe(a.jobArn);
    expect(fake.stats().createCallsByToken[input.clientRequestToken]).toBe(2);
    expect(fake.stats().jobsByToken[input.clientRequestToken]).toBe(1);
    await expect(
      bedrock.send(new CreateModelInvocationJobCommand({ ...input, clientRequestToken: "other" })),
    ).rejects.toMatchObject({ name: "ConflictException" });
    await waitForEnd(a.jobArn!);
  });

  it("refuses requests Bedrock's API model refuses, and unsigned ones", async () => {
    const input = await prepare([claudeLine("BBBBBBBBBB2", "x")]);
    await expect(
      bedrock.send(new CreateModelInvocationJobCommand({ ...input, jobName: "bad_name" })),
    ).rejects.toMatchObject({ name: "ValidationException", message: expect.stringContaining("jobName") });
    await expect(
      bedrock.send(new CreateModelInvocationJobCommand({ ...input, roleArn: "not-an-arn" })),
    ).rejects.toMatchObject({ name: "ValidationException" });
    const res = await fetch(`${fake.url}/model-invocation-jobs`);
    expect(res.status).toBe(403);
    expect(res.headers.get("x-amzn-errortype")).toMatch(/^MissingAuthenticationTokenException:/);
  });

  it("lists jobs with filters, newest first, in pages", async () => {
    const made: string[] = [];
    for (let i = 0; i < 3; i++) {
      const input = await prepare([claudeLine(`LLLLLLLLLL${i}`, "x")], {});
      made.push(
        (await bedrock.send(new CreateModelInvocationJobCommand({ ...input, jobName: `listme-${n}` })))
          .jobArn!,
      );
      await new Promise((r) => setTimeout(r, 5));
    }
    const page1 = await bedrock.send(
      new ListModelInvocationJobsCommand({ nameContains: "listme", maxResults: 2 }),
    );
    expect(page1.invocationJobSummaries!.map((j) => j.jobArn)).toEqual([made[2], made[1]]);
    expect(page1.nextToken).toBeTruthy();
    const page2 = await bedrock.send(
      new ListModelInvocationJobsCommand({
        nameContains: "listme",
        maxResults: 2,
        nextToken: page1.nextToken,
      }),
    );
    expect(page2.invocationJobSummaries!.map((j) => j.jobArn)).toEqual([made[0]]);
    expect(page2.nextToken).toBeUndefined();
    const later = await bedrock.send(
      new ListModelInvocationJobsCommand({
        nameContains: "listme",
        submitTimeAfter: new Date(Date.now() + 60_000),
      }),
    );
    expect(later.invocationJobSummaries).toEqual([]);
    for (const arn of made) await waitForEnd(arn);
    const done = await bedrock.send(
      new ListModelInvocationJobsCommand({
        nameContains: "listme",
        statusEquals: "Completed",
        sortOrder: "Ascending",
      }),
    );
    expect(done.invocationJobSummaries!.map((j) => j.jobArn)).toEqual(made);
  });

  it("stops a job: Stopping, then Stopped, with no output", async () => {
    fake.setOptions({ turnaroundMs: 5_000, stopMs: 1_500 });
    const input = await prepare([claudeLine("SSSSSSSSSS1", "x")]);
    const { jobArn } = await bedrock.send(new CreateModelInvocationJobCommand(input));
    await bedrock.send(new StopModelInvocationJobCommand({ jobIdentifier: jobArn! }));
    const stopping = await bedrock.send(new GetModelInvocationJobCommand({ jobIdentifier: jobArn! }));
    expect(stopping.status).toBe("Stopping");
    expect((await waitForEnd(jobArn!)).status).toBe("Stopped");
    expect(await object(outputKeys(input, jobArn!).results)).toBeNull();
    await expect(
      bedrock.send(new StopModelInvocationJobCommand({ jobIdentifier: jobArn! })),
    ).rejects.toMatchObject({
      name: "ValidationException",
    });
  });

  it("throttles creates on demand and enforces the in-flight quota, recording the most seen", async () => {
    fake.setOptions({ throttleCreates: 1, quotaExceededCreates: 1 });
    const input = await prepare([claudeLine("QQQQQQQQQQ1", "x")]);
    await expect(bedrock.send(new CreateModelInvocationJobCommand(input))).rejects.toMatchObject({
      name: "ThrottlingException",
      $metadata: { httpStatusCode: 429 },
    });
    await expect(bedrock.send(new CreateModelInvocationJobCommand(input))).rejects.toMatchObject({
      name: "ServiceQuotaExceededException",
    });
    const first = await bedrock.send(new CreateModelInvocationJobCommand(input));
    expect(fake.stats().jobsByToken[input.clientRequestToken]).toBe(1);

    fake.setOptions({ turnaroundMs: 5_000, maxJobsInFlight: 2 });
    const model = "meta.llama3-8b-instruct-v1:0";
    const llama = JSON.stringify({ recordId: "QQQQQQQQQQ2", modelInput: { prompt: "hi" } });
    const arns: string[] = [];
    for (let i = 0; i < 2; i++) {
      arns.push(
        (await bedrock.send(new CreateModelInvocationJobCommand(await prepare([llama], { modelId: model }))))
          .jobArn!,
      );
    }
    await expect(
      bedrock.send(new CreateModelInvocationJobCommand(await prepare([llama], { modelId: model }))),
    ).rejects.toMatchObject({ name: "ServiceQuotaExceededException" });
    expect(fake.stats().maxInFlightObserved[model]).toBe(2);
    for (const arn of arns) await bedrock.send(new StopModelInvocationJobCommand({ jobIdentifier: arn }));
    await waitForEnd(first.jobArn!);
  });

  it("fails a job at validation, and on an input line without a record id", async () => {
    fake.setOptions({ failJobValidation: "The input file has a schema error." });
    const a = await bedrock.send(
      new CreateModelInvocationJobCommand(await prepare([claudeLine("VVVVVVVVVV1", "x")])),
    );
    expect(await waitForEnd(a.jobArn!)).toMatchObject({
      status: "Failed",
      message: "The input file has a schema error.",
    });
    fake.setOptions({ failJobValidation: null });
    const b = await bedrock.send(new CreateModelInvocationJobCommand(await prepare(['{"modelInput":{}}'])));
    expect(await waitForEnd(b.jobArn!)).toMatchObject({
      status: "Failed",
      message: expect.stringContaining("Line 1"),
    });
    fake.setOptions({ minRecordsPerJob: 100 });
    const c = await bedrock.send(
      new CreateModelInvocationJobCommand(await prepare([claudeLine("VVVVVVVVVV2", "x")])),
    );
    expect(await waitForEnd(c.jobArn!)).toMatchObject({
      status: "Failed",
      message: expect.stringContaining("minimum of 100"),
    });
  });

  it("fails chosen records, retryable or not, and expires a job half done", async () => {
    const lines = Array.from({ length: 40 }, (_, i) =>
      claudeLine(`R${String(i).padStart(10, "0")}`, `q${i}`),
    );
    lines[3] = claudeLine("R0000000003", "please FAIL-ME");
    fake.setOptions({
      recordRetryableFailureRate: 0.25,
      recordFailureRate: 0.25,
      failRecordMarker: "FAIL-ME",
    });
    const input = await prepare(lines);
    const { jobArn } = await bedrock.send(new CreateModelInvocationJobCommand(input));
    const job = await waitForEnd(jobArn!);
    expect(job.status).toBe("PartiallyCompleted");
    const out = (await object(outputKeys(input, jobArn!).results))!
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(out).toHaveLength(40);
    const codes = out.map((l) => l.error?.errorCode ?? 200);
    expect(codes.filter((c) => c === 429).length).toBeGreaterThan(3);
    expect(codes.filter((c) => c === 400).length).toBeGreaterThan(3);
    expect(codes.filter((c) => c === 200).length).toBeGreaterThan(3);
    expect(out[3].error).toEqual({ errorCode: 400, errorMessage: expect.stringContaining("FAIL-ME") });
    expect(job.errorRecordCount).toBe(codes.filter((c) => c !== 200).length);

    fake.setOptions({ recordRetryableFailureRate: 0, recordFailureRate: 0, expireBeforeCompletion: true });
    const input2 = await prepare(lines.slice(10, 20));
    const expired = await bedrock.send(new CreateModelInvocationJobCommand(input2));
    expect(await waitForEnd(expired.jobArn!)).toMatchObject({
      status: "Expired",
      processedRecordCount: 5,
      totalRecordCount: 10,
    });
    const half = (await object(outputKeys(input2, expired.jobArn!).results))!.trim().split("\n");
    expect(half).toHaveLength(5);
  });
});
