import { readApiKey } from "./auth-key.js";
import { SseParser } from "./sse-parser.js";

/** An error the API answered, in OpenAI's shape (`{"error":{"message","code","param"}}`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | null,
    message: string,
  ) {
    super(message);
  }
}

/** Called when the server asks for a key (401), so the app can show the sign-in form. */
let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

/**
 * API paths are resolved against the page, not the host root (`v1/…`, no leading slash), so a
 * Docket mounted under a path prefix behind a proxy still finds its API beside the dashboard.
 */
export function apiUrl(path: string, query?: Record<string, string | number | null | undefined>): string {
  const url = new URL(path.replace(/^\//, ""), document.baseURI);
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, String(v));
  }
  return url.toString();
}

function headers(extra?: Record<string, string>): Record<string, string> {
  const key = readApiKey();
  return { ...(key ? { authorization: `Bearer ${key}` } : {}), ...extra };
}

async function failure(res: Response): Promise<ApiError> {
  let code: string | null = null;
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as { error?: { message?: string; code?: string } };
    if (body.error?.message) message = body.error.message;
    code = body.error?.code ?? null;
  } catch {
    // Not JSON (a proxy's page): the status line says enough.
  }
  if (res.status === 401) onUnauthorized();
  return new ApiError(res.status, code, message);
}

export async function getJson<T>(
  path: string,
  query?: Record<string, string | number | null | undefined>,
  signal?: AbortSignal,
): Promise<T> {
  const res = await fetch(apiUrl(path, query), { headers: headers(), ...(signal ? { signal } : {}) });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as T;
}

export async function postJson<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(apiUrl(path), {
    method: "POST",
    headers: headers({ "content-type": "application/json" }),
    body: body === undefined ? "{}" : JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as T;
}

/**
 * Follows a server-sent event stream until it ends or `signal` aborts; calls `onEvent` with each
 * event's name and parsed data. Read with fetch because EventSource cannot send the API key.
 * Reconnects (after `retryMs`) when the connection drops before the server said `end`.
 */
export async function followEvents(
  path: string,
  onEvent: (event: string, data: unknown) => void,
  signal: AbortSignal,
  retryMs = 2000,
): Promise<void> {
  while (!signal.aborted) {
    let ended = false;
    try {
      const res = await fetch(apiUrl(path), { headers: headers({ accept: "text/event-stream" }), signal });
      if (!res.ok || !res.body) throw await failure(res);
      const parser = new SseParser();
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const e of parser.feed(value)) {
          if (e.event === "end" || e.event === "error") ended = true;
          onEvent(e.event, JSON.parse(e.data));
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      // A refused stream (404, 401) will not get better by retrying.
      if (err instanceof ApiError && err.status < 500) throw err;
    }
    if (ended) return;
    await new Promise((r) => setTimeout(r, retryMs));
  }
}

/**
 * Saves a file the API serves. Without a key a plain navigation streams it to disk; with one the
 * header must be sent, so it is fetched into memory first (the docs say so: use the CLI for big files).
 */
export async function download(path: string, filename: string): Promise<void> {
  const key = readApiKey();
  const a = document.createElement("a");
  a.download = filename;
  if (!key) {
    a.href = apiUrl(path);
  } else {
    const res = await fetch(apiUrl(path), { headers: headers() });
    if (!res.ok) throw await failure(res);
    a.href = URL.createObjectURL(await res.blob());
    setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
  }
  document.body.append(a);
  a.click();
  a.remove();
}
