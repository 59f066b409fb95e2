import type { ValidationLimits } from "../config/validation-limits.js";
import type { Job, ValidationError } from "../domain/job.js";
import type { RouteTable } from "../routing/route-table.js";
import type { BatchLineRecord } from "./batch-line.js";
import { quoteValue } from "./error-list.js";
import { type ScannedLine, type Span, scanJson } from "./json-scan.js";
import { scanJsonBytes } from "./json-scan-bytes.js";
import { checkRouteBridges } from "./route-bridges.js";

const LONE_SURROGATE = /\p{Cs}/u;

/** What a line is checked against (input-formats.ts's LineContext, as far as Bedrock lines need it). */
export interface BedrockLineContext {
  job: Pick<Job, "model" | "endpoint">;
  routes: RouteTable;
  seenIds: Set<string>;
  limits: Pick<ValidationLimits, "maxNestingDepth" | "maxCustomIdBytes">;
}

/**
 * The recordId given to a line that has none. Bedrock's rule: "If you omit the recordId field,
 * Amazon Bedrock adds it in the output". Docket's is derived from the line number (11
 * characters, like Bedrock's examples), so validating the file again gives the same ids; a line
 * that names one of these ids itself after such a line is a duplicate like any other.
 */
export function generatedRecordId(line: number): string {
  return `L${String(line).padStart(10, "0")}`;
}

/**
 * Checks one line of a Bedrock batch inference file (`{"recordId": "…", "modelInput": {…}}`)
 * before anything is sent, as Bedrock's own job validation does: valid JSON, an object, a
 * `modelInput` that is a JSON object (the InvokeModel body for the job's model), an optional
 * string `recordId` (generated when absent) that no other line uses. Other members are ignored,
 * as Bedrock ignores them. The record's body is the exact text of `modelInput`, so the model gets
 * the user's bytes; the route is the job's model's, and when that route's backend does not speak
 * Bedrock, the body must translate (`checkBridgeable`), else the line names the field.
 */
export function parseBedrockLine(
  text: string,
  line: number,
  position: number,
  at: BedrockLineContext,
): BatchLineRecord | ValidationError {
  const scan = scanJson(text, at.limits.maxNestingDepth);
  if (!scan.ok) {
    if (scan.code === "nesting_too_deep") {
      return problem(
        line,
        "nesting_too_deep",
        `${scan.message} (config "validation.maxNestingDepth"; found at character ${scan.position}).`,
      );
    }
    return problem(line, "invalid_json", `not valid JSON (${scan.message}).`);
  }
  return checkLine(
    { scan, literal: (s) => text.slice(s.start, s.end), body: (s) => text.slice(s.start, s.end) },
    line,
    position,
    at,
  );
}

/**
 * `parseBedrockLine` for a big line given as its UTF-8 bytes: the body is a view of the bytes,
 * never decoded whole; a line the byte scanner refuses goes the string way for its message.
 */
export function parseBedrockLineBytes(
  bytes: Buffer,
  line: number,
  position: number,
  at: BedrockLineContext,
): BatchLineRecord | ValidationError {
  const scan = scanJsonBytes(bytes, at.limits.maxNestingDepth);
  if (!scan) return parseBedrockLine(bytes.toString("utf8"), line, position, at);
  return checkLine(
    {
      scan,
      literal: (s) => bytes.toString("utf8", s.start, s.end),
      body: (s) => bytes.subarray(s.start, s.end),
    },
    line,
    position,
    at,
  );
}

interface LineView {
  scan: ScannedLine;
  literal: (s: Span) => string;
  body: (s: Span) => string | Buffer;
}

function problem(line: number, code: string, message: string, param: string | null = null): ValidationError {
  return { code, message: `Line ${line}: ${message}`, line, param };
}

function checkLine(
  { scan, literal, body: bodyOf }: LineView,
  line: number,
  position: number,
  { job, routes, seenIds, limits }: BedrockLineContext,
): BatchLineRecord | ValidationError {
  if (!scan.isObject) {
    return problem(
      line,
      "invalid_request",
      'each line must be a JSON object: {"recordId": …, "modelInput": {…}}.',
    );
  }
  const idSpan = scan.members.get("recordId");
  const idLiteral = idSpan ? literal(idSpan) : null;
  let recordId: string;
  if (idLiteral === null || idLiteral === "null") {
    recordId = generatedRecordId(line);
  } else {
    const value: unknown = JSON.parse(idLiteral);
    if (typeof value !== "string" || value.length === 0) {
      return problem(
        line,
        "invalid_record_id",
        `'recordId' must be a non-empty string (or left out, and Docket names the record); got ${quoteValue(idLiteral)}.`,
        "recordId",
      );
    }
    recordId = value;
  }
  const idBytes = recordId.length * 3 > limits.maxCustomIdBytes ? Buffer.byteLength(recordId) : 0;
  if (idBytes > limits.maxCustomIdBytes) {
    return problem(
      line,
      "record_id_too_long",
      `the recordId ${quoteValue(idLiteral!)} is ${idBytes} bytes long; the limit is ${limits.maxCustomIdBytes} bytes (config "validation.maxCustomIdBytes").`,
      "recordId",
    );
  }
  // PostgreSQL text cannot hold U+0000; refused on every engine so a file means the same everywhere.
  if (recordId.includes("\u0000")) {
    return problem(line, "invalid_record_id", "the recordId must not contain U+0000 (NUL).", "recordId");
  }
  if (seenIds.has(recordId)) {
    const named =
      idLiteral === null || idLiteral === "null" ? ` (the id Docket gives line ${line}, which has none)` : "";
    return problem(
      line,
      "duplicate_record_id",
      `the recordId ${quoteValue(JSON.stringify(recordId))}${named} appears more than once in the file.`,
      "recordId",
    );
  }
  const inputSpan = scan.members.get("modelInput");
  if (!inputSpan || !scan.nested.has("modelInput")) {
    return problem(
      line,
      "invalid_model_input",
      "'modelInput' is required and must be a JSON object: the InvokeModel request body for the job's model.",
      "modelInput",
    );
  }
  const model = job.model;
  const route = model ? routes.resolve(model) : undefined;
  if (!model || !route) {
    // The API refuses a Bedrock batch whose model no route serves; a config changed since lands here.
    return problem(
      line,
      "model_not_found",
      `no route serves the batch's model ${quoteValue(JSON.stringify(model ?? null))} (add one to the config's "routes").`,
      "model",
    );
  }
  const body = bodyOf(inputSpan);
  const unbridgeable = checkRouteBridges(job.endpoint, route, routes, body);
  if (unbridgeable) {
    // The bridge names fields under a batch line's `body`; here that object is `modelInput`.
    const param = unbridgeable.param === "url" ? "model" : unbridgeable.param.replace(/^body/, "modelInput");
    const message = unbridgeable.message.replace(/^'body\./, "'modelInput.").replace(/^body:/, "modelInput:");
    return problem(line, "unsupported_by_route", message, param);
  }
  seenIds.add(recordId);
  return {
    position,
    line,
    customId: recordId,
    customIdJson: keptLiteral(idLiteral, recordId),
    route: route.name,
    body,
    model,
  };
}

/**
 * The recordId's literal when JSON.stringify would write it differently (escapes) or it holds a
 * lone surrogate, so the `.out` line echoes it byte for byte (batch-line.ts does the same).
 */
function keptLiteral(literal: string | null, id: string): string | null {
  if (literal === null || literal === "null" || !literal.includes("\\")) return null;
  return literal === JSON.stringify(id) && !LONE_SURROGATE.test(id) ? null : literal;
}
