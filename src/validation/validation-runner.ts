import type { BlobStore } from "../blobs/blob-store.js";
import { DEFAULT_VALIDATION_LIMITS, type ValidationLimits } from "../config/validation-limits.js";
import { JobDedupPlanner } from "../dedup/job-dedup-planner.js";
import { type DedupSettings, jobDedupPolicy } from "../dedup/job-dedup-policy.js";
import { CoalescedRuns } from "../domain/coalesced-runs.js";
import type { Job, ValidationError } from "../domain/job.js";
import type { NewRecord } from "../domain/record.js";
import { routesForJob } from "../routing/pinned-route.js";
import type { RouteTable } from "../routing/route-table.js";
import type { Store } from "../store/store.js";
import type { RecordChunk } from "../store/validation-store.js";
import type { parseBatchLine } from "./batch-line.js";
import { capMessage, ErrorList } from "./error-list.js";
import { type LineContext, lineParserFor } from "./input-formats.js";
import { readInputLines } from "./line-reader.js";
import { releaseLineBytes } from "./spanning-line.js";

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
  /** Line, nesting, custom_id, attempt and error-list limits; defaults when absent. */
  limits?: ValidationLimits;
  /** Identical requests once and the response cache (docs/dedup-and-cache.md); absent: neither. */
  dedup?: DedupSettings;
}

/** Records per insert call, and the body bytes that flush a chunk early (huge lines). */
const INSERT_CHUNK = 2000;
const INSERT_CHUNK_BYTES = 16 * 1024 * 1024;
/** Below this size a file is read in one call instead of a stream (same line rules either way). */
const SMALL_FILE_BYTES = 1024 * 1024;
/**
 * Lines longer than this are checked on their UTF-8 bytes (batch-line.ts `parseBatchLineBytes`)
 * and their body kept as bytes: decoding a huge line into a string next to its bytes would hold
 * it twice (three times for non-Latin-1 text, which V8 stores as UTF-16). Shorter lines, the
 * common case, stay on the string path, which is faster per line.
 */
const BYTES_LINE_ABOVE = 1024 * 1024;
/** First retry of a failed validation attempt; doubles per attempt, at most the lease. */
const RETRY_BASE_MS = 1000;
/**
 * Claims of one validation, strikes or not, per `maxAttempts`: attempts killed from outside are no
 * strikes (a crash loop kills healthy validations), yet nothing is validated forever.
 */
const CLAIMS_PER_ATTEMPT = 10;

/**
 * Validation is work like any other: claimed with a lease from the store (so a crashed
 * validator's job is picked up again), streamed line by line (files of GBs), records inserted
 * in chunks. A file with any bad line fails the batch with its problems listed (bounded) and
 * nothing sent to a model, as OpenAI does. It never wedges: a line that cannot be read is a
 * line error, and an attempt that fails outside any line (blob unreadable, store error, crash)
 * is retried a few times, then the batch fails with `validation_failed`.
 */
export class ValidationRunner {
  private readonly limits: ValidationLimits;
  private readonly passes = new CoalescedRuns(async () => {
    for (;;) {
      const job = await this.o.store.claimValidation(this.o.owner, this.o.leaseMs, Date.now());
      if (!job) break;
      await this.attempt(job);
    }
  });

  constructor(private readonly o: ValidationRunnerOptions) {
    this.limits = o.limits ?? DEFAULT_VALIDATION_LIMITS;
  }

  /** Validates every job waiting for it; safe to call often (one loop at a time). */
  async drain(): Promise<void> {
    try {
      await this.passes.run();
    } catch (err) {
      // The store itself failed (claim): the poll calls drain again.
      console.error(`docket: looking for batches to validate failed: ${(err as Error).message}`);
    }
  }

  private async attempt(job: Job): Promise<void> {
    const attempts = job.validationAttempts ?? 1;
    const max = this.limits.maxAttempts;
    const claims = job.validationClaims ?? attempts;
    if (attempts > max || claims > max * CLAIMS_PER_ATTEMPT) {
      // Earlier attempts ended without a word (the process validating it died, e.g. out of memory),
      // each where the farthest one before it had (a line that kills its validator), or far too many.
      await this.giveUp(job, `it was started ${claims - 1} times and never finished`);
      return;
    }
    try {
      await this.validate(job);
    } catch (err) {
      const message = (err as Error).message;
      if (attempts >= max) {
        await this.giveUp(job, `it failed ${attempts} times; the last error was: ${message}`);
        return;
      }
      // Keep the lease until the retry is due, then this or another process tries again.
      const retryMs = Math.min(this.o.leaseMs, RETRY_BASE_MS * 2 ** (attempts - 1));
      console.error(
        `docket: validating ${job.id} failed (attempt ${attempts} of ${max}), retrying in ${retryMs} ms: ${message}`,
      );
      await this.o.store.renewValidation(job.id, this.o.owner, Date.now() + retryMs);
    }
  }

  private async giveUp(job: Job, why: string): Promise<void> {
    const error: ValidationError = {
      code: "validation_failed",
      message: capMessage(
        `The input file could not be validated: ${why.replace(/\.+$/, "")}. Check that the file ${job.inputFileId} is readable and the store is healthy, then create the batch again.`,
      ),
      line: null,
      param: "input_file_id",
    };
    console.error(`docket: validating ${job.id} gave up: ${error.message}`);
    await this.o.store.failValidation(job.id, [error], Date.now());
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
    const errors = new ErrorList(this.limits.maxListedErrors);
    const seen = new Set<string>();
    const parser = lineParserFor(job.format);
    // A retry may pin its records to one route (docs/lineage.md); otherwise each goes by its model.
    const routes = routesForJob(this.o.routes, job.pinnedRoute);
    const at: LineContext = { job, routes, seenIds: seen, limits: this.limits };
    let model: string | null = null;
    let chunk: Array<{ record: NewRecord; attempts: number }> = [];
    // Null for a job with neither dedup nor the cache on any route: no dedup work at all.
    const dedupPolicy = this.o.dedup ? jobDedupPolicy(job, this.o.dedup) : null;
    const planner = dedupPolicy ? new JobDedupPlanner(dedupPolicy) : null;
    let chunkBytes = 0;
    // Big lines read as bytes whose records are in `chunk`: their pages are given back once stored.
    let heldLines: Buffer[] = [];
    let position = 0;
    let lastRenew = Date.now();
    // The chunk's records grouped by attempt budget (one insert call carries one), leaders marked.
    const take = async (): Promise<RecordChunk[]> => {
      if (chunk.length === 0) return [];
      if (planner) {
        const leaders = await planner.plan(
          chunk.map((c) => c.record),
          (keys) => store.readCache(keys, Date.now()),
        );
        await store.markLeaders(job.id, leaders);
      }
      const byAttempts = new Map<number, NewRecord[]>();
      for (const c of chunk) {
        const group = byAttempts.get(c.attempts);
        if (group) group.push(c.record);
        else byAttempts.set(c.attempts, [c.record]);
      }
      chunk = [];
      chunkBytes = 0;
      return [...byAttempts].map(([maxAttempts, records]) => ({ records, maxAttempts }));
    };
    const releaseHeld = () => {
      for (const b of heldLines) releaseLineBytes(b);
      heldLines = [];
    };
    // Stored records mark progress (the position after each chunk: the same for a given file at
    // every attempt, unlike time), so an attempt killed anywhere but where the farthest one before
    // it died is no strike. False: the lease was lost, stop.
    const flush = async (): Promise<boolean> => {
      for (const c of await take()) await store.insertRecords(job.id, c.records, c.maxAttempts);
      releaseHeld();
      lastRenew = Date.now();
      return store.renewValidation(job.id, this.o.owner, lastRenew + this.o.leaseMs, position);
    };

    const source =
      file.bytes <= SMALL_FILE_BYTES && this.o.blobs.readSmall
        ? [await this.o.blobs.readSmall(file.blobKey)]
        : await this.o.blobs.get(file.blobKey);
    const lines = readInputLines(source, this.limits.maxLineBytes, { bytesAbove: BYTES_LINE_ABOVE });
    for await (const batch of lines) {
      for (const item of batch) {
        if ("problem" in item) {
          errors.add({
            code: item.problem.code,
            message: `Line ${item.line}: ${item.problem.message}`,
            line: item.line,
            param: null,
          });
          continue;
        }
        const { line } = item;
        // A big line comes as bytes; whatever does not keep them gives their pages back at once.
        const bytes = "bytes" in item ? item.bytes : null;
        let result: ReturnType<typeof parseBatchLine>;
        try {
          if (bytes && startsWithContent(bytes)) {
            result = parser.parseBytes(bytes, line, position, at);
          } else {
            const text = bytes ? bytes.toString("utf8") : (item as { text: string }).text;
            if (isBlank(text)) {
              if (bytes) releaseLineBytes(bytes);
              continue;
            }
            result = parser.parse(text, line, position, at);
          }
        } catch (err) {
          // Whatever goes wrong checking a line is that line's problem, never a wedged batch.
          result = {
            code: "invalid_line",
            message: `Line ${line}: the line could not be checked (${(err as Error).message}).`,
            line,
            param: null,
          };
        }
        if ("code" in result) {
          if (bytes) releaseLineBytes(bytes);
          errors.add(result);
          continue;
        }
        position++;
        model ??= result.model;
        // Once a line is bad the batch fails: stop writing records, keep reading to count every problem.
        if (errors.count === 0) {
          // The record keeps its `model` field: harmless, the store writes named columns only.
          chunk.push({ record: result, attempts: this.o.maxAttemptsFor(result.route) });
          if (bytes) heldLines.push(bytes);
          chunkBytes += result.body.length;
          const full = chunk.length >= INSERT_CHUNK || chunkBytes >= INSERT_CHUNK_BYTES;
          if (full && !(await flush())) return;
        } else if (bytes) releaseLineBytes(bytes);
      }
      if (Date.now() - lastRenew > this.o.leaseMs / 3) {
        lastRenew = Date.now();
        if (!(await store.renewValidation(job.id, this.o.owner, lastRenew + this.o.leaseMs))) return;
      }
    }
    if (errors.count === 0 && position === 0) {
      errors.add({
        code: "empty_file",
        message: "The input file has no requests.",
        line: null,
        param: "input_file_id",
      });
    }
    if (errors.count > 0) {
      await store.failValidation(job.id, errors.list(), Date.now());
      return;
    }
    // The last chunk is inserted with the start, in one commit (a one-chunk file: one in all).
    const started = await store.finishValidation(job.id, position, Date.now(), model, await take());
    releaseHeld();
    if (started) this.o.onValidated();
  }
}

/**
 * True when a line's first byte past JSON whitespace is a printable ASCII character, so the line
 * is not blank (`isBlank` is about Unicode whitespace); anything else goes the string way.
 */
function startsWithContent(b: Buffer): boolean {
  let i = 0;
  while (b[i] === 0x20 || b[i] === 0x09 || b[i] === 0x0d) i++;
  const c = b[i];
  return c !== undefined && c > 0x20 && c < 0x7f;
}

/** Whitespace only (skipped, as OpenAI does); looks at the first character before trimming. */
function isBlank(text: string): boolean {
  if (text.length === 0) return true;
  const c = text.charCodeAt(0);
  if (c > 0x20 && c !== 0xa0 && c !== 0xfeff && c < 0x1680) return false;
  return text.trim().length === 0;
}
