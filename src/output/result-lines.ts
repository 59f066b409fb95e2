import type { FinishedRecord } from "../domain/record.js";
import { servedMarker } from "./served-marker.js";

/**
 * Output and error file lines in OpenAI's batch output format:
 * `{"id","custom_id","response":{"status_code","request_id","body"},"error"}`.
 * Bodies are stored as the backend's JSON text and spliced in without a parse/stringify
 * round trip (output files of millions of lines are written by one scan).
 */
export function isSuccess(r: FinishedRecord): boolean {
  return r.state === "succeeded";
}

export function outputLine(r: FinishedRecord): string {
  const response = r.response
    ? `{"status_code":${r.response.statusCode},"request_id":${JSON.stringify(r.response.requestId)},"body":${jsonBody(r.response.body)}}`
    : "null";
  const error = errorOf(r);
  // The custom_id as the input wrote it (escapes, lone surrogates) when it was kept, so every
  // id comes back byte for byte and two ids never collapse into one.
  const customId = r.customIdJson ?? JSON.stringify(r.customId);
  return `{"id":"batch_req_${r.id}","custom_id":${customId},"response":${response},"error":${error ? JSON.stringify(error) : "null"}${servedMarker(r)}}\n`;
}

/**
 * A failure the backend answered (an HTTP error) carries its response and `error: null`, as in
 * OpenAI's error files; one that never got an answer (timeout, expiry, cancel) carries an error.
 */
function errorOf(r: FinishedRecord): { code: string; message: string } | null {
  if (r.state === "succeeded") return null;
  if (r.state === "cancelled") {
    // A budget stop says so per record (budget_exceeded); a user's cancel keeps OpenAI's code.
    if (r.error?.code.startsWith("budget_")) return r.error;
    return { code: "batch_cancelled", message: "The batch was cancelled before this request ran." };
  }
  if (r.state === "expired") {
    return (
      r.error ?? {
        code: "batch_expired",
        message: "This request could not be executed before the completion window expired.",
      }
    );
  }
  return r.response ? null : (r.error ?? { code: "unknown_error", message: "The request failed." });
}

/** A stored body as JSON text: as it is when it is a JSON object or array, else as a string (a line never breaks). */
export function jsonBody(text: string): string {
  const first = text.trimStart()[0];
  if (first === "{" || first === "[") {
    try {
      JSON.parse(text);
      return text;
    } catch {
      // fall through: a truncated or non-JSON body is kept as a string
    }
  }
  return JSON.stringify(text);
}
