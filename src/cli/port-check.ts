import { createServer } from "node:net";
import { DocketError } from "../domain/errors.js";

/**
 * Fails early, with a message a person can act on, when the server could not listen on
 * `host:port`: a probe listens and closes at once, before the data dir, database or anything
 * else is created. Port 0 (pick a free one) is always free. The real listen can still lose a
 * race to another process; `listenError` maps that failure the same way.
 */
export async function checkPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (err) => reject(listenError(err, host, port)));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** A listen failure as a DocketError naming the port and host and what to do; else `err`. */
export function listenError(err: unknown, host: string, port: number): unknown {
  switch ((err as NodeJS.ErrnoException | null)?.code) {
    case "EADDRINUSE":
      return new DocketError(
        "port_in_use",
        `port ${port} on ${host} is already in use — stop the other process or pass --port`,
      );
    case "EACCES":
      return new DocketError(
        "port_not_permitted",
        `not allowed to listen on port ${port} on ${host} (ports below 1024 need privileges) — pass --port`,
      );
    case "EADDRNOTAVAIL":
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new DocketError(
        "host_not_available",
        `cannot listen on ${host}: not an address of this machine — pass --host (e.g. 127.0.0.1, or 0.0.0.0 for every interface)`,
      );
    default:
      return err;
  }
}
