import { DEFAULT_VALIDATION_LIMITS, type ValidationLimits } from "../config/validation-limits.js";
import type { Endpoint, ValidationError } from "../domain/job.js";
import type { NewRecord } from "../domain/record.js";
import type { RouteTable } from "../routing/route-table.js";
import { quoteValue } from "./error-list.js";
import { type ScannedLine, type Span, scanJson } from "./json-scan.js";
import { scanJsonBytes } from "./json-scan-bytes.js";
import { checkRouteBridges } from "./route-bridges.js";

const LONE_SURROGATE = /\p{Cs}/u;

/**
 * The custom_id's literal when JSON.stringify would write it differently, or when the id holds
 * a lone surrogate (the store's UTF-8 text would turn it into U+FFFD, and two such ids into
 * one); null otherwise. A literal without a backslash is always what JSON.stringify writes
 * (raw control characters are not valid JSON, and valid UTF-8 holds no lone surrogate).
 */
function literalToKeep(literal: string, id: string): string | null {
  if (!literal.includes("\\")) return null;
  return literal === JSON.stringify(id) && !LONE_SURROGATE.test(id) ? null : literal;
}

/** A good line: its record, and the model it asks for (the batch's `model` is the first's). */
export type BatchLineRecord = NewRecord & { model: string };

type LineLimits = Pick<ValidationLimits, "maxNestingDepth" | "maxCustomIdBytes">;

/** Where a line stands and what it is checked against (all but `line` and `position` are per file). */
type LineAt = [
  line: number,
  position: number,
  endpoint: Endpoint,
  routes: RouteTable,
  seenIds: Set<string>,
  limits?: LineLimits,
];

const maxDepth = (at: LineAt) => (at[5] ?? DEFAULT_VALIDATION_LIMITS).maxNestingDepth;

/**
 * Checks one line of an OpenAI batch input file, as OpenAI does before a batch starts:
 * valid JSON, a unique `custom_id`, `method` POST, `url` equal to the batch endpoint, a body
 * object with a `model` that a configured route serves, and no `stream: true` (a batch output
 * line cannot hold a server-sent event stream, and removing the field would change the user's
 * bytes). Pure, so every rule is unit-tested.
 *
 * The line is scanned, not parsed into values: the record's body is the exact JSON text of the
 * line's `body` (big integers, `1.0`, escapes reach the backend unchanged), and only the few
 * small values checked are decoded. `customIdJson` keeps the id's literal when it is not what
 * JSON.stringify would write, so output lines echo it byte for byte.
 */
export function parseBatchLine(text: string, ...at: LineAt): BatchLineRecord | ValidationError {
  const scan = scanJson(text, maxDepth(at));
  if (!scan.ok) {
    const problem = problemOn(at[0]);
    if (scan.code === "nesting_too_deep") {
      return problem(
        "nesting_too_deep",
        `${scan.message} (config "validation.maxNestingDepth"; found at character ${scan.position}).`,
      );
    }
    return problem("invalid_json", `not valid JSON (${scan.message}).`);
  }
  const view: LineView = {
    scan,
    literal: (s) => text.slice(s.start, s.end),
    body: (s) => text.slice(s.start, s.end),
  };
  return checkLine(view, ...at);
}

/**
 * `parseBatchLine` for a big line given as its UTF-8 bytes (valid UTF-8, checked by the line
 * reader): scanned as bytes, only the few small members checked are decoded, and the record's
 * body is a view of the line's bytes, so the line is never also held as a (up to twice as large)
 * string. A line the byte scanner does not accept is decoded and goes the string way, so every
 * message is the same whatever the line's size.
 */
export function parseBatchLineBytes(bytes: Buffer, ...at: LineAt): BatchLineRecord | ValidationError {
  const scan = scanJsonBytes(bytes, maxDepth(at));
  if (!scan) return parseBatchLine(bytes.toString("utf8"), ...at);
  const view: LineView = {
    scan,
    literal: (s) => bytes.toString("utf8", s.start, s.end),
    body: (s) => bytes.subarray(s.start, s.end),
  };
  return checkLine(view, ...at);
}

/** A scanned line and how to read its values (from a string or from bytes). */
interface LineView {
  scan: ScannedLine;
  /** The exact JSON text of a value. */
  literal: (s: Span) => string;
  /** The body's exact JSON text, as the record keeps it. */
  body: (s: Span) => string | Buffer;
}

function problemOn(line: number) {
  return (code: string, message: string, param: string | null = null): ValidationError => ({
    code,
    message: `Line ${line}: ${message}`,
    line,
    param,
  });
}

/** The checks on a line that is valid JSON (the same for strings and bytes). */
function checkLine(
  { scan, literal, body: bodyOf }: LineView,
  ...[line, position, endpoint, routes, seenIds, limits = DEFAULT_VALIDATION_LIMITS]: LineAt
): BatchLineRecord | ValidationError {
  const problem = problemOn(line);
  if (!scan.isObject) return problem("invalid_request", "each line must be a JSON object.");
  const { members } = scan;
  const raw = (s: Span | undefined) => (s ? literal(s) : undefined);
  // Most values checked are plain strings: sliced without a JSON.parse call.
  const value = (s: Span | undefined): unknown => {
    if (!s) return undefined;
    const text = literal(s);
    if (text.charCodeAt(0) === 0x22 && !text.includes("\\")) return text.slice(1, -1);
    return JSON.parse(text);
  };

  const idLiteral = raw(members.get("custom_id"));
  const customId = idLiteral === undefined ? undefined : value(members.get("custom_id"));
  if (typeof customId !== "string" || customId.length === 0) {
    return problem(
      "missing_required_parameter",
      "'custom_id' is required and must be a non-empty string.",
      "custom_id",
    );
  }
  // A UTF-16 unit is at most 3 UTF-8 bytes: count bytes only when it could matter.
  const idBytes = customId.length * 3 > limits.maxCustomIdBytes ? Buffer.byteLength(customId) : 0;
  if (idBytes > limits.maxCustomIdBytes) {
    return problem(
      "custom_id_too_long",
      `the custom_id ${quoteValue(idLiteral!)} is ${idBytes} bytes long; the limit is ${limits.maxCustomIdBytes} bytes (config "validation.maxCustomIdBytes").`,
      "custom_id",
    );
  }
  // PostgreSQL text cannot hold U+0000; refused on every engine so a file means the same everywhere.
  if (customId.includes("\u0000")) {
    return problem("invalid_custom_id", "the custom_id must not contain U+0000 (NUL).", "custom_id");
  }
  if (seenIds.has(customId)) {
    return problem(
      "duplicate_custom_id",
      `the custom_id ${quoteValue(idLiteral!)} appears more than once in the file.`,
      "custom_id",
    );
  }
  if (value(members.get("method")) !== "POST") {
    return problem("invalid_method", "'method' must be \"POST\".", "method");
  }
  const url = value(members.get("url"));
  if (url !== endpoint) {
    return problem(
      "mismatched_endpoint",
      `the url ${quoteValue(raw(members.get("url")) ?? "(missing)")} does not match the batch endpoint '${endpoint}'.`,
      "url",
    );
  }
  const bodySpan = members.get("body");
  const body = scan.nested.get("body");
  if (!bodySpan || !body) return problem("invalid_body", "'body' must be a JSON object.", "body");
  const model = value(body.get("model"));
  if (typeof model !== "string" || model.length === 0) {
    return problem("missing_required_parameter", "'body.model' is required.", "body.model");
  }
  if (model.includes("\u0000")) {
    return problem("invalid_request", "'body.model' must not contain U+0000 (NUL).", "body.model");
  }
  if (raw(body.get("stream")) === "true") {
    return problem(
      "unsupported_parameter",
      "'body.stream' must be false or absent: a batch output file cannot hold a streamed (server-sent events) response.",
      "body.stream",
    );
  }
  const route = routes.resolve(model);
  if (!route) {
    return problem(
      "model_not_found",
      `no route serves the model ${quoteValue(JSON.stringify(model))} (add one to the config's "routes").`,
      "body.model",
    );
  }
  const bodyText = bodyOf(bodySpan);
  // A route whose backend speaks another dialect gets a translation: a field it cannot carry fails here.
  const unbridgeable = checkRouteBridges(endpoint, route, routes, bodyText);
  if (unbridgeable) return problem("unsupported_by_route", unbridgeable.message, unbridgeable.param);
  seenIds.add(customId);
  return {
    position,
    line,
    customId,
    customIdJson: literalToKeep(idLiteral!, customId),
    route: route.name,
    body: bodyText,
    model,
  };
}
