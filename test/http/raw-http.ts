import { connect, type Socket } from "node:net";

/** What came back on a raw connection: everything the server wrote until it closed (or we stopped). */
export interface RawExchange {
  socket: Socket;
  /** Resolves with all bytes received once the server closes the connection. */
  closed: Promise<string>;
  /** Resolves with the bytes received once they contain a full response head (and `need` body bytes). */
  response(timeoutMs?: number): Promise<RawResponse>;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * A raw TCP client for what HTTP libraries will not do: send headers that promise 10 GB and then
 * nothing, stop mid-body, never read. Every wait is bounded.
 */
export function rawConnect(url: string): Promise<RawExchange> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.off("error", reject);
      let received = "";
      const waiters: Array<() => void> = [];
      socket.setEncoding("utf8");
      socket.on("data", (d: string) => {
        received += d;
        for (const w of waiters.splice(0)) w();
      });
      socket.on("error", () => {});
      const closed = new Promise<string>((r) => socket.once("close", () => r(received)));
      closed.then(() => {
        for (const w of waiters.splice(0)) w();
      });
      const response = async (timeoutMs = 10_000): Promise<RawResponse> => {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const parsed = parseResponse(received);
          if (parsed) return parsed;
          if (socket.destroyed || Date.now() > deadline) {
            throw new Error(
              `no complete response within ${timeoutMs} ms; got ${JSON.stringify(received.slice(0, 200))}`,
            );
          }
          await new Promise<void>((r) => {
            const t = setTimeout(r, 50);
            waiters.push(() => {
              clearTimeout(t);
              r();
            });
          });
        }
      };
      resolve({ socket, closed, response });
    });
    socket.once("error", reject);
  });
}

function parseResponse(text: string): RawResponse | undefined {
  const end = text.indexOf("\r\n\r\n");
  if (end === -1) return undefined;
  const [statusLine, ...lines] = text.slice(0, end).split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(":");
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const body = text.slice(end + 4);
  const length = Number(headers["content-length"] ?? 0);
  if (Buffer.byteLength(body) < length) return undefined;
  return { status: Number(statusLine!.split(" ")[1]), headers, body };
}

/** Resolves when `check` holds, polling; throws after `ms` (a deadline, not a speed claim). */
export async function until(check: () => boolean, ms = 15_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Resolves with `p`, or rejects after `ms`. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
