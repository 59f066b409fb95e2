import { openAsBlob } from "node:fs";
import { basename } from "node:path";
import type { Readable } from "node:stream";
import { type Dispatcher, FormData, request } from "undici";
import { DocketError } from "../domain/errors.js";
import { httpAgent } from "../http-client/http-agent.js";
import { ApiError, connectionError, rememberBaseUrl, unreachable } from "./cli-errors.js";
import { requireFile } from "./require-file.js";

export { ApiError } from "./cli-errors.js";

/** A small client for Docket's own API, used by the CLI's submit/status/results commands. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly apiKey: string | null = null,
  ) {
    rememberBaseUrl(baseUrl);
  }

  static fromOptions(o: { url?: string; apiKey?: string }): ApiClient {
    const url = o.url ?? process.env.DOCKET_URL ?? "http://127.0.0.1:8080";
    let parsed: URL | null = null;
    try {
      parsed = new URL(url);
    } catch {
      // reported below
    }
    if (parsed?.protocol !== "http:" && parsed?.protocol !== "https:") {
      const from = o.url !== undefined ? "--url" : "DOCKET_URL";
      throw new DocketError(
        "invalid_option",
        `${from} must be an http(s) URL such as http://127.0.0.1:8080 (got '${url}').`,
      );
    }
    return new ApiClient(url.replace(/\/+$/, ""), o.apiKey ?? process.env.DOCKET_API_KEY ?? null);
  }

  async json<T>(method: "GET" | "POST" | "DELETE", path: string, body?: unknown): Promise<T> {
    const res = await this.send(method, path, body === undefined ? undefined : JSON.stringify(body), {
      "content-type": "application/json",
    });
    const text = await this.reachable(() => res.body.text());
    if (res.statusCode >= 400) throw new ApiError(res.statusCode, errorMessage(text));
    return JSON.parse(text) as T;
  }

  /** Uploads a local file (streamed); a missing file is named before anything is sent. */
  async uploadFile(path: string, purpose: string): Promise<{ id: string; bytes: number }> {
    await requireFile(path);
    const form = new FormData();
    form.set("purpose", purpose);
    form.set("file", await openAsBlob(path), basename(path));
    const text = await this.reachable(async () => {
      const res = await request(`${this.baseUrl}/v1/files`, {
        method: "POST",
        body: form,
        headers: this.auth(),
        dispatcher: httpAgent, // not the global one: nodejs/undici#5520 (http-agent.ts)
      });
      const body = await res.body.text();
      if (res.statusCode >= 400) throw new ApiError(res.statusCode, errorMessage(body));
      return body;
    });
    return JSON.parse(text) as { id: string; bytes: number };
  }

  /** The raw response of a file's content, to be piped somewhere. */
  async fileContent(id: string) {
    const res = await this.send("GET", `/v1/files/${encodeURIComponent(id)}/content`);
    if (res.statusCode >= 400)
      throw new ApiError(res.statusCode, errorMessage(await this.reachable(() => res.body.text())));
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
    return this.reachable(() =>
      request(`${this.baseUrl}${path}`, {
        method,
        body: o.body,
        headers: { ...o.headers, ...this.auth() },
        dispatcher: httpAgent,
      }),
    );
  }

  private async send(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
    return this.reachable(() =>
      request(`${this.baseUrl}${path}`, {
        method: method as "GET",
        body,
        headers: { ...headers, ...this.auth() },
        dispatcher: httpAgent,
      }),
    );
  }

  /**
   * Runs one exchange with the server; a connection failure (refused, reset, name not found,
   * timed out) becomes the one "cannot reach Docket" error (exit 2), whatever the command.
   */
  private async reachable<T>(exchange: () => Promise<T>): Promise<T> {
    try {
      return await exchange();
    } catch (err) {
      if (connectionError(err)) throw unreachable(this.baseUrl, err);
      throw err;
    }
  }

  private auth(): Record<string, string> {
    return this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {};
  }
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
