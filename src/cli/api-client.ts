import { openAsBlob } from "node:fs";
import { basename } from "node:path";
import type { Readable } from "node:stream";
import { type Dispatcher, FormData, request } from "undici";

/** A small client for Docket's own API, used by the CLI's submit/status/results commands. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly apiKey: string | null = null,
  ) {}

  static fromOptions(o: { url?: string; apiKey?: string }): ApiClient {
    return new ApiClient(
      (o.url ?? process.env.DOCKET_URL ?? "http://127.0.0.1:8080").replace(/\/$/, ""),
      o.apiKey ?? process.env.DOCKET_API_KEY ?? null,
    );
  }

  async json<T>(method: "GET" | "POST" | "DELETE", path: string, body?: unknown): Promise<T> {
    const res = await this.send(method, path, body === undefined ? undefined : JSON.stringify(body), {
      "content-type": "application/json",
    });
    const text = await res.body.text();
    if (res.statusCode >= 400) throw new ApiError(res.statusCode, errorMessage(text));
    return JSON.parse(text) as T;
  }

  async uploadFile(path: string, purpose: string): Promise<{ id: string; bytes: number }> {
    const form = new FormData();
    form.set("purpose", purpose);
    form.set("file", await openAsBlob(path), basename(path));
    const res = await request(`${this.baseUrl}/v1/files`, {
      method: "POST",
      body: form,
      headers: this.auth(),
    });
    const text = await res.body.text();
    if (res.statusCode >= 400) throw new ApiError(res.statusCode, errorMessage(text));
    return JSON.parse(text) as { id: string; bytes: number };
  }

  /** The raw response of a file's content, to be piped somewhere. */
  async fileContent(id: string) {
    const res = await this.send("GET", `/v1/files/${encodeURIComponent(id)}/content`);
    if (res.statusCode >= 400) throw new ApiError(res.statusCode, errorMessage(await res.body.text()));
    return res.body;
  }

  /**
   * A raw request (streamed bodies, event streams): the response is returned whatever its
   * status; only an unreachable server throws (as ApiError with status 0).
   */
  async request(
    method: "GET" | "POST",
    path: string,
    o: { body?: Readable; headers?: Record<string, string> } = {},
  ): Promise<Dispatcher.ResponseData> {
    try {
      return await request(`${this.baseUrl}${path}`, {
        method,
        body: o.body,
        headers: { ...o.headers, ...this.auth() },
      });
    } catch (err) {
      throw unreachable(this.baseUrl, err);
    }
  }

  private async send(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
    try {
      return await request(`${this.baseUrl}${path}`, {
        method: method as "GET",
        body,
        headers: { ...headers, ...this.auth() },
      });
    } catch (err) {
      throw unreachable(this.baseUrl, err);
    }
  }

  private auth(): Record<string, string> {
    return this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {};
  }
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

function unreachable(baseUrl: string, err: unknown): ApiError {
  return new ApiError(
    0,
    `cannot reach Docket at ${baseUrl} (${(err as Error).message}). Is \`docket serve\` running? Set --url or DOCKET_URL.`,
  );
}

/** The API's error message from an error response body (OpenAI's envelope), else the text. */
export function errorMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: { message?: string } };
    if (parsed.error?.message) return parsed.error.message;
  } catch {
    // not JSON: show it as it came
  }
  return text.slice(0, 500);
}
