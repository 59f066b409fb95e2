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
  const decoder = new StringDecoder("utf8");
  let pending = "";
  for await (const chunk of body) {
    pending += typeof chunk === "string" ? chunk : decoder.write(chunk);
    let newline = pending.indexOf("\n");
    while (newline >= 0) {
      const line = pending.slice(0, newline).trim();
      if (line !== "") yield line;
      pending = pending.slice(newline + 1);
      newline = pending.indexOf("\n");
    }
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
  if (last !== "") yield last;
}
