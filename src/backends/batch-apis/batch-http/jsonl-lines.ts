import { StringDecoder } from "node:string_decoder";
import { BatchApiError } from "./batch-api-error.js";

/** One result line (a whole model answer) is far below this; past it the file is not what we expect. */
export const MAX_RESULT_LINE_BYTES = 64 * 1024 * 1024;

/**
 * The non-empty lines of a streamed JSONL body, decoded as UTF-8 across chunk edges, without
 * ever holding more than one line (result files of 100k records are hundreds of MB).
 */
export async function* jsonlLines(
  body: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  maxLineChars = MAX_RESULT_LINE_BYTES,
): AsyncGenerator<string> {
  for await (const lines of jsonlLineBatches(body, maxLineChars)) yield* lines;
}

/**
 * `jsonlLines`, handed on a chunk's lines at a time: ingest reads 100,000 result lines a
 * provider job, and an `await` per line (through one more async generator) is a cost of its own.
 * Holds at most one chunk and one line.
 */
export async function* jsonlLineBatches(
  body: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  maxLineChars = MAX_RESULT_LINE_BYTES,
): AsyncGenerator<string[]> {
  const decoder = new StringDecoder("utf8");
  let pending = "";
  for await (const chunk of body) {
    const text = typeof chunk === "string" ? chunk : decoder.write(chunk);
    // Lines are cut where they lie in the chunk and the rest kept once per chunk, not once per
    // line. Only the line that spans the edge is joined: joining the whole chunk to the rest
    // before it and cutting that would copy every chunk once more (40 MB a full Message Batch).
    const lines: string[] = [];
    let start = 0;
    let newline = text.indexOf("\n");
    if (newline >= 0 && pending !== "") {
      const line = (pending + text.slice(0, newline)).trim();
      if (line !== "") lines.push(line);
      pending = "";
      start = newline + 1;
      newline = text.indexOf("\n", start);
    }
    while (newline >= 0) {
      const line = text.slice(start, newline).trim();
      if (line !== "") lines.push(line);
      start = newline + 1;
      newline = text.indexOf("\n", start);
    }
    pending = start > 0 ? text.slice(start) : pending + text;
    if (lines.length > 0) yield lines;
    if (pending.length > maxLineChars) {
      throw new BatchApiError(
        `A result line is longer than ${maxLineChars} characters.`,
        null,
        "bad_response",
        false,
      );
    }
  }
  const last = (pending + decoder.end()).trim();
  if (last !== "") yield [last];
}
