import { createInterface } from "node:readline";
import type { BlobStore } from "../blobs/blob-store.js";
import type { Job, ValidationError } from "../domain/job.js";
import type { NewRecord } from "../domain/record.js";
import type { RouteTable } from "../routing/route-table.js";
import type { Store } from "../store/store.js";
import { parseBatchLine } from "./batch-line.js";

export interface ValidationRunnerOptions {
  store: Store;
  blobs: BlobStore;
  routes: RouteTable;
  owner: string;
  leaseMs: number;
  /** Attempts each record gets (from its route; the largest is used when routes differ). */
  maxAttemptsFor: (route: string) => number;
  /** Called when a job starts running, so workers claim its records at once. */
  onValidated: () => void;
}

/** Problems listed in full on the batch; beyond this only the count is reported. */
const MAX_LISTED_ERRORS = 1000;
const INSERT_CHUNK = 2000;

/**
 * Validation is work like any other: claimed with a lease from the store (so a crashed
 * validator's job is picked up again), streamed line by line (files of GBs), records inserted
 * in chunks. A file with any bad line fails the batch with every problem listed and nothing
 * sent to a model, as OpenAI does.
 */
export class ValidationRunner {
  private running = false;
  private again = false;

  constructor(private readonly o: ValidationRunnerOptions) {}

  /** Validates every job waiting for it; safe to call often (one loop at a time). */
  async drain(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.again = false;
        for (;;) {
          const job = await this.o.store.claimValidation(this.o.owner, this.o.leaseMs, Date.now());
          if (!job) break;
          try {
            await this.validate(job);
          } catch (err) {
            // The job keeps its validation lease; when it runs out, this or another process retries.
            console.error(`docket: validating ${job.id} failed, will retry: ${(err as Error).message}`);
            return;
          }
        }
      } while (this.again);
    } finally {
      this.running = false;
    }
  }

  private async validate(job: Job): Promise<void> {
    const { store } = this.o;
    const file = await store.getFile(job.inputFileId);
    if (!file) {
      await store.failValidation(
        job.id,
        [
          {
            code: "file_not_found",
            message: `The input file ${job.inputFileId} no longer exists.`,
            line: null,
            param: "input_file_id",
          },
        ],
        Date.now(),
      );
      return;
    }
    const errors: ValidationError[] = [];
    let errorCount = 0;
    const seen = new Set<string>();
    let chunk: Array<{ record: NewRecord; attempts: number }> = [];
    let position = 0;
    let lineNo = 0;
    let lastRenew = Date.now();
    const flush = async () => {
      if (chunk.length === 0) return;
      // One insert call carries one attempt budget; routes with different budgets go separately.
      const byAttempts = new Map<number, NewRecord[]>();
      for (const c of chunk) {
        const group = byAttempts.get(c.attempts);
        if (group) group.push(c.record);
        else byAttempts.set(c.attempts, [c.record]);
      }
      for (const [attempts, records] of byAttempts) await store.insertRecords(job.id, records, attempts);
      chunk = [];
    };

    for await (const text of readLines(this.o.blobs, file.blobKey, file.bytes)) {
      lineNo++;
      if (text.trim().length === 0) continue;
      const result = parseBatchLine(text, lineNo, position, job.endpoint, this.o.routes, seen);
      if ("code" in result) {
        errorCount++;
        if (errors.length < MAX_LISTED_ERRORS) errors.push(result);
        continue;
      }
      position++;
      // Once a line is bad the batch fails: stop writing records, keep reading to list every problem.
      if (errorCount === 0) {
        chunk.push({ record: result, attempts: this.o.maxAttemptsFor(result.route) });
        if (chunk.length >= INSERT_CHUNK) await flush();
      }
      if (Date.now() - lastRenew > this.o.leaseMs / 3) {
        lastRenew = Date.now();
        if (!(await store.renewValidation(job.id, this.o.owner, lastRenew + this.o.leaseMs))) return;
      }
    }
    if (errorCount === 0 && position === 0) {
      errorCount++;
      errors.push({
        code: "empty_file",
        message: "The input file has no requests.",
        line: null,
        param: "input_file_id",
      });
    }
    if (errorCount > 0) {
      if (errorCount > errors.length) {
        errors.push({
          code: "too_many_errors",
          message: `${errorCount} lines have problems; the first ${MAX_LISTED_ERRORS} are listed.`,
          line: null,
          param: null,
        });
      }
      await store.failValidation(job.id, errors, Date.now());
      return;
    }
    await flush();
    if (await store.finishValidation(job.id, position, Date.now())) this.o.onValidated();
  }
}

/** Below this size a file is read whole and split: no stream machinery per small batch. */
const SMALL_FILE_BYTES = 1024 * 1024;

/**
 * The input's lines. A small file (most interactive submissions) is read in one go and split,
 * which keeps stream and line-reader start-up off the submit-to-start path; a large one is
 * streamed through readline so memory stays bounded whatever its size.
 */
async function* readLines(blobs: BlobStore, key: string, bytes: number): AsyncGenerator<string> {
  if (bytes > SMALL_FILE_BYTES || !blobs.readSmall) {
    yield* createInterface({ input: await blobs.get(key), crlfDelay: Number.POSITIVE_INFINITY });
    return;
  }
  const lines = (await blobs.readSmall(key)).toString("utf8").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  for (const line of lines) yield line.endsWith("\r") ? line.slice(0, -1) : line;
}
