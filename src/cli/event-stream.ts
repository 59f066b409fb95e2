import type { ApiClient } from "./api-client.js";

export interface ServerSentEvent {
  event: string;
  data: string;
}

/**
 * Parses a `text/event-stream` body into events (the subset Docket sends: `event:`, `data:`,
 * `id:`, comments), across chunk boundaries and with CRLF or LF line ends.
 */
export async function* parseEventStream(
  body: AsyncIterable<Uint8Array | string>,
): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder();
  let buffer = "";
  let event = "message";
  let data: string[] = [];
  for await (const chunk of body) {
    buffer += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    let newline = buffer.indexOf("\n");
    while (newline !== -1) {
      const line = buffer.slice(0, newline).replace(/\r$/, "");
      buffer = buffer.slice(newline + 1);
      if (line === "") {
        if (data.length > 0) yield { event, data: data.join("\n") };
        event = "message";
        data = [];
      } else if (!line.startsWith(":")) {
        const colon = line.indexOf(":");
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") event = value;
        else if (field === "data") data.push(value);
      }
      newline = buffer.indexOf("\n");
    }
  }
}

/**
 * Follows a job's event stream, calling `onUpdate` with each snapshot, and returns the final one
 * (the `end` event). Returns null when the server has no event stream or it broke off early, so
 * the caller can fall back to polling.
 */
export async function followJobEvents<T>(
  client: ApiClient,
  path: string,
  onUpdate: (snapshot: T) => void,
): Promise<T | null> {
  let res: Awaited<ReturnType<ApiClient["request"]>>;
  try {
    res = await client.request("GET", path, { headers: { accept: "text/event-stream" } });
  } catch {
    return null;
  }
  if (res.statusCode !== 200 || !String(res.headers["content-type"] ?? "").startsWith("text/event-stream")) {
    await res.body.dump();
    return null;
  }
  try {
    for await (const e of parseEventStream(res.body)) {
      if (e.event === "error") return null;
      const snapshot = JSON.parse(e.data) as T;
      onUpdate(snapshot);
      if (e.event === "end") return snapshot;
    }
  } catch {
    // connection lost: polling takes over
  } finally {
    res.body.destroy();
  }
  return null;
}
