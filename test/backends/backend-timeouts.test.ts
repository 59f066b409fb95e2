import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import type { BackendRequest } from "../../src/backends/backend.js";
import { createBackend } from "../../src/backends/create-backend.js";
import {
  OpenAICompatibleBackend,
  type OpenAICompatibleBackendOptions,
} from "../../src/backends/openai-compatible/openai-compatible-backend.js";

const BODY = '{"model":"m","messages":[{"role":"user","content":"hi"}]}';
const servers: Server[] = [];
const sockets = new Set<Socket>();
const backends: OpenAICompatibleBackend[] = [];

afterEach(async () => {
  await Promise.all(backends.splice(0).map((b) => b.close().catch(() => {})));
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A backend server whose every request is handled by `handler` after its body is read. */
async function server(handler: (res: ServerResponse) => void): Promise<string> {
  const s = createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on("end", () => handler(res));
  });
  s.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(s.address() as { port: number }).port}/v1`;
}

function backend(baseUrl: string, o: Partial<OpenAICompatibleBackendOptions>): OpenAICompatibleBackend {
  const b = new OpenAICompatibleBackend({ baseUrl, concurrency: 1, timeoutMs: 60_000, ...o });
  backends.push(b);
  return b;
}

const plain = (): BackendRequest => ({ endpoint: "/v1/chat/completions", body: BODY });
const streamed = (): BackendRequest => ({
  endpoint: "/v1/chat/completions",
  body: "",
  bodyStream: async () => Readable.from([Buffer.from(BODY)]),
  bodyBytes: Buffer.byteLength(BODY),
  responseSink: async (body) => {
    let text = "";
    for await (const c of body) text += c;
    return text;
  },
});

async function timedSend(b: OpenAICompatibleBackend, request: BackendRequest) {
  const start = Date.now();
  const result = await b.send(request);
  return { result, ms: Date.now() - start };
}

/** Headers and the start of a JSON body, then silence: a backend that hung mid-answer. */
const stallMidBody = (res: ServerResponse) => {
  res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
  res.write('{"id":"x","choices":[');
};

describe("OpenAI-compatible backend header and body timeouts", () => {
  for (const [name, request] of [
    ["string", plain],
    ["streamed", streamed],
  ] as const) {
    it(`fails a ${name} request whose backend never sends headers, as a retryable timeout`, async () => {
      const url = await server(() => {}); // reads the request, never answers
      const { result, ms } = await timedSend(backend(url, { headersTimeoutMs: 300 }), request());
      expect(result).toMatchObject({ ok: false, retryable: true, code: "timeout", statusCode: null });
      expect(result.ok ? "" : result.message).toContain("no response headers within 300 ms");
      expect(ms).toBeLessThan(10_000);
    });

    it(`fails a ${name} request whose body stalls after the headers, as a retryable timeout`, async () => {
      const url = await server(stallMidBody);
      const { result, ms } = await timedSend(backend(url, { bodyTimeoutMs: 300 }), request());
      expect(result).toMatchObject({ ok: false, retryable: true, code: "timeout", body: null });
      expect(result.ok ? "" : result.message).toContain("no bytes for 300 ms (bodyTimeoutMs)");
      expect(ms).toBeLessThan(10_000);
    });
  }

  it("takes both limits from the route config", async () => {
    const url = await server(stallMidBody);
    const b = createBackend({
      name: "r",
      models: ["*"],
      backend: { type: "openai", baseUrl: url },
      concurrency: 1,
      timeoutMs: 60_000,
      maxAttempts: 1,
      headersTimeoutMs: 5000,
      bodyTimeoutMs: 400,
    });
    try {
      const result = await b.send(plain());
      expect(result.ok ? "" : result.message).toContain("no bytes for 400 ms (bodyTimeoutMs)");
    } finally {
      await b.close();
    }
  });

  it("also ends a stalled body at the whole-request deadline when that comes first", async () => {
    const url = await server(stallMidBody);
    const { result, ms } = await timedSend(backend(url, { timeoutMs: 300 }), plain());
    expect(result).toMatchObject({ ok: false, retryable: true, code: "timeout" });
    expect(result.ok ? "" : result.message).toContain("did not answer within 300 ms");
    expect(ms).toBeLessThan(10_000);
  });

  it("lets a slow but steady body through: the body limit is on silence, not on total time", async () => {
    const answer = JSON.stringify({ id: "x", choices: [], pad: "p".repeat(50) });
    const url = await server((res) => {
      res.writeHead(200, { "content-type": "application/json" });
      let sent = 0;
      const step = 10;
      const timer = setInterval(() => {
        res.write(answer.slice(sent, sent + step));
        sent += step;
        if (sent >= answer.length) {
          clearInterval(timer);
          res.end();
        }
      }, 100);
    });
    // ~9 chunks 100 ms apart: about 0.9 s in all, three times the 300 ms silence allowed.
    const { result } = await timedSend(backend(url, { bodyTimeoutMs: 300 }), plain());
    expect(result).toMatchObject({ ok: true, statusCode: 200, body: answer });
  });

  it("does not count a slow response sink's backpressure as backend silence", async () => {
    const big = Buffer.alloc(8 * 1024 * 1024, "a");
    const url = await server((res) => {
      res.writeHead(200, {
        "content-type": "application/octet-stream",
        "content-length": String(big.length),
      });
      res.end(big);
    });
    const b = backend(url, { bodyTimeoutMs: 300 });
    let received = 0;
    const result = await b.send({
      ...streamed(),
      responseSink: async (body) => {
        let paused = 0;
        for await (const chunk of body) {
          received += (chunk as Buffer).length;
          // Two long stops early on, while the server has far more to send.
          if (paused < 2 && received > 256 * 1024 * (paused + 1)) {
            paused++;
            await new Promise((r) => setTimeout(r, 900));
          }
        }
        return "kept";
      },
    });
    expect(result).toMatchObject({ ok: true, body: "kept" });
    expect(received).toBe(big.length);
  });
});
