import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { listenFake, readBoundedBody, requestPath } from "../fake/fake-listen.js";
import {
  type AwsError,
  awsError,
  awsErrorBody,
  awsErrorHeaders,
  isAwsError,
  validationError,
} from "../fake-bedrock/aws-error.js";
import { checkSigV4 } from "../fake-bedrock/sigv4-header.js";
import { readCreateRequest } from "./create-request.js";
import { type FakeJob, IN_FLIGHT, jobView, newJobId, STOPPABLE } from "./fake-batch-job.js";
import {
  FAKE_BEDROCK_BATCH_DEFAULTS,
  type FakeBedrockBatchOptions,
  mergeFakeBedrockBatchOptions,
  seededRandom,
} from "./fake-batch-options.js";
import { FakeBatchRunner, type FakeS3Options } from "./fake-batch-runner.js";

export interface StartFakeBedrockBatchOptions extends FakeBedrockBatchOptions {
  /** The S3-compatible server the jobs' input and output URIs point into. */
  s3: FakeS3Options;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** Defaults to 0: any free port. */
  port?: number;
}

export interface FakeBedrockBatchStats {
  /** CreateModelInvocationJob calls per clientRequestToken, repeats and refusals included. */
  createCallsByToken: Record<string, number>;
  /** Jobs made per clientRequestToken: above 1 means a token made two jobs. */
  jobsByToken: Record<string, number>;
  jobsCreated: number;
  /** Records read from jobs' inputs per recordId: above 1 means a record was submitted twice. */
  recordsSubmitted: Record<string, number>;
  /** The most jobs of one model in flight at once, per model. */
  maxInFlightObserved: Record<string, number>;
  throttledCreates: number;
  stops: number;
}

export interface FakeBedrockBatch {
  /** The endpoint override for a Bedrock (control plane) client: `http://127.0.0.1:PORT`. */
  url: string;
  stats(): FakeBedrockBatchStats;
  setOptions(partial: FakeBedrockBatchOptions): void;
  /** Jobs in flight end now, as though their turnaround had passed (the rest of their steps at once). */
  endInFlight(): void;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;
const ACCOUNT = "123456789012";
const JOB_PATH = /^\/model-invocation-job\/([^/]+)$/;
const STOP_PATH = /^\/model-invocation-job\/([^/]+)\/stop$/;

/**
 * A fake Amazon Bedrock control plane for batch inference, speaking the REST JSON the official
 * `@aws-sdk/client-bedrock` sends: `POST /model-invocation-job` (CreateModelInvocationJob,
 * idempotent by clientRequestToken), `GET /model-invocation-job/{id or ARN}`,
 * `GET /model-invocation-jobs` (filters, sort, pages), `POST /model-invocation-job/{id}/stop`.
 * Jobs read their input from and write their output to a real S3-compatible server, answered
 * with the fake Bedrock Runtime's generators (fake-batch-runner.ts). Requests must be
 * SigV4-signed for service `bedrock` (not verified); errors are AWS's.
 */
export async function startFakeBedrockBatch(
  options: StartFakeBedrockBatchOptions,
): Promise<FakeBedrockBatch> {
  const { s3, host = "127.0.0.1", port = 0, ...behaviour } = options;
  let opts = mergeFakeBedrockBatchOptions(FAKE_BEDROCK_BATCH_DEFAULTS, behaviour);
  let random = seededRandom(opts.seed);
  const jobs: FakeJob[] = [];
  const counters = {
    createCallsByToken: new Map<string, number>(),
    jobsByToken: new Map<string, number>(),
    recordsSubmitted: new Map<string, number>(),
    maxInFlight: new Map<string, number>(),
    throttledCreates: 0,
    stops: 0,
  };
  const runner = new FakeBatchRunner(s3, {
    options: () => opts,
    random: () => random(),
    recordsSubmitted: counters.recordsSubmitted,
  });

  function send(res: ServerResponse, status: number, body: unknown, extra?: Record<string, string>): void {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(text),
      "x-amzn-requestid": randomUUID(),
      ...extra,
    });
    res.end(text);
  }
  const sendError = (res: ServerResponse, e: AwsError) =>
    send(res, e.status, awsErrorBody(e), awsErrorHeaders(e));

  function findJob(identifier: string): FakeJob | undefined {
    return jobs.find((j) => j.arn === identifier || j.id === identifier);
  }

  function inFlight(modelId: string): number {
    return jobs.filter((j) => j.modelId === modelId && IN_FLIGHT.has(j.status)).length;
  }

  function create(
    body: Record<string, unknown>,
    region: string,
  ): { status: number; body: unknown } | AwsError {
    const token = typeof body.clientRequestToken === "string" ? body.clientRequestToken : "";
    counters.createCallsByToken.set(token, (counters.createCallsByToken.get(token) ?? 0) + 1);
    if (opts.throttleCreates > 0) {
      opts = { ...opts, throttleCreates: opts.throttleCreates - 1 };
      counters.throttledCreates++;
      return awsError(429, "ThrottlingException", "Too many requests, please wait before trying again.");
    }
    if (opts.quotaExceededCreates > 0) {
      opts = { ...opts, quotaExceededCreates: opts.quotaExceededCreates - 1 };
      counters.throttledCreates++;
      return awsError(
        400,
        "ServiceQuotaExceededException",
        "The number of batch inference jobs exceeds the service quota.",
      );
    }
    const request = readCreateRequest(body);
    if (isAwsError(request)) return request;
    if (request.clientRequestToken !== undefined) {
      const same = jobs.find((j) => j.clientRequestToken === request.clientRequestToken);
      if (same) return { status: 200, body: { jobArn: same.arn } };
    }
    if (jobs.some((j) => j.jobName === request.jobName)) {
      return awsError(
        409,
        "ConflictException",
        `A batch inference job named ${request.jobName} already exists.`,
      );
    }
    if (inFlight(request.modelId) >= opts.maxJobsInFlight) {
      return awsError(
        400,
        "ServiceQuotaExceededException",
        `The number of in-progress and submitted batch inference jobs for ${request.modelId} has reached its quota of ${opts.maxJobsInFlight}.`,
      );
    }
    const id = newJobId();
    const now = new Date();
    const job: FakeJob = {
      arn: `arn:aws:bedrock:${region}:${ACCOUNT}:model-invocation-job/${id}`,
      id,
      jobName: request.jobName,
      modelId: request.modelId,
      roleArn: request.roleArn,
      clientRequestToken: request.clientRequestToken,
      status: "Submitted",
      message: undefined,
      submitTime: now,
      lastModifiedTime: now,
      endTime: undefined,
      inputUri: request.inputUri,
      outputUri: request.outputUri,
      invocationType: request.invocationType,
      timeoutDurationInHours: request.timeoutDurationInHours,
      totalRecordCount: undefined,
      processedRecordCount: undefined,
      successRecordCount: undefined,
      errorRecordCount: undefined,
      timers: new Map(),
      hurried: false,
    };
    jobs.push(job);
    if (request.clientRequestToken !== undefined) {
      counters.jobsByToken.set(token, (counters.jobsByToken.get(token) ?? 0) + 1);
    }
    const inFlightNow = inFlight(job.modelId);
    counters.maxInFlight.set(job.modelId, Math.max(counters.maxInFlight.get(job.modelId) ?? 0, inFlightNow));
    runner.start(job);
    return { status: 200, body: { jobArn: job.arn } };
  }

  function list(query: URLSearchParams): { status: number; body: unknown } | AwsError {
    const after = query.get("submitTimeAfter");
    const before = query.get("submitTimeBefore");
    const status = query.get("statusEquals");
    const name = query.get("nameContains");
    const maxResults = Number(query.get("maxResults") ?? 1000);
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 1000) {
      return validationError("maxResults must be from 1 to 1000.");
    }
    const afterMs = after ? Date.parse(after) : Number.NEGATIVE_INFINITY;
    const beforeMs = before ? Date.parse(before) : Number.POSITIVE_INFINITY;
    if (Number.isNaN(afterMs) || Number.isNaN(beforeMs))
      return validationError("submitTime filters must be timestamps.");
    const descending = (query.get("sortOrder") ?? "Descending") === "Descending";
    const matching = jobs
      .filter(
        (j) =>
          j.submitTime.getTime() > afterMs &&
          j.submitTime.getTime() < beforeMs &&
          (status === null || j.status === status) &&
          (name === null || j.jobName.includes(name)),
      )
      .sort((a, b) => (a.submitTime.getTime() - b.submitTime.getTime()) * (descending ? -1 : 1));
    const start = query.get("nextToken")
      ? Number(Buffer.from(query.get("nextToken")!, "base64url").toString())
      : 0;
    if (!Number.isInteger(start) || start < 0) return validationError("The nextToken is not valid.");
    const page = matching.slice(start, start + maxResults);
    const next =
      start + maxResults < matching.length
        ? Buffer.from(String(start + maxResults)).toString("base64url")
        : undefined;
    return {
      status: 200,
      body: { invocationJobSummaries: page.map(jobView), ...(next ? { nextToken: next } : {}) },
    };
  }

  function stop(identifier: string): { status: number; body: unknown } | AwsError {
    const job = findJob(identifier);
    if (!job) return awsError(404, "ResourceNotFoundException", `No batch inference job ${identifier}.`);
    if (!STOPPABLE.has(job.status)) {
      return validationError(`The job is ${job.status} and can no longer be stopped.`);
    }
    counters.stops++;
    runner.stop(job);
    return { status: 200, body: {} };
  }

  function route(
    req: IncomingMessage,
    path: string,
    body: string,
    region: string,
  ): { status: number; body: unknown } | AwsError {
    const decode = (segment: string) => decodeURIComponent(segment);
    if (req.method === "POST" && path === "/model-invocation-job") {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        return awsError(400, "SerializationException", "The request body is not valid JSON.");
      }
      if (typeof parsed !== "object" || parsed === null)
        return validationError("The body must be an object.");
      return create(parsed as Record<string, unknown>, region);
    }
    if (req.method === "GET" && path === "/model-invocation-jobs") {
      return list(new URL(req.url ?? "/", "http://fake").searchParams);
    }
    const stopMatch = STOP_PATH.exec(path);
    if (req.method === "POST" && stopMatch) return stop(decode(stopMatch[1]!));
    const getMatch = JOB_PATH.exec(path);
    if (req.method === "GET" && getMatch) {
      const job = findJob(decode(getMatch[1]!));
      if (!job)
        return awsError(404, "ResourceNotFoundException", `No batch inference job ${decode(getMatch[1]!)}.`);
      return { status: 200, body: jobView(job) };
    }
    return awsError(404, "UnknownOperationException", `Unknown operation ${req.method} ${path}.`);
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const path = requestPath(req);
    readBoundedBody(req, MAX_BODY_BYTES, (body, length) => {
      if (body === null) {
        sendError(res, validationError(`The request body is ${length} bytes, over ${MAX_BODY_BYTES}.`));
        return;
      }
      const signed = checkSigV4(req.headers);
      if (isAwsError(signed)) {
        sendError(res, signed);
        return;
      }
      let answer: { status: number; body: unknown } | AwsError;
      try {
        answer = route(req, path, body, signed.region);
      } catch (err) {
        answer = awsError(500, "InternalServerException", (err as Error).message);
      }
      if (isAwsError(answer)) sendError(res, answer);
      else send(res, answer.status, answer.body);
    });
  }

  const server = await listenFake(host, port, onRequest);
  const toObject = (m: Map<string, number>) => Object.fromEntries(m);
  return {
    url: server.origin,
    stats: () => ({
      createCallsByToken: toObject(counters.createCallsByToken),
      jobsByToken: toObject(counters.jobsByToken),
      jobsCreated: jobs.length,
      recordsSubmitted: toObject(counters.recordsSubmitted),
      maxInFlightObserved: toObject(counters.maxInFlight),
      throttledCreates: counters.throttledCreates,
      stops: counters.stops,
    }),
    endInFlight() {
      // A stopping job is left to its stopMs: only a turnaround is cut short.
      for (const job of jobs) if (STOPPABLE.has(job.status)) runner.hurry(job);
    },
    setOptions(partial) {
      const seedChanged = partial.seed !== undefined && partial.seed !== opts.seed;
      opts = mergeFakeBedrockBatchOptions(opts, partial);
      if (seedChanged) random = seededRandom(opts.seed);
    },
    async close() {
      for (const job of jobs) for (const timer of job.timers.keys()) clearTimeout(timer);
      runner.close();
      await server.close();
    },
  };
}
