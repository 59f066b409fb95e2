import type { RouteConfig } from "../config/config.js";
import { DocketError } from "../domain/errors.js";
import { type ContextLengthResolution, resolveContextLength } from "./context-lengths.js";
import type { Dialect, DialectName } from "./dialects/dialect.js";
import { selectDialect } from "./dialects/select-dialect.js";
import type { OverflowPolicy } from "./overflow-policy.js";
import type { PreparedRequest } from "./prepared-request.js";
import { type Problem, type ProblemCode, problem } from "./problem.js";
import type { DatasetFormat, DatasetRow, ReaderProgress } from "./readers/dataset-row.js";
import { formatFromPath, readDataset } from "./readers/open-dataset.js";
import { type CompiledTemplate, compileTemplate } from "./template/compile-template.js";
import type { TemplateSpec } from "./template/template-spec.js";
import { countRequestTokens } from "./tokens/request-tokens.js";
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
}

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

  async function* run(): AsyncGenerator<PrepareItem> {
    if (started) throw new DocketError("already_iterated", "A prepared dataset can be iterated only once.");
    started = true;
    const format = options.format ?? formatFromPath(options.dataset);
    const progress: ReaderProgress = { bytesRead: 0 };
    const seenIds = options.idField !== undefined ? new Set<string>() : null;
    const rows = readDataset(options.dataset, format, {
      delimiter: options.delimiter,
      maxRowBytes: options.maxRowBytes,
      signal: options.signal,
      progress,
    });
    let checkedHeader = format !== "csv";
    const reject = (p: Problem): Problem => {
      summary.problems[p.code] = (summary.problems[p.code] ?? 0) + 1;
      if (p.code === "unparseable_row") summary.unparseable++;
      else summary.rejected++;
      return p;
    };
    try {
      for await (const item of rows) {
        summary.rowsRead++;
        summary.bytesRead = progress.bytesRead;
        if (item.kind === "parse_problem") {
          const message =
            item.endLine > item.line
              ? `${item.message} (lines ${item.line}-${item.endLine} were skipped with it; check the quoting)`
              : item.message;
          yield reject(problem("unparseable_row", message, item.line, item.rowNumber));
          continue;
        }
        if (!checkedHeader) {
          checkCsvHeader(item, template, options);
          checkedHeader = true;
        }
        const out = prepareRow(item);
        if (out.kind === "problem") yield reject(out);
        else yield out;
      }
    } catch (e) {
      if (isNotFound(e))
        throw new DocketError("dataset_not_found", `Cannot open dataset ${options.dataset}.`);
      throw e;
    } finally {
      summary.bytesRead = progress.bytesRead;
    }

    function prepareRow(row: DatasetRow): PrepareItem {
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
      const fit = fitToContext({
        fields: row.fields,
        payload: rendered.payload,
        inputTokens: countRequestTokens(rendered.payload, tokenizer),
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
      return {
        ...fit.payload,
        kind: "request",
        rowNumber: row.rowNumber,
        line: row.line,
        customId: id,
        inputTokens: fit.inputTokens,
        truncated: fit.truncated,
      };
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
