import { stat } from "node:fs/promises";
import type { RouteConfig } from "../config/config.js";
import { DocketError } from "../domain/errors.js";
import { type ContextLengthResolution, resolveContextLength } from "./context-lengths.js";
import type { Dialect, DialectName } from "./dialects/dialect.js";
import { selectDialect } from "./dialects/select-dialect.js";
import type { OverflowPolicy } from "./overflow-policy.js";
import type { PreparedRequest } from "./prepared-request.js";
import { type Problem, type ProblemCode, problem } from "./problem.js";
import type {
  DatasetFormat,
  DatasetRow,
  ParseProblem,
  ReaderItem,
  ReaderProgress,
} from "./readers/dataset-row.js";
import { formatFromPath, readDatasetBatches } from "./readers/open-dataset.js";
import { type CompiledTemplate, compileTemplate } from "./template/compile-template.js";
import type { TemplateSpec } from "./template/template-spec.js";
import { CountingThreads } from "./tokens/counting-threads.js";
import { countRequestTokens, requestTokenParts } from "./tokens/request-tokens.js";
import { selectTokenCounter, type TokenizerChoice } from "./tokens/select-counter.js";
import type { TokenCounter, TokenCounterProvider } from "./tokens/token-counter.js";
import { fitToContext, outputReserve } from "./validate.js";

export interface PrepareOptions {
  /** Path of a CSV (with header) or JSONL file. */
  dataset: string;
  /** Default: from the file extension. */
  format?: DatasetFormat;
  template: TemplateSpec;
  /** The batch file dialect the requests are meant for; decides which ids are acceptable. */
  dialect?: DialectName;
  /** Column/field holding each row's id; default a generated `row-<rowNumber>`. */
  idField?: string;
  /** CSV delimiter; detected from the header when absent. */
  delimiter?: string;
  /** Context length override; else the matching route's, else the built-in table. */
  contextLength?: number;
  routes?: RouteConfig[];
  onOverflow?: OverflowPolicy;
  tokenizer?: TokenizerChoice;
  /** Lets a backend that knows its model's tokenizer (llama.cpp) supply the counter. */
  tokenCounterProvider?: TokenCounterProvider;
  maxRowBytes?: number;
  signal?: AbortSignal;
  /**
   * Threads that count exact (tiktoken) tokens while this one reads, renders and writes.
   * Default: one per core for datasets from 8 MB (smaller ones are done before threads start).
   */
  countingThreads?: number;
}

/**
 * Text per batch sent to the counting threads: ~40 rows of the bench's calls, counted in a few
 * ms, so a handful in flight keep every thread busy while holding little. Batches of 256k
 * characters held ~1 MB of rows in flight long enough to be promoted: the old generation grew
 * by their garbage (exact run on 200 MB, 32 KiB reads: 182 MiB of peak RSS with 256k, 156 MiB with 64k).
 */
const BATCH_CHARS = 64 * 1024;

/** Below this size starting counting threads (an isolate each) is not worth it: counting is done first. */
const THREADS_FROM_BYTES = 8_000_000;

export interface PrepareSummary {
  /** Rows met in the file, parseable or not (header and blank lines excluded). */
  rowsRead: number;
  prepared: number;
  /** Rows that parsed but were refused (missing field, bad id, over the context). */
  rejected: number;
  /** Prepared rows that were cut to fit (included in `prepared`). */
  truncated: number;
  unparseable: number;
  bytesRead: number;
  /** Input tokens of the prepared requests. */
  inputTokens: number;
  /** Sum of the prepared requests' max_tokens. */
  maxOutputTokens: number;
  problems: Partial<Record<ProblemCode, number>>;
}

export type PrepareItem = PreparedRequest | Problem;

/** A dataset being prepared: iterate once for requests and problems in file order. */
export interface PreparedDataset extends AsyncIterable<PrepareItem> {
  readonly template: CompiledTemplate;
  readonly dialect: Dialect;
  readonly tokenizer: TokenCounter;
  readonly contextLength: ContextLengthResolution;
  readonly policy: OverflowPolicy;
  /** Live while iterating; final once iteration ends. */
  readonly summary: PrepareSummary;
}

/**
 * Turns each row of a dataset into a request: id, template rendering, token count, context
 * check. Template-level mistakes (bad policy field, template the dialect cannot express) throw
 * here, before anything is read; row-level ones are yielded as problems and preparation goes on.
 */
export function prepareDataset(options: PrepareOptions): PreparedDataset {
  const template = compileTemplate(options.template);
  const dialect = selectDialect(options.dialect ?? "openai");
  dialect.checkTemplate(template);
  const policy = options.onOverflow ?? { kind: "reject" };
  if (policy.kind === "truncate" && !template.fields.includes(policy.field)) {
    throw new DocketError(
      "invalid_option",
      `Cannot truncate '${policy.field}': the template has no {{${policy.field}}} outside a section ` +
        `(it uses: ${template.fields.join(", ") || "no fields"}).`,
    );
  }
  const tokenizer = selectTokenCounter(template.spec.model, options.tokenizer, options.tokenCounterProvider);
  const contextLength = resolveContextLength(template.spec.model, options.contextLength, options.routes);
  const summary: PrepareSummary = {
    rowsRead: 0,
    prepared: 0,
    rejected: 0,
    truncated: 0,
    unparseable: 0,
    bytesRead: 0,
    inputTokens: 0,
    maxOutputTokens: 0,
    problems: {},
  };
  let started = false;

  /** A row rendered and waiting for its token count, or an item already decided. */
  type Pending =
    | { kind: "ready"; item: PrepareItem }
    | { kind: "row"; row: DatasetRow; id: string; payload: RenderedPayload; overhead: number; texts: number };
  type RenderedPayload = Extract<ReturnType<CompiledTemplate["render"]>, { ok: true }>["payload"];
  /**
   * Rows read together. Without counting threads each row goes through every step before the
   * next is touched (its short-lived objects die young instead of surviving a whole batch); with
   * them, the batch is rendered first and its texts sent off to be counted.
   */
  type Batch =
    | { items: ReaderItem[]; pending: null; counts: null }
    | { items: null; pending: Pending[]; counts: Promise<Uint32Array> | null };

  async function* run(): AsyncGenerator<PrepareItem> {
    if (started) throw new DocketError("already_iterated", "A prepared dataset can be iterated only once.");
    started = true;
    const format = options.format ?? formatFromPath(options.dataset);
    const progress: ReaderProgress = { bytesRead: 0 };
    const seenIds = options.idField !== undefined ? new Set<string>() : null;
    const threads = await startThreads();
    const batches = readDatasetBatches(options.dataset, format, {
      delimiter: options.delimiter,
      maxRowBytes: options.maxRowBytes,
      signal: options.signal,
      progress,
    });
    let checkedHeader = format !== "csv";
    // One batch queued per counting thread beyond the one being rendered: enough to keep every
    // thread busy, and few and small enough that a batch's objects die young (a batch waiting
    // through several scavenges is promoted, and the old generation then grows by its garbage).
    const maxInFlight = threads ? threads.size + 1 : 0;
    const inFlight: Batch[] = [];
    // Reads are small (see csv-reader.ts); rows are gathered across them into batches of
    // ~BATCH_CHARS so that each message to a counting thread carries enough work.
    let gathered: ReaderItem[] = [];
    let gatheredChars = 0;
    try {
      for await (const items of batches) {
        if (!threads) {
          yield* finish({ items, pending: null, counts: null });
          continue;
        }
        for (const item of items) {
          gathered.push(item);
          gatheredChars += charsOf(item);
          if (gatheredChars < BATCH_CHARS) continue;
          inFlight.push(render(gathered, threads));
          gathered = [];
          gatheredChars = 0;
          while (inFlight.length > maxInFlight) yield* finish(inFlight.shift()!);
        }
      }
      if (threads && gathered.length > 0) inFlight.push(render(gathered, threads));
      while (inFlight.length > 0) yield* finish(inFlight.shift()!);
    } catch (e) {
      if (isNotFound(e))
        throw new DocketError("dataset_not_found", `Cannot open dataset ${options.dataset}.`);
      throw e;
    } finally {
      summary.bytesRead = progress.bytesRead;
      await threads?.close();
    }

    async function startThreads(): Promise<CountingThreads | null> {
      if (options.countingThreads === 0 || !tokenizer.exact) return null;
      if (options.countingThreads === undefined) {
        const size = await stat(options.dataset).then(
          (s) => s.size,
          () => 0,
        );
        if (size < THREADS_FROM_BYTES) return null;
      }
      return CountingThreads.start(tokenizer, options.countingThreads);
    }

    /** Everything up to the token count, in file order (ids, duplicates, rendering). */
    function render(items: ReaderItem[], threads: CountingThreads): Batch {
      const pending: Pending[] = [];
      const texts: string[] = [];
      for (const item of items) {
        if (item.kind === "parse_problem") {
          pending.push({ kind: "ready", item: unparseable(item) });
          continue;
        }
        if (!checkedHeader) {
          checkCsvHeader(item, template, options);
          checkedHeader = true;
        }
        const out = renderRow(item);
        if ("kind" in out) {
          pending.push({ kind: "ready", item: out });
          continue;
        }
        const parts = requestTokenParts(out.payload);
        for (const text of parts.texts) texts.push(text);
        const { id, payload } = out;
        pending.push({
          kind: "row",
          row: item,
          id,
          payload,
          overhead: parts.overhead,
          texts: parts.texts.length,
        });
      }
      const counts = texts.length > 0 ? threads.count(texts) : null;
      // Awaited in turn later; a failure before then must not count as unhandled meanwhile.
      counts?.catch(() => {});
      return { items: null, pending, counts };
    }

    /** The rest, once the batch's counts are in: context check, summary, in file order. */
    async function* finish(batch: Batch): AsyncGenerator<PrepareItem> {
      if (batch.items) {
        for (const item of batch.items) {
          summary.rowsRead++;
          summary.bytesRead = progress.bytesRead;
          yield prepareOne(item);
        }
        return;
      }
      const counts = batch.counts ? await batch.counts : null;
      let at = 0;
      for (const p of batch.pending) {
        summary.rowsRead++;
        summary.bytesRead = progress.bytesRead;
        if (p.kind === "ready") {
          yield reject(p.item as Problem);
          continue;
        }
        let inputTokens = p.overhead;
        for (const end = at + p.texts; at < end; at++) inputTokens += counts![at]!;
        const out = fitRow(p.row, p.id, p.payload, inputTokens);
        if (out.kind === "problem") yield reject(out);
        else yield out;
      }
    }

    /** One row through every step, counting in this thread. */
    function prepareOne(item: ReaderItem): PrepareItem {
      if (item.kind === "parse_problem") return reject(unparseable(item));
      if (!checkedHeader) {
        checkCsvHeader(item, template, options);
        checkedHeader = true;
      }
      const out = renderRow(item);
      if ("kind" in out) return reject(out);
      const fitted = fitRow(item, out.id, out.payload, countRequestTokens(out.payload, tokenizer));
      return fitted.kind === "problem" ? reject(fitted) : fitted;
    }

    function reject(p: Problem): Problem {
      summary.problems[p.code] = (summary.problems[p.code] ?? 0) + 1;
      if (p.code === "unparseable_row") summary.unparseable++;
      else summary.rejected++;
      return p;
    }

    function renderRow(row: DatasetRow): Problem | { id: string; payload: RenderedPayload } {
      const id = rowId(row, options.idField);
      if (typeof id !== "string") return problem("invalid_custom_id", id.error, row.line, row.rowNumber);
      const idProblem = dialect.checkCustomId(id);
      if (idProblem)
        return problem("invalid_custom_id", `${idProblem} (got '${id}').`, row.line, row.rowNumber, id);
      if (seenIds) {
        if (seenIds.has(id)) {
          return problem(
            "duplicate_custom_id",
            `Id '${id}' is used by an earlier row.`,
            row.line,
            row.rowNumber,
            id,
          );
        }
        seenIds.add(id);
      }
      const rendered = template.render(row.fields);
      if (!rendered.ok) {
        const names = rendered.missing.map((n) => `'${n}'`).join(", ");
        const message = `Row ${row.rowNumber} has no value for ${names}, which the template uses.`;
        return problem("missing_field", message, row.line, row.rowNumber, id);
      }
      return { id, payload: rendered.payload };
    }

    function fitRow(row: DatasetRow, id: string, payload: RenderedPayload, inputTokens: number): PrepareItem {
      const fit = fitToContext({
        fields: row.fields,
        payload,
        inputTokens,
        template,
        counter: tokenizer,
        contextLength: contextLength.tokens,
        policy,
      });
      if (!fit.ok) return problem("context_overflow", fit.message, row.line, row.rowNumber, id);
      summary.prepared++;
      if (fit.truncated) summary.truncated++;
      summary.inputTokens += fit.inputTokens;
      summary.maxOutputTokens += outputReserve(fit.payload);
      // Named members, not `{...fit.payload, …}`: on Node 20 an object spread takes V8's slow
      // path, ~4.5 µs a row here (a seventh of the estimate path's CPU on the bench's CSV).
      const request = {
        endpoint: fit.payload.endpoint,
        body: fit.payload.body,
        kind: "request" as const,
        rowNumber: row.rowNumber,
        line: row.line,
        customId: id,
        inputTokens: fit.inputTokens,
        truncated: fit.truncated,
      };
      return request as PreparedRequest;
    }
  }

  return {
    template,
    dialect,
    tokenizer,
    contextLength,
    policy,
    summary,
    [Symbol.asyncIterator]: () => run(),
  };
}

/** Characters of an item's string fields (what its texts to count will mostly be). */
function charsOf(item: ReaderItem): number {
  if (item.kind !== "row") return 0;
  let chars = 0;
  for (const key in item.fields) {
    const value = item.fields[key];
    chars += typeof value === "string" ? value.length : 16;
  }
  return chars;
}

function unparseable(item: ParseProblem): Problem {
  const message =
    item.endLine > item.line
      ? `${item.message} (lines ${item.line}-${item.endLine} were skipped with it; check the quoting)`
      : item.message;
  return problem("unparseable_row", message, item.line, item.rowNumber);
}

/**
 * Every CSV row has the same columns, so a template field or id column absent from the first
 * row is absent from all: one clear error instead of a problem per row.
 */
function checkCsvHeader(row: DatasetRow, template: CompiledTemplate, options: PrepareOptions): void {
  const columns = Object.keys(row.fields);
  const needed = template.fields.map((f) => f.split(".")[0]!);
  if (options.idField !== undefined) needed.push(options.idField);
  const absent = [...new Set(needed)].filter((f) => !columns.includes(f));
  if (absent.length > 0) {
    throw new DocketError(
      "column_not_found",
      `${options.dataset} has no column ${absent.map((f) => `'${f}'`).join(", ")}; its columns are: ${columns.join(", ")}.`,
    );
  }
}

export function rowId(row: DatasetRow, idField: string | undefined): string | { error: string } {
  if (idField === undefined) return `row-${row.rowNumber}`;
  const value = row.fields[idField];
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "string" && value.trim() !== "") return value;
  return {
    error: `Row ${row.rowNumber} has no usable id in '${idField}' (it must be a non-empty string or number).`,
  };
}

function isNotFound(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as NodeJS.ErrnoException).code === "ENOENT";
}
