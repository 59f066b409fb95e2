import type { BatchApiStatus } from "../batch-api-client.js";

/** Bedrock's ModelInvocationJobStatus values (GetModelInvocationJob). */
export type BedrockJobStatus =
  | "Submitted"
  | "Validating"
  | "Scheduled"
  | "InProgress"
  | "Stopping"
  | "Stopped"
  | "Completed"
  | "PartiallyCompleted"
  | "Failed"
  | "Expired";

/** The statuses that hold one of the model's in-progress job slots. */
export const IN_FLIGHT_STATUSES: ReadonlySet<string> = new Set([
  "Submitted",
  "Validating",
  "Scheduled",
  "InProgress",
  "Stopping",
]);

/**
 * Bedrock's status onto the shared vocabulary. PartiallyCompleted is "ended" (some records
 * failed: their lines say why); Stopped and Expired may still have output for the records done
 * before, which `results` reads all the same.
 */
export function batchStatusOf(status: string | undefined, message: string | undefined): BatchApiStatus {
  const reason = message && message.trim() !== "" ? message : null;
  switch (status) {
    case "Submitted":
    case "Validating":
      return { state: "validating", error: null };
    case "Scheduled":
    case "InProgress":
      return { state: "in_progress", error: null };
    case "Stopping":
      return { state: "cancelling", error: null };
    case "Stopped":
      return { state: "cancelled", error: null };
    case "Completed":
    case "PartiallyCompleted":
      return { state: "ended", error: null };
    case "Expired":
      return { state: "expired", error: reason };
    case "Failed":
      return {
        state: "failed",
        error: reason ?? "Bedrock failed the batch inference job without a message.",
      };
    default:
      // A status newer than this client: keep polling rather than guess an end.
      return { state: "in_progress", error: null };
  }
}
