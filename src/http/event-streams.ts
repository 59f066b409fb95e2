import type { ServerResponse } from "node:http";

/**
 * Responses that are server-sent event streams. They never end by themselves (a dashboard left
 * open), so the server cuts them when it closes instead of waiting out its drain timeout; their
 * clients reconnect to whichever server is up.
 */
const streams = new WeakSet<ServerResponse>();

export function markEventStream(res: ServerResponse): void {
  streams.add(res);
}

export function isEventStream(res: ServerResponse): boolean {
  return streams.has(res);
}
