import { converseUsage, invokeUsage } from "../../bedrock/bedrock-usage.js";
import type { BatchApiResult } from "../batch-api-client.js";
import { topLevelValueSpans } from "./json-spans.js";

export type InvocationType = "InvokeModel" | "Converse";

/**
 * One line of a Bedrock batch output file (`<input>.out`) as a result: `{recordId, modelInput,
 * modelOutput}` for an answer, `{recordId, modelInput, error: {errorCode, errorMessage}}` for a
 * record that failed (docs: "View the results of a batch inference job"). The answer's body is
 * the text of `modelOutput` exactly as Bedrock wrote it. Null for a line that names no record
 * (Docket cannot place it; the record is requeued as one the provider never returned).
 */
export function resultOfOutputLine(line: string, invocation: InvocationType): BatchApiResult | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return null;
  const fields = parsed as Record<string, unknown>;
  const key = fields.recordId;
  if (typeof key !== "string") return null;
  const spans = topLevelValueSpans(line);
  const outputSpan = spans?.get("modelOutput");
  if (typeof fields.modelOutput === "object" && fields.modelOutput !== null && outputSpan) {
    const body = line.slice(outputSpan.start, outputSpan.end);
    const usage =
      invocation === "Converse"
        ? converseUsage((fields.modelOutput as { usage?: unknown }).usage)
        : invokeUsage({}, body);
    return { key, ok: true, statusCode: 200, body, usage };
  }
  const errorSpan = spans?.get("error");
  const error = (fields.error ?? {}) as { errorCode?: unknown; errorMessage?: unknown };
  const statusCode = httpStatusOf(error.errorCode);
  const code = codeOf(error.errorCode, statusCode);
  const message =
    typeof error.errorMessage === "string" && error.errorMessage !== ""
      ? error.errorMessage
      : "Bedrock returned neither an output nor an error message for this record.";
  return {
    key,
    ok: false,
    retryable: isRetryable(code, statusCode, message),
    code,
    message,
    statusCode,
    body: errorSpan ? line.slice(errorSpan.start, errorSpan.end) : null,
  };
}

/** Bedrock writes the HTTP status as `errorCode` (a number, e.g. 400); some writers use a string. */
function httpStatusOf(errorCode: unknown): number | null {
  const n = typeof errorCode === "string" && /^\d{3}$/.test(errorCode) ? Number(errorCode) : errorCode;
  return typeof n === "number" && Number.isInteger(n) && n >= 100 && n <= 599 ? n : null;
}

/** Bedrock Runtime's error names for the statuses its InvokeModel documents. */
const NAME_OF_STATUS: Record<number, string> = {
  400: "ValidationException",
  403: "AccessDeniedException",
  404: "ResourceNotFoundException",
  408: "ModelTimeoutException",
  424: "ModelErrorException",
  429: "ThrottlingException",
  500: "InternalServerException",
  503: "ServiceUnavailableException",
};

function codeOf(errorCode: unknown, status: number | null): string {
  if (typeof errorCode === "string" && errorCode !== "" && status === null) return errorCode;
  if (status !== null) return NAME_OF_STATUS[status] ?? `http_${status}`;
  return "bedrock_record_error";
}

const RETRYABLE_NAME =
  /throttl|timeout|timed out|serviceunavailable|internalserver|modelnotready|toomanyrequests/i;

/**
 * Worth another job: throttling (429), a model timeout (408), Bedrock's own failures (5xx), a
 * model still loading — what InvokeModel's docs say to retry. A refused body (400), a refused
 * model or access (403/404) and a model error on this input (424) fail the same way again.
 */
function isRetryable(code: string, status: number | null, message: string): boolean {
  if (status === 429 || status === 408 || (status !== null && status >= 500)) return true;
  if (status !== null && status < 500) return RETRYABLE_NAME.test(code);
  return RETRYABLE_NAME.test(code) || RETRYABLE_NAME.test(message);
}
