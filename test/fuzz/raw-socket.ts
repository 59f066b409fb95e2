import { connect, type Socket } from "node:net";

/** What a hand-written HTTP exchange came to. */
export interface RawResult {
  /** Status of the first response, if one arrived. */
  status: number | null;
  /** Milliseconds until the first response byte, null if none. */
  respondedMs: number | null;
  /** Milliseconds until the server closed the connection; null: still open at the bound. */
  closedMs: number | null;
  /** Bytes the client managed to write before the connection ended. */
  sent: number;
  text: string;
  /** A socket error the client saw (ECONNRESET: the server reset rather than closed). */
  error: string | null;
}

/**
 * Opens a raw TCP connection and lets `script` write whatever it likes (slowly, partly, never
 * finishing), waiting at most `boundMs` for the server to close it. Abusive clients cannot be
 * written with fetch or the SDK: they always finish their requests.
 */
export function rawExchange(
  port: number,
  script: (
    write: (chunk: string | Buffer) => boolean,
    closed: () => boolean,
    responded: () => boolean,
  ) => Promise<void>,
  boundMs: number,
): Promise<RawResult> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket: Socket = connect(port, "127.0.0.1");
    const received: Buffer[] = [];
    let receivedBytes = 0;
    let respondedMs: number | null = null;
    let sent = 0;
    let done = false;
    let error: string | null = null;
    const finish = (closedMs: number | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(received).toString("utf8");
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({
        status: m ? Number(m[1]) : null,
        respondedMs,
        closedMs,
        sent,
        text: text.slice(0, 2000),
        error,
      });
    };
    const timer = setTimeout(() => finish(null), boundMs);
    socket.on("data", (d: Buffer) => {
      respondedMs ??= Date.now() - started;
      if (receivedBytes < 8000) received.push(d);
      receivedBytes += d.length;
    });
    socket.on("error", (err: NodeJS.ErrnoException) => {
      error ??= err.code ?? err.message;
    });
    socket.on("close", () => finish(Date.now() - started));
    socket.on("connect", () => {
      const write = (chunk: string | Buffer) => {
        if (done || socket.destroyed) return false;
        sent += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.length;
        socket.write(chunk);
        return true;
      };
      script(
        write,
        () => done || socket.destroyed,
        () => respondedMs !== null,
      ).catch(() => {});
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const BOUNDARY = "----docket-fuzz-boundary";

/** The start of a multipart upload: the purpose field and the file part's headers. */
export function multipartHead(filenameParam = 'filename="upload.jsonl"'): string {
  return (
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n` +
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; ${filenameParam}\r\n` +
    `Content-Type: application/jsonl\r\n\r\n`
  );
}

export const multipartTail = `\r\n--${BOUNDARY}--\r\n`;

export function uploadHead(o: { contentLength: number; apiKey: string }): string {
  return (
    `POST /v1/files HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${o.apiKey}\r\n` +
    `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${o.contentLength}\r\n\r\n`
  );
}
