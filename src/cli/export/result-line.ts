import { isObject, type ResponseOutput, responseOutput } from "./response-output.js";

export type ExportStatus = "succeeded" | "failed" | "expired" | "cancelled" | "not_run";

/** One line of a job's output or error file, as an export row needs it. */
export interface RecordResult extends ResponseOutput {
  customId: string;
  /** The number in `batch_req_<n>`: Docket's record id, increasing in input order. */
  seq: number | null;
  status: Exclude<ExportStatus, "not_run">;
  errorCode: string | null;
  errorMessage: string | null;
}

/**
 * Parses a line of an OpenAI-format output or error file. A line whose request got a 2xx answer
 * succeeded; an HTTP error keeps the provider's error code and message; a line with no answer
 * carries Docket's own error (`batch_cancelled`, `batch_expired`, `budget_exceeded`, …).
 * The result is one object literal of one shape (no spreads): an export parses millions of these,
 * and spread-built objects made V8 keep far more of them alive between collections.
 */
export function parseResultLine(text: string): RecordResult {
  const line = JSON.parse(text) as unknown;
  if (!isObject(line) || typeof line.custom_id !== "string") {
    throw new Error("not a batch result line (no custom_id)");
  }
  const seqMatch = typeof line.id === "string" ? /^batch_req_(\d+)$/.exec(line.id) : null;
  const seq = seqMatch ? Number(seqMatch[1]) : null;
  const response = isObject(line.response) ? line.response : null;
  const status = response && typeof response.status_code === "number" ? response.status_code : null;
  const body = response ? response.body : null;
  const answer = responseOutput(body);
  const error = isObject(line.error) ? line.error : null;
  if (error === null && status !== null && status >= 200 && status < 300) {
    return result(line.custom_id, seq, answer, answer.output, "succeeded", null, null);
  }
  if (error !== null) {
    const code = typeof error.code === "string" ? error.code : "unknown_error";
    const message = typeof error.message === "string" ? error.message : null;
    return result(line.custom_id, seq, answer, null, statusOfCode(code), code, message);
  }
  // An HTTP error from the backend: OpenAI's `{"error": {"message", "type", "code"}}` envelope.
  const envelope = isObject(body) && isObject(body.error) ? body.error : null;
  const code =
    (typeof envelope?.code === "string" && envelope.code) ||
    (typeof envelope?.type === "string" && envelope.type) ||
    `http_${status ?? "error"}`;
  const message =
    typeof envelope?.message === "string" ? envelope.message : typeof body === "string" ? body : null;
  return result(line.custom_id, seq, answer, null, "failed", code, message);
}

function result(
  customId: string,
  seq: number | null,
  answer: ResponseOutput,
  output: string | null,
  status: RecordResult["status"],
  errorCode: string | null,
  errorMessage: string | null,
): RecordResult {
  return {
    customId,
    seq,
    output,
    inputTokens: answer.inputTokens,
    outputTokens: answer.outputTokens,
    status,
    errorCode,
    errorMessage,
  };
}

function statusOfCode(code: string): RecordResult["status"] {
  if (code === "batch_expired") return "expired";
  if (code === "batch_cancelled" || code === "cancelled" || code.startsWith("budget_")) return "cancelled";
  return "failed";
}
