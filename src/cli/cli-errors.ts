import { DocketError } from "../domain/errors.js";

/**
 * The CLI's exit codes (README): 0 ok; 1 a usage error or a request Docket refused; 2 Docket
 * could not be reached; 3 `--wait` (or `results`) saw the batch end failed, expired or cancelled;
 * 4 `prepare`/`estimate`/`run` found rows with problems (2 stays "unreachable" for every command).
 */
export const EXIT = { ok: 0, usage: 1, unreachable: 2, batchFailed: 3, rowProblems: 4 } as const;

/** A request to Docket's API failed: `status` is the HTTP status, 0 when Docket was not reached. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Socket-level failures: the server is not there, went away, or the name does not resolve. */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EHOSTDOWN",
  "ETIMEDOUT",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
]);

/**
 * The connection error inside `err` (undici wraps them in `cause`, happy-eyeballs connects in an
 * AggregateError), or null when `err` is something else.
 */
export function connectionError(err: unknown, depth = 0): (Error & { code?: string }) | null {
  if (!(err instanceof Error) || depth > 4) return null;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string" && CONNECTION_CODES.has(code)) return err as Error & { code: string };
  for (const inner of [
    (err as { cause?: unknown }).cause,
    ...((err as { errors?: unknown[] }).errors ?? []),
  ]) {
    const found = connectionError(inner, depth + 1);
    if (found) return found;
  }
  return null;
}

/** The one message for every client command that cannot talk to the server. */
export function unreachable(baseUrl: string, err: unknown): ApiError {
  const cause = connectionError(err) ?? (err as Error);
  const detail = cause?.message || (cause as { code?: string })?.code || String(err);
  return new ApiError(
    0,
    `cannot reach Docket at ${baseUrl} — is \`docket serve\` running? (${detail}; pass --url or set DOCKET_URL)`,
  );
}

/** The base URL of the last API client made in this process, for errors thrown outside it. */
let currentBaseUrl: string | null = null;
export function rememberBaseUrl(url: string): void {
  currentBaseUrl = url;
}

/**
 * Prints an error a person can act on and returns the exit code, or returns null for an
 * unexpected error (a bug: the caller rethrows it so the stack is shown).
 */
export function reportCliError(err: unknown, print: (line: string) => void = console.error): number | null {
  if (err instanceof ApiError) {
    print(`error: ${err.message}`);
    return err.status === 0 ? EXIT.unreachable : EXIT.usage;
  }
  if (err instanceof DocketError) {
    print(`error [${err.code}]: ${err.message}`);
    return EXIT.usage;
  }
  if (connectionError(err) && currentBaseUrl !== null) {
    // A connection lost mid-stream (a download, an event stream) outside the client's own calls.
    print(`error: ${unreachable(currentBaseUrl, err).message}`);
    return EXIT.unreachable;
  }
  const code = (err as { code?: unknown } | null)?.code;
  const path = (err as { path?: unknown } | null)?.path;
  if ((code === "ENOENT" || code === "EISDIR" || code === "EACCES") && typeof path === "string") {
    const what =
      code === "ENOENT" ? "file not found" : code === "EISDIR" ? "not a file" : "permission denied";
    print(`error [${code === "ENOENT" ? "file_not_found" : "file_unreadable"}]: ${what}: ${path}`);
    return EXIT.usage;
  }
  return null;
}
