import type { ServerResponse } from "node:http";

/** An open `text/event-stream` response, as the job and job-list streams write to it. */
export interface EventStream {
  /** True once the client went away. */
  readonly closed: boolean;
  /** Writes unless closed; a client whose backlog passes the limit is dropped. */
  write(text: string): void;
  /** Waits `ms`, or less when the client goes away. */
  sleep(ms: number): Promise<void>;
}

/** Sends the event-stream head and the client's reconnect delay (`retry: 2000`). */
export function openEventStream(res: ServerResponse, maxBufferedBytes: number): EventStream {
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  let closed = false;
  let wake: (() => void) | null = null;
  res.on("close", () => {
    closed = true;
    wake?.();
  });
  const write = (text: string): void => {
    if (closed) return;
    res.write(text);
    if (res.writableLength > maxBufferedBytes) res.destroy();
  };
  write("retry: 2000\n\n");
  return {
    get closed() {
      return closed;
    },
    write,
    async sleep(ms: number): Promise<void> {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    },
  };
}
