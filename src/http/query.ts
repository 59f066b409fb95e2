import { invalidRequest } from "../domain/errors.js";
import type { Params } from "./path-table.js";

/**
 * C0 controls and DEL. No id, cursor, purpose or option legitimately holds one, and NUL in
 * particular is refused by PostgreSQL text columns (it used to surface as a 500 there only).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Parses a raw query string strictly, the one place every query parameter enters the API:
 * malformed percent-escapes, bytes that are not UTF-8 (which URLSearchParams would silently
 * turn into U+FFFD) and control characters are a 400 naming the parameter, on every engine.
 */
export function parseQuery(raw: string): URLSearchParams {
  const query = new URLSearchParams();
  if (raw === "") return query;
  for (const pair of raw.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const name = decodePart(eq === -1 ? pair : pair.slice(0, eq), null);
    const value = decodePart(eq === -1 ? "" : pair.slice(eq + 1), name);
    checkText(value, `query parameter '${name}'`, name);
    checkText(name, `query parameter name ${JSON.stringify(name)}`, null);
    query.append(name, value);
  }
  return query;
}

/** Path parameters (`/v1/files/:id`) get the same rule as query parameters. */
export function checkPathParams(params: Params): void {
  for (const [name, value] of Object.entries(params)) checkText(value, `'${name}' in the URL path`, name);
}

function decodePart(part: string, name: string | null): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, " "));
  } catch {
    const what = name === null ? "A query parameter name" : `The query parameter '${name}'`;
    throw invalidRequest(`${what} is not valid percent-encoded UTF-8.`, name);
  }
}

function checkText(value: string, what: string, param: string | null): void {
  const found = CONTROL.exec(value);
  if (!found) return;
  const code = found[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
  throw invalidRequest(
    `The ${what} contains the control character U+${code} at position ${found.index}; ids, cursors and options are printable text.`,
    param,
  );
}

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
