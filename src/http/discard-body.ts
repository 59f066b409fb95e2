import type { IncomingMessage } from "node:http";

/** Past this much unread body it is cheaper to drop the connection than to keep reading. */
const DISCARD_CAP_BYTES = 32 * 1024 * 1024;

const discarding = new WeakSet<IncomingMessage>();

/**
 * Reads and throws away the rest of a request body we answered early (413, 400), so the client
 * gets to read our response and the connection can be reused. Beyond a cap the connection is
 * cut: an early answer must not commit us to swallowing gigabytes.
 */
export function discardBody(req: IncomingMessage): void {
  if (req.complete || discarding.has(req)) return;
  discarding.add(req);
  let seen = 0;
  req.on("data", (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > DISCARD_CAP_BYTES) req.socket.destroy();
  });
  req.resume();
}
