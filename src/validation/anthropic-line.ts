import type { ValidationError } from "../domain/job.js";
import type { RecordError } from "../domain/record.js";
import type { RouteTable } from "../routing/route-table.js";
import type { BatchLineRecord } from "./batch-line.js";
import { quoteValue } from "./error-list.js";
import { type ScannedLine, type Span, scanJson } from "./json-scan.js";
import { scanJsonBytes } from "./json-scan-bytes.js";
import { checkRouteBridges } from "./route-bridges.js";

/**
 * The lines of an Anthropic Message Batch: Docket wrote them itself when the batch was created
 * (`{"custom_id":…,"params":{…}}`, one per request, custom_ids already checked there), so a line
 * that is not that shape is Docket's bug and fails the batch. Everything about `params` is
 * checked here, asynchronously as Anthropic does: a request whose params are wrong becomes a
 * record that failed (`invalid_request_error`, an `errored` result) while the others run.
 *
 * The record's body is the exact text of `params`, so an Anthropic route gets the bytes the user
 * sent; another route gets them translated (src/bridge/), and a field it cannot carry fails the
 * request here, naming the field.
 */
/** What a line is checked against (input-formats.ts's LineContext, of which this needs only part). */
interface LineContext {
  routes: RouteTable;
  seenIds: Set<string>;
  limits: { maxNestingDepth: number };
}

export const anthropicLines = {
  parse(text: string, line: number, position: number, at: LineContext): BatchLineRecord | ValidationError {
    const scan = scanJson(text, at.limits.maxNestingDepth);
    if (!scan.ok) return unreadableRequest(text, line, position, at, scan.message);
    return checkRequest(
      scan,
      (s) => text.slice(s.start, s.end),
      (s) => text.slice(s.start, s.end),
      {
        line,
        position,
        at,
      },
    );
  },
  parseBytes(
    bytes: Buffer,
    line: number,
    position: number,
    at: LineContext,
  ): BatchLineRecord | ValidationError {
    const scan = scanJsonBytes(bytes, at.limits.maxNestingDepth);
    if (!scan) return anthropicLines.parse(bytes.toString("utf8"), line, position, at);
    return checkRequest(
      scan,
      (s) => bytes.toString("utf8", s.start, s.end),
      (s) => bytes.subarray(s.start, s.end),
      { line, position, at },
    );
  },
};

interface RequestAt {
  line: number;
  position: number;
  at: LineContext;
}

function checkRequest(
  scan: ScannedLine,
  literal: (s: Span) => string,
  bodyOf: (s: Span) => string | Buffer,
  { line, position, at }: RequestAt,
): BatchLineRecord | ValidationError {
  const idSpan = scan.members.get("custom_id");
  const paramsSpan = scan.members.get("params");
  const params = scan.nested.get("params");
  if (!scan.isObject || !idSpan || !paramsSpan || !params) {
    return badLine(line, `expected {"custom_id":…,"params":{…}} (written by Docket at creation).`);
  }
  const idLiteral = literal(idSpan);
  const customId: unknown = JSON.parse(idLiteral);
  if (typeof customId !== "string" || at.seenIds.has(customId)) {
    return badLine(line, `the custom_id ${quoteValue(idLiteral)} is missing or repeated.`);
  }
  at.seenIds.add(customId);
  const value = (name: string): unknown => {
    const span = params.get(name);
    return span ? JSON.parse(literal(span)) : undefined;
  };
  const record = { position, line, customId, customIdJson: null, body: bodyOf(paramsSpan) };
  const fail = (message: string, model = ""): BatchLineRecord => ({
    ...record,
    route: "",
    model,
    failure: invalidRequest(message),
  });

  const model = value("model");
  if (typeof model !== "string" || model === "") return fail("params.model: Field required (a model name).");
  const problem = paramsProblem(params, literal, value);
  if (problem) return fail(problem, model);
  const route = at.routes.resolve(model);
  if (!route) {
    return fail(`params.model: no route serves the model ${quoteValue(JSON.stringify(model))}.`, model);
  }
  // A route whose backend speaks another dialect gets a translation: a field it cannot carry fails here.
  const unbridgeable = checkRouteBridges("/v1/messages", route, at.routes, record.body);
  if (unbridgeable) {
    return fail(`${unbridgeable.param.replace(/^body/, "params")}: ${unbridgeable.message}`, model);
  }
  // Named members, not a spread of `record`: on Node 20 `{...a, b}` takes V8's slow path, and
  // this runs for every line of a Message Batch.
  return { position, line, customId, customIdJson: null, body: record.body, route: route.name, model };
}

/**
 * The checks Anthropic's Messages API makes on every request before running it that need no
 * model: `max_tokens` a positive integer, `messages` a non-empty array, no streaming (a result
 * line holds one Message). Deeper checks (roles, content blocks) are the backend's: an Anthropic
 * route answers 400 with its own error, which becomes the `errored` result as it came.
 */
function paramsProblem(
  params: Map<string, Span>,
  literal: (s: Span) => string,
  value: (name: string) => unknown,
): string | null {
  const maxTokens = value("max_tokens");
  if (maxTokens === undefined) return "params.max_tokens: Field required.";
  if (!Number.isInteger(maxTokens) || (maxTokens as number) < 1) {
    return "params.max_tokens: Input should be an integer greater than or equal to 1.";
  }
  const messages = params.get("messages");
  if (!messages) return "params.messages: Field required.";
  const text = literal(messages);
  if (text[0] !== "[") return "params.messages: Input should be a valid list.";
  if (/^\[\s*\]$/.test(text)) return "params.messages: List should have at least 1 item.";
  if (params.has("stream") && value("stream") !== false) {
    return "params.stream: Streaming is not supported in a Message Batch; remove it or set it to false.";
  }
  return null;
}

/** The start of every line Docket writes at creation: the request's custom_id comes first. */
const LINE_START = /^\{"custom_id":"([a-zA-Z0-9_-]{1,64})","params":/;

/**
 * A line the scanner refuses: Docket wrote it from JSON it had checked, so what is wrong is inside
 * params and only the configured limits can refuse it (nesting deeper than
 * `validation.maxNestingDepth`). That request fails, named by its custom_id; the batch runs on.
 */
function unreadableRequest(
  text: string,
  line: number,
  position: number,
  at: LineContext,
  why: string,
): BatchLineRecord | ValidationError {
  const customId = LINE_START.exec(text)?.[1];
  if (customId === undefined || at.seenIds.has(customId)) return badLine(line, `not valid JSON (${why}).`);
  at.seenIds.add(customId);
  const body = text.slice(text.indexOf('"params":') + 9, -1);
  return {
    position,
    line,
    customId,
    customIdJson: null,
    body,
    route: "",
    model: "",
    failure: invalidRequest(`params: ${why} (config "validation.maxNestingDepth").`),
  };
}

function invalidRequest(message: string): RecordError {
  return { code: "invalid_request_error", message };
}

function badLine(line: number, message: string): ValidationError {
  return { code: "invalid_line", message: `Line ${line}: ${message}`, line, param: null };
}
