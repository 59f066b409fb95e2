import { createReadStream } from "node:fs";
import { DEFAULT_MAX_ROW_BYTES, type ReaderItem, type ReaderOptions } from "./dataset-row.js";

/**
 * Streams a JSONL file line by line; each non-blank line must be a JSON object. Its own line
 * splitter (rather than readline) lets an absurdly long line be skipped instead of buffered.
 */
export async function* readJsonl(path: string, options: ReaderOptions = {}): AsyncGenerator<ReaderItem> {
  const maxRowBytes = options.maxRowBytes ?? DEFAULT_MAX_ROW_BYTES;
  let lineNumber = 0;
  let rowNumber = 0;
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let oversized = false;

  const finish = (tail: Buffer): ReaderItem | null => {
    lineNumber++;
    const parts = carry;
    const size = carryBytes + tail.length;
    carry = [];
    carryBytes = 0;
    if (oversized || size > maxRowBytes) {
      oversized = false;
      return {
        kind: "parse_problem",
        rowNumber: ++rowNumber,
        line: lineNumber,
        endLine: lineNumber,
        message: `Line is longer than ${maxRowBytes} bytes.`,
      };
    }
    const bytes = parts.length === 0 ? tail : Buffer.concat([...parts, tail]);
    return parseLine(bytes, lineNumber, () => ++rowNumber);
  };

  const source = createReadStream(path, { highWaterMark: 256 * 1024 });
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      options.signal?.throwIfAborted();
      if (options.progress) options.progress.bytesRead += chunk.length;
      let start = 0;
      let nl = chunk.indexOf(10);
      while (nl !== -1) {
        const item = finish(chunk.subarray(start, nl));
        if (item) yield item;
        start = nl + 1;
        nl = chunk.indexOf(10, start);
      }
      if (start < chunk.length && !oversized) {
        carry.push(chunk.subarray(start));
        carryBytes += chunk.length - start;
        if (carryBytes > maxRowBytes) {
          oversized = true;
          carry = [];
          carryBytes = 0;
        }
      }
    }
    if (carryBytes > 0 || oversized) {
      const item = finish(Buffer.alloc(0));
      if (item) yield item;
    }
  } finally {
    source.destroy();
  }
}

function parseLine(bytes: Buffer, line: number, nextRow: () => number): ReaderItem | null {
  let text = bytes.toString("utf8");
  if (line === 1) text = text.replace(/^\uFEFF/, "");
  if (text.trim() === "") return null;
  const rowNumber = nextRow();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return {
      kind: "parse_problem",
      rowNumber,
      line,
      endLine: line,
      message: `Invalid JSON: ${(e as Error).message}`,
    };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return {
      kind: "parse_problem",
      rowNumber,
      line,
      endLine: line,
      message: "Expected a JSON object on this line.",
    };
  }
  return { kind: "row", rowNumber, line, fields: value as Record<string, unknown> };
}
