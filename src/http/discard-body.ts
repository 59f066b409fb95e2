import type { IncomingMessage, ServerResponse } from "node:http";

/** Past this much unread body it is cheaper to drop the connection than to keep reading. */
const DISCARD_CAP_BYTES = 32 * 1024 * 1024;

/** How long a refused oversize body is still read (and thrown away) before the socket is cut. */
const LINGER_MS = 2_000;

const discarding = new WeakSet<IncomingMessage>();

/**
 * Reads and throws away the rest of a request body we answered early (413, 400), so the client
 * gets to read our response and the connection can be reused. Beyond a cap the connection is
 * cut: an early answer must not commit us to swallowing gigabytes. A body that declares more
 * than the cap (`Content-Length: 10 GB`) is drained only for a short linger and then cut.
 */
export function discardBody(req: IncomingMessage, res?: ServerResponse): void {
  if (req.complete) return;
  if (Number(req.headers["content-length"]) > DISCARD_CAP_BYTES) {
    lingerThenClose(req, res);
    return;
  }
  if (discarding.has(req)) return;
  discarding.add(req);
  let seen = 0;
  req.on("data", (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > DISCARD_CAP_BYTES) req.socket.destroy();
  });
  req.resume();
}

/**
 * A lingering close: cutting a socket whose client is still sending makes the kernel answer with
 * a reset, which can destroy our 413 in the client's receive buffer before it is read (Node's
 * server does exactly that after a `Connection: close` answer). So the socket is only half
 * closed once the answer is out (the client reads it, then end of stream), the body is drained
 * and thrown away for a moment, and then the socket is cut whatever the client does.
 */
function lingerThenClose(req: IncomingMessage, res: ServerResponse | undefined): void {
  if (discarding.has(req)) return;
  discarding.add(req);
  const socket = req.socket;
  if (res && !res.headersSent) res.setHeader("connection", "close");
  // Node's server calls destroySoon() when a `Connection: close` answer is finished.
  socket.destroySoon = () => {
    socket.end();
  };
  req.on("data", () => {});
  req.resume();
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once("close", () => clearTimeout(timer));
}
