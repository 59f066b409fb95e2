import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type ApiDeps, createApiHandler } from "./api.js";
import { isEventStream } from "./event-streams.js";

export interface RunningApiServer {
  url: string;
  port: number;
  /** Stops accepting connections and resolves once in-flight requests have finished. */
  close(): Promise<void>;
}

/** How long close() waits for in-flight requests before cutting their connections. */
const DRAIN_TIMEOUT_MS = 30_000;

export async function startApiServer(
  deps: ApiDeps & { host: string; port: number },
): Promise<RunningApiServer> {
  const handler = createApiHandler(deps);
  let closing = false;
  const inFlight = new Set<ServerResponse>();
  const limits = deps.config;
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      // Uploads of hundreds of MB may legitimately take longer than Node's 5-minute default.
      requestTimeout: limits.requestTimeoutMs,
      // Node checks both timeouts on this interval (default 30 s): check often enough that a
      // small configured timeout means what it says.
      connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    (req, res) => {
      inFlight.add(res);
      res.once("close", () => inFlight.delete(res));
      if (closing) res.setHeader("connection", "close");
      handler(req, res);
    },
  );
  // No bytes either way for this long: the connection is dropped. Its request is aborted, and an
  // upload in progress deletes its temp file (the multipart and payload readers see the abort).
  server.timeout = limits.idleTimeoutMs;
  server.on("timeout", (socket: Socket) => socket.destroy());
  server.maxConnections = limits.maxConnections;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(deps.port, deps.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = deps.host.includes(":") ? `[${deps.host}]` : deps.host;

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve, reject) => {
      closing = true;
      // Answer what is in flight, but tell those clients not to reuse the connection.
      for (const res of inFlight) if (!res.headersSent) res.setHeader("connection", "close");
      // Event streams (a dashboard left open) never end by themselves: cut them now rather than
      // hold the close for the drain timeout (event-streams.ts).
      for (const res of inFlight) if (isEventStream(res)) res.destroy();
      const force = setTimeout(() => server.closeAllConnections(), DRAIN_TIMEOUT_MS);
      // A connection becomes idle only once its response is sent *and* its request body is
      // read (an early 413 still drains the upload): sweep until all are gone rather than
      // wait out the keep-alive timeout.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      force.unref();
      server.close((err) => {
        clearTimeout(force);
        clearInterval(sweep);
        if (err) reject(err);
        else resolve();
      });
      server.closeIdleConnections();
    });
    return closed;
  };

  return { url: `http://${host}:${port}`, port, close };
}
