import { invalidRequest } from "../../domain/errors.js";

/** OpenAI's bounds for `expires_after` (files) and `output_expires_after` (batches): 1 hour … 30 days. */
export const EXPIRES_AFTER_MIN_SECONDS = 3600;
export const EXPIRES_AFTER_MAX_SECONDS = 30 * 86_400;

/**
 * Checks OpenAI's expiration policy `{anchor: "created_at", seconds}` and returns the seconds.
 * `param` is the field's name in the request (`expires_after`, `output_expires_after`), so the
 * 400 names exactly what to fix. Both parts are required, as in the SDK's types.
 */
export function parseExpiresAfter(anchor: unknown, seconds: unknown, param: string): number {
  if (anchor !== "created_at") {
    throw invalidRequest(
      `'${param}.anchor' must be 'created_at' (the only anchor OpenAI supports); got ${describe(anchor)}.`,
      `${param}.anchor`,
    );
  }
  if (
    typeof seconds !== "number" ||
    !Number.isInteger(seconds) ||
    seconds < EXPIRES_AFTER_MIN_SECONDS ||
    seconds > EXPIRES_AFTER_MAX_SECONDS
  ) {
    throw invalidRequest(
      `'${param}.seconds' must be a whole number of seconds from ${EXPIRES_AFTER_MIN_SECONDS} (1 hour) to ` +
        `${EXPIRES_AFTER_MAX_SECONDS} (30 days); got ${describe(seconds)}.`,
      `${param}.seconds`,
    );
  }
  return seconds;
}

/** A form field holds text: `"3600"` is the number 3600; anything else stays text (and is refused). */
export function formNumber(value: string | undefined): unknown {
  return value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : value;
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
