import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttp2Server, type Http2Session } from "node:http2";
import { createServer as createNetServer, type Socket } from "node:net";
import { Duplex } from "node:stream";
import { type ListeningFake, listenOn } from "../fake/fake-listen.js";

/** What an HTTP/2 client sends first ("prior knowledge", RFC 9113 §3.4). */
const H2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

/**
 * listenFake, but the one port serves HTTP/1.1 and cleartext HTTP/2 with the same handler, told
 * apart by the connection's first bytes. Docket's Bedrock backend speaks HTTP/1.1; the AWS
 * SDK's default for bedrock-runtime is HTTP/2, so a client left at its defaults works against
 * the fake too. The handler uses only what node:http's and node:http2's compatibility API share.
 */
export async function listenHttp1AndH2c(
  host: string,
  port: number,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<ListeningFake> {
  const http1 = createHttpServer({ keepAliveTimeout: 65_000, noDelay: true }, handler);
  const http2 = createHttp2Server({}, handler as unknown as Parameters<typeof createHttp2Server>[1]);
  const sessions = new Set<Http2Session>();
  http2.on("session", (session: Http2Session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.once("data", (first: Buffer) => {
      socket.pause();
      const n = Math.min(first.length, H2_PREFACE.length);
      if (n > 0 && first.subarray(0, n).equals(H2_PREFACE.subarray(0, n))) {
        http2.emit("connection", replaying(socket, first));
      } else {
        socket.unshift(first);
        http1.emit("connection", socket);
        socket.resume();
      }
    });
  });
  return listenOn(server, host, port, () => {
    for (const session of sessions) session.destroy();
    for (const socket of sockets) socket.destroy();
  });
}

/**
 * The socket as a stream that yields `first` again before the rest. node:http2 reads a plain
 * socket's native handle directly, so bytes already read from it cannot be put back with
 * unshift(); on a JavaScript stream it reads through the stream instead.
 */
function replaying(socket: Socket, first: Buffer): Duplex {
  const stream = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      socket.write(chunk, callback);
    },
    final(callback) {
      socket.end(callback);
    },
    destroy(error, callback) {
      socket.destroy(error ?? undefined);
      callback(error);
    },
  });
  stream.push(first);
  socket.on("data", (chunk: Buffer) => {
    if (!stream.push(chunk)) socket.pause();
  });
  socket.once("end", () => stream.push(null));
  socket.once("close", () => stream.destroy());
  socket.on("error", (error) => stream.destroy(error));
  return stream;
}
