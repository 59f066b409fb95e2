import {
  BedrockClient,
  CreateModelInvocationJobCommand,
  GetModelInvocationJobCommand,
  type GetModelInvocationJobCommandOutput,
  ListModelInvocationJobsCommand,
  type ListModelInvocationJobsCommandOutput,
  type ModelInvocationJobStatus,
  type ModelInvocationJobSummary,
  StopModelInvocationJobCommand,
} from "@aws-sdk/client-bedrock";
import { S3BlobStore } from "../../../blobs/s3-blob-store.js";
import { DEFAULT_S3_TIMEOUTS, s3ClientTimeouts } from "../../../blobs/s3-timeouts.js";
import { DocketError } from "../../../domain/errors.js";
import { parseBedrockEndpoint } from "../../bedrock/bedrock-endpoint.js";
import type {
  BatchApiClient,
  BatchApiResult,
  BatchApiStatus,
  BatchInputRecord,
  BatchQuotas,
  BatchSubmitInput,
} from "../batch-api-client.js";
import { BEDROCK_BATCH_QUOTAS } from "./bedrock-batch-quotas.js";
import { errorName, explainBedrockError } from "./bedrock-errors.js";
import { boundedLines } from "./bounded-lines.js";
import { bedrockInputLine } from "./input-line.js";
import { clientRequestTokenOf, jobNameOf, safeToken } from "./job-names.js";
import { batchStatusOf, IN_FLIGHT_STATUSES } from "./job-status.js";
import { type InvocationType, resultOfOutputLine } from "./output-line.js";
import { bedrockRecordKey, recordIdOfBedrockKey } from "./record-key.js";
import { parseS3Uri, s3Uri } from "./s3-uri.js";

export interface BedrockBatchClientOptions {
  /** AWS region of the control plane (and of S3 unless `s3.region`); absent: the SDK's chain. */
  region?: string;
  /** Control-plane endpoint override (a fake, a VPC interface endpoint). */
  endpoint?: string;
  /** Static credentials for Bedrock and S3; absent: the AWS default credential chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Where inputs are written and Bedrock writes outputs (the role must reach it). */
  s3: { bucket: string; prefix?: string; endpoint?: string; forcePathStyle?: boolean; region?: string };
  /** The service role Bedrock assumes to read the input and write the output. */
  roleArn: string;
  /** A fixed model id (or ARN) for this route; absent: the job's model name is the model id. */
  modelId?: string;
  quotas?: Partial<BatchQuotas>;
  /** Hours before Bedrock expires an unfinished job (24–168); absent: Bedrock's default. */
  timeoutDurationInHours?: number;
  /** Tries per control-plane call (the SDK backs off between them). Default 3. */
  maxAttempts?: number;
  /** Longest output line read back; a longer one fails `results` (default 64 MiB). */
  maxOutputLineBytes?: number;
  /** S3 multipart part size for inputs (default the blob store's 8 MiB). */
  partSize?: number;
}

/** Lines are joined into chunks of about this size before they reach the uploader. */
const UPLOAD_CHUNK_CHARS = 256 * 1024;
/** Pages of ListModelInvocationJobs read per lookup: 20 × 1000 jobs, then it gives up. */
const MAX_LIST_PAGES = 20;
const LIST_PAGE_SIZE = 1000;
/** Bedrock's and Docket's clocks may differ; a token lookup looks this much further back. */
const CLOCK_SKEW_MS = 10 * 60_000;

/**
 * Bedrock batch inference (`CreateModelInvocationJob`) as a BatchApiClient. The input is
 * written to `s3://bucket/prefix/<token>/input.jsonl` (streamed, multipart when large), Bedrock
 * writes `<prefix>/<token>/output/<job id>/input.jsonl.out` and `manifest.json.out`. The job's
 * name and `clientRequestToken` are made from Docket's token, so a second submit after a crash
 * finds the first job instead of making another (docs/provider-batch.md#bedrock-batch).
 */
export class BedrockBatchClient implements BatchApiClient {
  readonly kind = "bedrock-batch" as const;
  readonly quotas: BatchQuotas;
  private readonly bedrock: BedrockClient;
  private readonly s3: S3BlobStore;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly roleArn: string;
  private readonly modelId: string | undefined;
  private readonly timeoutHours: number | undefined;
  private readonly maxOutputLineBytes: number;

  constructor(options: BedrockBatchClientOptions) {
    this.quotas = { ...BEDROCK_BATCH_QUOTAS, ...options.quotas };
    this.bucket = options.s3.bucket;
    const prefix = options.s3.prefix ?? "";
    this.prefix = prefix === "" || prefix.endsWith("/") ? prefix : `${prefix}/`;
    this.roleArn = options.roleArn;
    this.modelId = options.modelId;
    this.timeoutHours = options.timeoutDurationInHours;
    this.maxOutputLineBytes = options.maxOutputLineBytes ?? 64 * 1024 * 1024;
    const timeouts = s3ClientTimeouts({ ...DEFAULT_S3_TIMEOUTS, maxAttempts: options.maxAttempts ?? 3 });
    this.bedrock = new BedrockClient({
      ...(options.region ? { region: options.region } : {}),
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      ...timeouts,
    });
    const s3Region = options.s3.region ?? options.region;
    this.s3 = new S3BlobStore({
      bucket: options.s3.bucket,
      ...(s3Region ? { region: s3Region } : {}),
      ...(options.s3.endpoint ? { endpoint: options.s3.endpoint } : {}),
      ...(options.s3.forcePathStyle !== undefined ? { forcePathStyle: options.s3.forcePathStyle } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      ...(options.partSize ? { partSize: options.partSize } : {}),
    });
  }

  keyOf(recordId: number): string {
    return bedrockRecordKey(recordId);
  }

  recordIdOf(key: string): number | null {
    return recordIdOfBedrockKey(key);
  }

  /** InvokeModel bodies and Converse requests: a job is one or the other (`modelInvocationType`). */
  accepts(endpoint: string): boolean {
    return parseBedrockEndpoint(endpoint) !== null;
  }

  encode(record: BatchInputRecord): string {
    return bedrockInputLine(this.keyOf(record.recordId), record.body);
  }

  async submit(token: string, input: BatchSubmitInput): Promise<{ providerJobId: string }> {
    const target = parseBedrockEndpoint(input.endpoint);
    if (target === null) {
      throw new DocketError(
        "provider_refused",
        `Bedrock batch inference takes /model/{modelId}/invoke or /converse records, not ${input.endpoint}.`,
      );
    }
    if (input.count > this.quotas.maxRecordsPerJob || input.bytes > this.quotas.maxBytesPerJob) {
      throw new DocketError(
        "provider_refused",
        `A Bedrock batch job holds at most ${this.quotas.maxRecordsPerJob} records and ${this.quotas.maxBytesPerJob} bytes; this one has ${input.count} and ${input.bytes}.`,
      );
    }
    // A job made by an earlier try (crash after CreateModelInvocationJob) wins: its input is
    // already read or being read, so it is neither rewritten nor made again.
    const earlier = await this.findByToken(token, 0);
    if (earlier !== null) return { providerJobId: earlier };

    const base = `${this.prefix}${safeToken(token)}/`;
    const inputKey = `${base}input.jsonl`;
    try {
      await this.s3.put(inputKey, chunked(input.lines()), { maxBytes: this.quotas.maxBytesPerJob });
    } catch (err) {
      throw new DocketError(
        "provider_unavailable",
        `Could not write the Bedrock batch input to ${s3Uri(this.bucket, inputKey)}: ${(err as Error).message}`,
        503,
      );
    }
    const invocationType: InvocationType = target.operation === "converse" ? "Converse" : "InvokeModel";
    try {
      const created = await this.bedrock.send(
        new CreateModelInvocationJobCommand({
          jobName: jobNameOf(token),
          clientRequestToken: clientRequestTokenOf(token),
          roleArn: this.roleArn,
          modelId: this.modelId ?? input.model,
          inputDataConfig: {
            s3InputDataConfig: { s3Uri: s3Uri(this.bucket, inputKey), s3InputFormat: "JSONL" },
          },
          outputDataConfig: { s3OutputDataConfig: { s3Uri: s3Uri(this.bucket, `${base}output/`) } },
          modelInvocationType: invocationType,
          ...(this.timeoutHours !== undefined ? { timeoutDurationInHours: this.timeoutHours } : {}),
        }),
      );
      return { providerJobId: created.jobArn! };
    } catch (err) {
      // The name is taken: a concurrent or earlier try made it between the lookup and now.
      if (errorName(err) === "ConflictException") {
        const made = await this.findByToken(token, 0);
        if (made !== null) return { providerJobId: made };
      }
      throw explainBedrockError(err, `create batch job ${jobNameOf(token)}`);
    }
  }

  async findByToken(token: string, createdAfterMs: number): Promise<string | null> {
    const name = jobNameOf(token);
    const requestToken = clientRequestTokenOf(token);
    const after = createdAfterMs > 0 ? new Date(createdAfterMs - CLOCK_SKEW_MS) : undefined;
    for await (const job of this.listJobs({
      nameContains: name,
      ...(after ? { submitTimeAfter: after } : {}),
    })) {
      if (job.jobName === name || job.clientRequestToken === requestToken) return job.jobArn ?? null;
    }
    return null;
  }

  async status(providerJobId: string): Promise<BatchApiStatus> {
    const job = await this.getJob(providerJobId);
    return batchStatusOf(job.status, job.message);
  }

  /**
   * The records in the job's output file, as Bedrock wrote them. A job that ended before
   * writing one (failed validation, stopped early) has none: every record is then unreported,
   * and the core requeues it.
   */
  async *results(providerJobId: string): AsyncIterable<BatchApiResult> {
    const job = await this.getJob(providerJobId);
    const location = outputLocation(job, this.bucket);
    const invocation: InvocationType = job.modelInvocationType === "Converse" ? "Converse" : "InvokeModel";
    const body = await this.readObject(location.resultsKey);
    if (body === null) return;
    for await (const line of boundedLines(
      body,
      this.maxOutputLineBytes,
      s3Uri(this.bucket, location.resultsKey),
    )) {
      const result = resultOfOutputLine(line, invocation);
      if (result !== null) yield result;
    }
  }

  /** Bedrock's summary of an ended job (`manifest.json.out`); null before it is written. */
  async manifest(providerJobId: string): Promise<BedrockBatchManifest | null> {
    const location = outputLocation(await this.getJob(providerJobId), this.bucket);
    const body = await this.readObject(location.manifestKey);
    if (body === null) return null;
    let text = "";
    for await (const line of boundedLines(body, 1024 * 1024, s3Uri(this.bucket, location.manifestKey)))
      text += line;
    return JSON.parse(text) as BedrockBatchManifest;
  }

  async cancel(providerJobId: string): Promise<void> {
    try {
      await this.bedrock.send(new StopModelInvocationJobCommand({ jobIdentifier: providerJobId }));
    } catch (err) {
      // Stopping a job that already ended or is stopping is refused; the wish is met all the same.
      const state = (await this.status(providerJobId)).state;
      if (state !== "validating" && state !== "in_progress") return;
      throw explainBedrockError(err, `stop batch job ${providerJobId}`);
    }
  }

  async inFlight(model: string): Promise<number> {
    const modelId = this.modelId ?? model;
    let count = 0;
    for (const status of IN_FLIGHT_STATUSES) {
      for await (const job of this.listJobs({ statusEquals: status as ModelInvocationJobStatus })) {
        if (sameModel(job.modelId, modelId)) count++;
      }
    }
    return count;
  }

  async close(): Promise<void> {
    this.bedrock.destroy();
    this.s3.close();
  }

  private async getJob(providerJobId: string): Promise<GetModelInvocationJobCommandOutput> {
    try {
      return await this.bedrock.send(new GetModelInvocationJobCommand({ jobIdentifier: providerJobId }));
    } catch (err) {
      throw explainBedrockError(err, `read batch job ${providerJobId}`);
    }
  }

  private async *listJobs(filter: {
    nameContains?: string;
    submitTimeAfter?: Date;
    statusEquals?: ModelInvocationJobStatus;
  }): AsyncGenerator<ModelInvocationJobSummary> {
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      let res: ListModelInvocationJobsCommandOutput;
      try {
        res = await this.bedrock.send(
          new ListModelInvocationJobsCommand({
            ...filter,
            maxResults: LIST_PAGE_SIZE,
            ...(nextToken ? { nextToken } : {}),
          }),
        );
      } catch (err) {
        throw explainBedrockError(err, "list batch jobs");
      }
      yield* res.invocationJobSummaries ?? [];
      nextToken = res.nextToken;
      if (!nextToken) return;
    }
    throw new DocketError(
      "provider_unavailable",
      `Bedrock listed more than ${MAX_LIST_PAGES * LIST_PAGE_SIZE} batch jobs for one lookup; narrow it (a route modelId, fewer old jobs).`,
      503,
    );
  }

  /** The object's body, or null when it does not exist (yet). */
  private async readObject(key: string): Promise<AsyncIterable<Buffer> | null> {
    try {
      return await this.s3.get(key);
    } catch (err) {
      if (err instanceof DocketError && err.code === "not_found") return null;
      throw new DocketError(
        "provider_unavailable",
        `Could not read ${s3Uri(this.bucket, key)}: ${(err as Error).message}`,
        503,
      );
    }
  }
}

export interface BedrockBatchManifest {
  totalRecordCount?: number;
  processedRecordCount?: number;
  successRecordCount?: number;
  errorRecordCount?: number;
  inputTokenCount?: number;
  outputTokenCount?: number;
}

/**
 * Where Bedrock put a job's output: under the output URI, a folder named by the job id (the
 * ARN's last segment), holding `<input file name>.out` and `manifest.json.out`.
 */
function outputLocation(
  job: GetModelInvocationJobCommandOutput,
  bucket: string,
): { resultsKey: string; manifestKey: string } {
  const input = parseS3Uri(job.inputDataConfig?.s3InputDataConfig?.s3Uri ?? "");
  const output = parseS3Uri(job.outputDataConfig?.s3OutputDataConfig?.s3Uri ?? "");
  if (input === null || output === null || output.bucket !== bucket) {
    throw new DocketError(
      "provider_refused",
      `Bedrock batch job ${job.jobArn} does not write to s3://${bucket}/; Docket cannot read its output.`,
    );
  }
  const jobId = (job.jobArn ?? "").split("/").pop() ?? "";
  const folder = `${output.key === "" || output.key.endsWith("/") ? output.key : `${output.key}/`}${jobId}/`;
  const inputName = input.key.split("/").pop() ?? "input.jsonl";
  return { resultsKey: `${folder}${inputName}.out`, manifestKey: `${folder}manifest.json.out` };
}

/** A summary names the model by id or by its foundation-model ARN (`…:foundation-model/<id>`). */
function sameModel(listed: string | undefined, modelId: string): boolean {
  if (listed === undefined) return false;
  return listed === modelId || listed.endsWith(`/${modelId}`) || modelId.endsWith(`/${listed}`);
}

/** Each line with its "\n", joined into chunks so the uploader is not handed one line at a time. */
async function* chunked(lines: AsyncIterable<string>): AsyncGenerator<string> {
  let buffer = "";
  for await (const line of lines) {
    buffer += `${line}\n`;
    if (buffer.length >= UPLOAD_CHUNK_CHARS) {
      yield buffer;
      buffer = "";
    }
  }
  if (buffer !== "") yield buffer;
}
