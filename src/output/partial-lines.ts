import type { JobFormat } from "../domain/job.js";
import type { FinishedRecord } from "../domain/record.js";
import type { LargeBodies } from "../store/store.js";
import { anthropicResultLine } from "./anthropic-results.js";
import { bedrockLineAround } from "./bedrock-output.js";
import { isSuccess, outputLine } from "./result-lines.js";

/**
 * Which of a job's final files a partial read follows: `output` is the output file (OpenAI's
 * successes; Anthropic's results; Bedrock's `.out`), `errors` OpenAI's error file.
 */
export type PartialFile = "output" | "errors";

/**
 * One final file's lines, built by the very functions its writer uses (finalize-job.ts,
 * bedrock-output.ts), so a line served while the job runs is the line the file will hold.
 */
export type FileLines =
  | { keep: (r: FinishedRecord) => boolean; line: (r: FinishedRecord) => string }
  /** A line that echoes the record's request body between two texts (Bedrock's `modelInput`). */
  | { keep: (r: FinishedRecord) => boolean; around: (r: FinishedRecord) => [string, string] };

const all = () => true;

/** Each format's files; null where the format has no such file (its errors are in its one file). */
export const FILE_LINES: Record<JobFormat, Record<PartialFile, FileLines | null>> = {
  openai: {
    output: { keep: isSuccess, line: outputLine },
    errors: { keep: (r) => !isSuccess(r), line: outputLine },
  },
  anthropic: { output: { keep: all, line: anthropicResultLine }, errors: null },
  bedrock: { output: { keep: all, around: bedrockLineAround }, errors: null },
};

/** Whether reading these lines needs each record's request body. */
export function needsBodies(lines: FileLines): boolean {
  return "around" in lines;
}

/**
 * The records' lines as chunks: plain lines gathered into one string per page; an echoed body
 * stored in parts is streamed part by part, never joined.
 */
export async function* linesOf(
  records: readonly FinishedRecord[],
  lines: FileLines,
  largeBodies: LargeBodies | null,
): AsyncGenerator<string | Buffer> {
  if ("line" in lines) {
    let chunk = "";
    for (const r of records) if (lines.keep(r)) chunk += lines.line(r);
    if (chunk) yield chunk;
    return;
  }
  for (const r of records) {
    if (!lines.keep(r)) continue;
    const [head, tail] = lines.around(r);
    yield head;
    const body = r.input;
    if (!body) throw new Error(`record ${r.id} was read without its body`);
    if ("text" in body) yield body.text;
    else {
      for (let part = 0; part < body.parts; part++) {
        const bytes = await largeBodies?.readBodyPart(r.id, part);
        if (!bytes) throw new Error(`part ${part} of record ${r.id}'s body is missing`);
        yield bytes;
      }
    }
    yield tail;
  }
}
