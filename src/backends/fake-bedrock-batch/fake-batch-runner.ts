import { S3BlobStore } from "../../blobs/s3-blob-store.js";
import { boundedLines } from "../batch-apis/bedrock-batch/bounded-lines.js";
import { parseS3Uri } from "../batch-apis/bedrock-batch/s3-uri.js";
import type { FakeJob } from "./fake-batch-job.js";
import type { ResolvedFakeBedrockBatchOptions } from "./fake-batch-options.js";
import { type FakeInputRecord, processRecord, type RecordFate, readInputLine } from "./fake-batch-record.js";

/** Where the fake reads inputs and writes outputs: an S3-compatible server (s3rver in tests). */
export interface FakeS3Options {
  endpoint: string;
  region?: string;
  forcePathStyle?: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** Bedrock's limit on one input line is the model's; the fake refuses lines past this. */
const MAX_INPUT_LINE_BYTES = 25 * 1024 * 1024;

/** What the runner needs from the server: the live options and the stats it feeds. */
export interface RunnerHost {
  options(): ResolvedFakeBedrockBatchOptions;
  random(): number;
  /** Every record read from a job's input, by recordId: more than one means a record ran twice. */
  recordsSubmitted: Map<string, number>;
}

/**
 * A job's life after CreateModelInvocationJob: Submitted → Validating (reads the input from S3,
 * checks it) → Scheduled → InProgress → at the turnaround, every record answered and
 * `<job id>/<input>.out` and `manifest.json.out` written under the output URI → Completed,
 * PartiallyCompleted (some error lines) or Expired (the knob: half the records done). A failed
 * validation ends it Failed with a message; a stop ends it Stopped without output.
 */
export class FakeBatchRunner {
  private readonly stores = new Map<string, S3BlobStore>();

  constructor(
    private readonly s3: FakeS3Options,
    private readonly host: RunnerHost,
  ) {}

  start(job: FakeJob): void {
    const turnaround = this.host.options().turnaroundMs;
    this.after(job, Math.floor(turnaround / 5), async () => {
      setStatus(job, "Validating");
      const records = await this.validate(job);
      if (records === null) return;
      setStatus(job, "Scheduled");
      setStatus(job, "InProgress");
      const rest = job.hurried ? 0 : turnaround - Math.floor(turnaround / 5);
      this.after(job, rest, () => this.finish(job, records));
    });
  }

  /**
   * The job's remaining steps run now, as though its turnaround had passed: a test holds jobs
   * with a long turnaround while it watches them, then lets them go at once.
   */
  hurry(job: FakeJob): void {
    job.hurried = true;
    for (const [timer, step] of [...job.timers]) {
      clearTimeout(timer);
      job.timers.delete(timer);
      this.after(job, 0, step);
    }
  }

  stop(job: FakeJob): void {
    for (const timer of job.timers.keys()) clearTimeout(timer);
    job.timers.clear();
    setStatus(job, "Stopping");
    this.after(job, this.host.options().stopMs, async () => {
      setStatus(job, "Stopped");
      job.endTime = new Date();
    });
  }

  close(): void {
    for (const store of this.stores.values()) store.close();
  }

  private after(job: FakeJob, ms: number, step: () => Promise<void>): void {
    const timer = setTimeout(() => {
      job.timers.delete(timer);
      step().catch((err: unknown) => fail(job, `Internal error: ${(err as Error).message}`));
    }, ms);
    job.timers.set(timer, step);
  }

  private async validate(job: FakeJob): Promise<FakeInputRecord[] | null> {
    const opts = this.host.options();
    if (opts.failJobValidation !== null) {
      fail(job, opts.failJobValidation);
      return null;
    }
    const location = parseS3Uri(job.inputUri)!;
    let body: AsyncIterable<Buffer>;
    try {
      body = await this.store(location.bucket).get(location.key);
    } catch (err) {
      fail(job, `Unable to read the input file ${job.inputUri}: ${(err as Error).message}`);
      return null;
    }
    const records: FakeInputRecord[] = [];
    let n = 0;
    for await (const line of boundedLines(body, MAX_INPUT_LINE_BYTES, job.inputUri)) {
      const record = readInputLine(line, ++n);
      if (typeof record === "string") {
        fail(job, record);
        return null;
      }
      records.push(record);
    }
    if (records.length < opts.minRecordsPerJob) {
      fail(
        job,
        `The job has ${records.length} records, below the minimum of ${opts.minRecordsPerJob} per job.`,
      );
      return null;
    }
    for (const r of records) {
      this.host.recordsSubmitted.set(r.recordId, (this.host.recordsSubmitted.get(r.recordId) ?? 0) + 1);
    }
    job.totalRecordCount = records.length;
    job.processedRecordCount = 0;
    return records;
  }

  private async finish(job: FakeJob, records: FakeInputRecord[]): Promise<void> {
    const opts = this.host.options();
    const done = opts.expireBeforeCompletion ? records.slice(0, Math.floor(records.length / 2)) : records;
    const lines: string[] = [];
    let success = 0;
    let inputTokens = 0;
    let outputTokens = 0;
    for (const record of done) {
      const result = processRecord(
        record,
        job.modelId,
        job.invocationType,
        this.fate(record),
        opts.outputTokens,
      );
      lines.push(result.line);
      if (result.ok) success++;
      inputTokens += result.inputTokens;
      outputTokens += result.outputTokens;
    }
    const output = parseS3Uri(job.outputUri)!;
    const input = parseS3Uri(job.inputUri)!;
    const folder = `${output.key === "" || output.key.endsWith("/") ? output.key : `${output.key}/`}${job.id}/`;
    const store = this.store(output.bucket);
    const inputName = input.key.split("/").pop()!;
    await store.put(`${folder}${inputName}.out`, linesOf(lines));
    const manifest = {
      totalRecordCount: records.length,
      processedRecordCount: done.length,
      successRecordCount: success,
      errorRecordCount: done.length - success,
      inputTokenCount: inputTokens,
      outputTokenCount: outputTokens,
    };
    await store.put(`${folder}manifest.json.out`, linesOf([JSON.stringify(manifest)]));
    job.processedRecordCount = done.length;
    job.successRecordCount = success;
    job.errorRecordCount = done.length - success;
    if (job.status !== "InProgress") return; // stopped meanwhile
    if (opts.expireBeforeCompletion) {
      job.message = "The job reached its timeout before all records were processed.";
      setStatus(job, "Expired");
    } else setStatus(job, success === done.length ? "Completed" : "PartiallyCompleted");
    job.endTime = new Date();
  }

  private fate(record: FakeInputRecord): RecordFate {
    const opts = this.host.options();
    if (opts.failRecordMarker !== null && record.modelInput.includes(opts.failRecordMarker)) {
      return {
        kind: "error",
        errorCode: 400,
        errorMessage: `The record contains the failure marker '${opts.failRecordMarker}'.`,
      };
    }
    const draw = this.host.random();
    if (draw < opts.recordRetryableFailureRate) {
      return {
        kind: "error",
        errorCode: 429,
        errorMessage: "Too many requests, please wait before trying again.",
      };
    }
    if (draw < opts.recordRetryableFailureRate + opts.recordFailureRate) {
      return { kind: "error", errorCode: 400, errorMessage: "The model refused this record's input." };
    }
    return { kind: "answer" };
  }

  private store(bucket: string): S3BlobStore {
    let store = this.stores.get(bucket);
    if (!store) {
      store = new S3BlobStore({
        bucket,
        endpoint: this.s3.endpoint,
        region: this.s3.region ?? "us-east-1",
        forcePathStyle: this.s3.forcePathStyle ?? true,
        ...(this.s3.credentials ? { credentials: this.s3.credentials } : {}),
      });
      this.stores.set(bucket, store);
    }
    return store;
  }
}

function setStatus(job: FakeJob, status: string): void {
  job.status = status;
  job.lastModifiedTime = new Date();
}

function fail(job: FakeJob, message: string): void {
  for (const timer of job.timers.keys()) clearTimeout(timer);
  job.timers.clear();
  job.message = message;
  setStatus(job, "Failed");
  job.endTime = new Date();
}

async function* linesOf(lines: string[]): AsyncGenerator<string> {
  let chunk = "";
  for (const line of lines) {
    chunk += `${line}\n`;
    if (chunk.length >= 256 * 1024) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk !== "") yield chunk;
}
