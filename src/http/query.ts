import { invalidRequest } from "../domain/errors.js";

/** Reads an integer page size, defaulting when absent and refusing anything outside 1..max. */
export function readLimit(query: URLSearchParams, fallback: number, max: number): number {
  const raw = query.get("limit");
  if (raw === null || raw === "") return fallback;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw invalidRequest(`'limit' must be an integer between 1 and ${max}; got '${raw}'.`, "limit");
  }
  return limit;
}

export function readOptional(query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name);
  return value === null || value === "" ? undefined : value;
}
