import { DocketError } from "../domain/errors.js";
import { DEFAULT_VALIDATION_LIMITS, type ValidationLimits } from "./validation-limits.js";

/**
 * Largest `maxLineBytes` accepted: a line is checked as a JavaScript string, and V8 strings stop
 * at about 512 MiB.
 */
export const MAX_LINE_BYTES_CEILING = 512 * 1024 * 1024 - 1024;

/** Checks the config's `validation` section: every given field a positive integer, no unknown ones. */
export function checkValidationLimits(given: unknown): Partial<ValidationLimits> {
  if (typeof given !== "object" || given === null || Array.isArray(given)) {
    throw new DocketError("invalid_config", "validation must be an object of limits.");
  }
  const out: Partial<ValidationLimits> = {};
  for (const [key, value] of Object.entries(given)) {
    if (!(key in DEFAULT_VALIDATION_LIMITS)) {
      throw new DocketError(
        "invalid_config",
        `validation.${key} is not a known limit (known: ${Object.keys(DEFAULT_VALIDATION_LIMITS).join(", ")}).`,
      );
    }
    if (!Number.isSafeInteger(value) || (value as number) < 1) {
      throw new DocketError(
        "invalid_config",
        `validation.${key} must be a positive integer (got ${JSON.stringify(value)}).`,
      );
    }
    if (key === "maxLineBytes" && (value as number) > MAX_LINE_BYTES_CEILING) {
      throw new DocketError(
        "invalid_config",
        `validation.maxLineBytes must be at most ${MAX_LINE_BYTES_CEILING} (a line is checked as one string; got ${value}).`,
      );
    }
    out[key as keyof ValidationLimits] = value as number;
  }
  return out;
}

/** The limits in force: the defaults, overridden by the config's `validation` section. */
export function validationLimits(config: Partial<ValidationLimits> | undefined): ValidationLimits {
  return { ...DEFAULT_VALIDATION_LIMITS, ...config };
}
