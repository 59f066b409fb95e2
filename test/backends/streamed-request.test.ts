import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeBackend, startFakeBackend } from "../../src/backends/fake/fake-backend-server.js";
import { OpenAICompatibleBackend } from "../../src/backends/openai-compatible/openai-compatible-backend.js";

/** The streamed-body path of the OpenAI-compatible backend (async invocations), on real HTTP. */
describe("OpenAICompatibleBackend with a streamed body", () => {
  let fake: FakeBackend;
  let backend: OpenAICompatibleBackend;
  afterEach(async () => {
    await backend?.close();
    await fake?.close();
  });

  function payload(mb: number): { stream: () => Promise<Readable>; bytes: number } {
    const head = Buffer.from('{"model":"fake-s","messages":[{"role":"user","content":"');
    const tail = Buffer.from('"}]}');
    const bytes = head.length + mb * 1024 * 1024 + tail.length;
    return {
      bytes,
      stream: async () =>
        Readable.from(
          (function* () {
            yield head;
            for (let i = 0; i < mb; i++) yield Buffer.alloc(1024 * 1024, "z");
            yield tail;
          })(),
        ),
    };
  }

  it("sends the stream with its length, and hands a success to the response sink", async () => {
    fake = await startFakeBackend({ discardBodiesOver: 1024 * 1024 });
    backend = new OpenAICompatibleBackend({ baseUrl: fake.url, concurrency: 1, timeoutMs: 10_000 });
    const p = payload(8);
    let sunk = 0;
    const result = await backend.send({
      endpoint: "/v1/chat/completions",
      body: "",
      bodyStream: p.stream,
      bodyBytes: p.bytes,
      responseSink: async (body) => {
        let text = "";
        for await (const c of body) text += c;
        sunk = text.length;
        return "kept";
      },
    });
    expect(result).toMatchObject({ ok: true, statusCode: 200, body: "kept" });
    expect(sunk).toBeGreaterThan(0);
    expect(fake.stats().discarded).toEqual({ bodies: 1, chars: p.bytes });
  });

  it("uses the request's own deadline", async () => {
    fake = await startFakeBackend({ rateHang: 1 });
    backend = new OpenAICompatibleBackend({ baseUrl: fake.url, concurrency: 1, timeoutMs: 60_000 });
    const started = Date.now();
    const result = await backend.send({
      endpoint: "/v1/chat/completions",
      body: "",
      bodyStream: async () =>
        Readable.from([Buffer.from('{"model":"fake-s","messages":[{"role":"user","content":"x"}]}')]),
      timeoutMs: 300,
    });
    expect(result).toMatchObject({ ok: false, code: "timeout", retryable: true });
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
