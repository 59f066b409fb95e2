import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Server as NetServer } from "node:net";

export interface ListeningFake {
  /** `http://host:port`, IPv6 hosts bracketed. */
  origin: string;
  port: number;
  close(): Promise<void>;
}

/** Starts a fake provider's node:http server; `port` 0 picks a free one. */
export async function listenFake(
  host: string,
  port: number,
  onRequest: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<ListeningFake> {
  const server = createServer({ keepAliveTimeout: 65_000, noDelay: true }, onRequest);
  return listenOn(server, host, port, () => server.closeAllConnections());
}

/**
 * Starts `server` listening on host:port (0: a free one). Its close() also calls
 * `dropConnections`, since hanging and queued requests would keep it waiting forever.
 */
export async function listenOn(
  server: NetServer,
  host: string,
  port: number,
  dropConnections: () => void,
): Promise<ListeningFake> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    origin: `http://${urlHost}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        dropConnections();
      }),
  };
}

/**
 * Reads a request body of at most `maxBytes`, as UTF-8 text; past it the rest is drained and
 * `done` gets null with the full length, so the fake can answer its provider's "too large".
 */
export function readBoundedBody(
  req: IncomingMessage,
  maxBytes: number,
  done: (body: string | null, length: number) => void,
): void {
  const chunks: Buffer[] = [];
  let length = 0;
  req.on("data", (chunk: Buffer) => {
    length += chunk.length;
    if (length <= maxBytes) chunks.push(chunk);
  });
  req.on("end", () =>
    done(length > maxBytes ? null : Buffer.concat(chunks, length).toString("utf8"), length),
  );
}

/** The request's path without its query string. */
export function requestPath(req: IncomingMessage): string {
  const rawUrl = req.url ?? "/";
  const q = rawUrl.indexOf("?");
  return q < 0 ? rawUrl : rawUrl.slice(0, q);
}
