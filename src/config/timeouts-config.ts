import { DocketError } from "../domain/errors.js";
import type { DocketConfig } from "./config.js";

const DATABASE_KEYS = [
  "databaseConnectTimeoutMs",
  "databaseStatementTimeoutMs",
  "databaseIdleInTransactionTimeoutMs",
] as const;

/** Node's timers (and PostgreSQL's settings) stop at 2^31 - 1 ms, about 24.8 days. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Reads the PostgreSQL timeouts and the temp-file sweep settings from docket.config.json and
 * checks them (and those `retention` already copied), naming the field that is wrong.
 */
export function applyTimeoutsConfig(config: DocketConfig, file: Record<string, unknown>): void {
  for (const key of DATABASE_KEYS) {
    if (file[key] !== undefined) config[key] = file[key] as number;
    checkMs(config[key], key, 0);
  }
  checkMs(config.retention.tempFileGraceMs, "retention.tempFileGraceMs", 1);
  checkMs(config.retention.tempSweepMs, "retention.tempSweepMs", 1);
}

/** A whole number of milliseconds from `min` (0 where 0 turns the limit off). */
export function checkMs(value: unknown, field: string, min: number): void {
  if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= MAX_TIMER_MS) return;
  throw new DocketError(
    "invalid_config",
    `${field} must be a whole number of milliseconds from ${min} to ${MAX_TIMER_MS}${min === 0 ? " (0 turns it off)" : ""} (got ${JSON.stringify(value)}).`,
  );
}
