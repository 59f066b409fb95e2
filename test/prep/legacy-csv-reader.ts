/**
 * The CSV reader Docket used before issue 18 (csv-parse plus a byte-offset line index), kept as
 * the reference the faster reader is compared with on tricky files (test/prep/csv-reader-equivalence.test.ts).
 */
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { Transform } from "node:stream";
import { type CsvError, type Info, parse } from "csv-parse";
import { DocketError } from "../../src/domain/errors.js";
import {
  type DatasetRow,
  DEFAULT_MAX_ROW_BYTES,
  type ParseProblem,
  type ReaderItem,
  type ReaderOptions,
} from "../../src/prep/readers/dataset-row.js";
import { detectDelimiter } from "../../src/prep/readers/detect-delimiter.js";
import { LineIndex } from "./legacy-line-index.js";

type Sequenced<T> = { seq: number; item: T };

/**
 * Streams a CSV file with a header row. Rows that cannot be parsed (bad quoting, wrong number
 * of columns) are reported by the line they start on and reading goes on; memory stays bounded
 * by the stream buffers plus one row.
 */
export async function* readCsvWithCsvParse(
  path: string,
  options: ReaderOptions = {},
): AsyncGenerator<ReaderItem> {
  const delimiter = options.delimiter ?? detectDelimiter(await readFirstLine(path));
  const maxRowBytes = options.maxRowBytes ?? DEFAULT_MAX_ROW_BYTES;
  const index = new LineIndex();
  const problems: Sequenced<ParseProblem>[] = [];
  let seq = 0;
  let rowNumber = 0;
  let lastProblem: ParseProblem | null = null;
  // A problem whose extent is only known when the next row or problem starts.
  let openProblem: ParseProblem | null = null;
  const close = (nextLine: number) => {
    if (openProblem) openProblem.endLine = Math.max(openProblem.line, nextLine - 1);
    openProblem = null;
  };
  let fatal: Error | null = null;

  const parser = parse({
    bom: true,
    delimiter,
    columns: (header: string[]) => {
      fatal ??= headerProblem(header);
      return header;
    },
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: maxRowBytes,
    on_record: (record: Record<string, string>, ctx): Sequenced<DatasetRow> => {
      // Newlines outside quotes end a record, so the ones inside its values say how far back it began.
      const line = index.lineAt(ctx.bytes - 1) - countNewlines(Object.values(record));
      close(line);
      return { seq: seq++, item: { kind: "row", rowNumber: ++rowNumber, line, fields: record } };
    },
    on_skip: (err: CsvError | undefined) => {
      if (err === undefined) return;
      if (err.code === "CSV_MAX_RECORD_SIZE") {
        fatal ??= new DocketError(
          "row_too_large",
          `${path}: a row starting near line ${index.lineAt(bytesOf(err, parser.info))} is larger than ` +
            `${maxRowBytes} bytes; this is usually an unclosed quote.`,
        );
        return;
      }
      const fields = Array.isArray(err.record) ? (err.record as unknown[]) : null;
      // Column-count errors come at the end of the record; quoting errors mid-record, where
      // `bytes` is the last field boundary, which is on (or just before) the row's first line.
      const line =
        fields !== null
          ? index.lineAt(bytesOf(err, parser.info) - 1) - countNewlines(fields)
          : index.lineAt(bytesOf(err, parser.info));
      const endLine = fields !== null ? index.lineAt(bytesOf(err, parser.info) - 1) : line;
      // One bad quote can make csv-parse report several errors for the same stretch of lines.
      if (lastProblem !== null && line <= lastProblem.endLine) {
        lastProblem.endLine = Math.max(lastProblem.endLine, endLine);
        if (fields !== null) openProblem = null;
        return;
      }
      close(line);
      // csv-parse's own line numbers are off by one on CRLF files; ours are in `line`.
      const message = err.message.replace(/ (on|at) line \d+/, "");
      const item: ParseProblem = { kind: "parse_problem", rowNumber: ++rowNumber, line, endLine, message };
      lastProblem = item;
      if (fields === null) openProblem = item;
      problems.push({ seq: seq++, item });
    },
  });

  const source = createReadStream(path, { highWaterMark: 256 * 1024 });
  const progress = options.progress;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      index.add(chunk);
      if (progress) progress.bytesRead += chunk.length;
      done(null, chunk);
    },
  });
  source.on("error", (e) => tap.destroy(e));
  tap.on("error", (e) => parser.destroy(e));
  source.pipe(tap).pipe(parser);

  try {
    for await (const out of parser as AsyncIterable<Sequenced<DatasetRow>>) {
      if (fatal) throw fatal;
      options.signal?.throwIfAborted();
      while (problems.length > 0 && problems[0]!.seq < out.seq) yield problems.shift()!.item;
      yield out.item;
    }
    if (fatal) throw fatal;
    close(index.lastLine() + 1);
    for (const p of problems) yield p.item;
  } catch (e) {
    throw fatal ?? e;
  } finally {
    source.destroy();
    parser.destroy();
  }
}

function bytesOf(err: CsvError, info: Info): number {
  return typeof err.bytes === "number" ? err.bytes : info.bytes;
}

function countNewlines(values: unknown[]): number {
  let n = 0;
  for (const v of values) {
    if (typeof v !== "string") continue;
    let at = v.indexOf("\n");
    while (at !== -1) {
      n++;
      at = v.indexOf("\n", at + 1);
    }
  }
  return n;
}

function headerProblem(header: string[]): DocketError | null {
  const seen = new Set<string>();
  for (const [i, name] of header.entries()) {
    if (name.trim() === "")
      return new DocketError("invalid_csv_header", `CSV header column ${i + 1} has no name.`);
    if (seen.has(name))
      return new DocketError("invalid_csv_header", `CSV header names column '${name}' twice.`);
    seen.add(name);
  }
  return null;
}

/** The header line, for delimiter detection; 64 KiB is plenty for any header. */
async function readFirstLine(path: string): Promise<string> {
  const handle = await open(path, "r").catch((e: NodeJS.ErrnoException) => {
    throw new DocketError("dataset_not_found", `Cannot open dataset ${path}: ${e.code ?? e.message}`);
  });
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const text = buf
      .subarray(0, bytesRead)
      .toString("utf8")
      .replace(/^\uFEFF/, "");
    const end = text.search(/\r?\n/);
    return end === -1 ? text : text.slice(0, end);
  } finally {
    await handle.close();
  }
}
