import type { ValidationLimits } from "../config/validation-limits.js";
import type { Job, JobFormat, ValidationError } from "../domain/job.js";
import type { RouteTable } from "../routing/route-table.js";
import { anthropicLines } from "./anthropic-line.js";
import { type BatchLineRecord, parseBatchLine, parseBatchLineBytes } from "./batch-line.js";
import { parseBedrockLine, parseBedrockLineBytes } from "./bedrock-line.js";

/** What every line of one job's input is checked against (all but the line itself is per file). */
export interface LineContext {
  job: Job;
  routes: RouteTable;
  seenIds: Set<string>;
  limits: Pick<ValidationLimits, "maxNestingDepth" | "maxCustomIdBytes">;
}

/**
 * How one input format's lines become records. A line that is wrong fails the batch with its
 * problem listed (OpenAI's and Bedrock's rule); a record that comes back with `failure` set is
 * stored finished and never sent while the others run (Anthropic's rule for bad params).
 */
export interface LineParser {
  parse(text: string, line: number, position: number, at: LineContext): BatchLineRecord | ValidationError;
  /** The same for a big line given as its UTF-8 bytes, never decoded whole when avoidable. */
  parseBytes(
    bytes: Buffer,
    line: number,
    position: number,
    at: LineContext,
  ): BatchLineRecord | ValidationError;
}

const openaiLines: LineParser = {
  parse: (text, line, position, at) =>
    parseBatchLine(text, line, position, at.job.endpoint, at.routes, at.seenIds, at.limits),
  parseBytes: (bytes, line, position, at) =>
    parseBatchLineBytes(bytes, line, position, at.job.endpoint, at.routes, at.seenIds, at.limits),
};

/** Every format has its parser: a format added to `JobFormat` does not compile until it is here. */
const PARSERS: Record<JobFormat, LineParser> = {
  openai: openaiLines,
  anthropic: anthropicLines,
  bedrock: { parse: parseBedrockLine, parseBytes: parseBedrockLineBytes },
};

export function lineParserFor(format: JobFormat): LineParser {
  return PARSERS[format];
}
