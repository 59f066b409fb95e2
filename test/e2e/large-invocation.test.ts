import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeBackend, startFakeBackend } from "../../src/backends/fake/fake-backend-server.js";
import { type ServedDocket, serveWithConfig, spawnDocket } from "../support/child-docket.js";
import { eventually } from "../support/webhook-receiver.js";

const MB = 1024 * 1024;
const PAYLOAD_MB = 300;
/** The server's memory may grow by less than this while it takes and runs the payload. */
const RSS_BUDGET_MB = 150;

/** Resident set size and its peak (VmHWM) of a process, in bytes, from /proc. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status)?.[1]) * 1024;
  return { rss: kb("VmRSS"), peak: kb("VmHWM") };
}

/** A chat request whose one message is `mb` MiB of text, generated as it is read (never whole). */
function hugeChatRequest(mb: number): { stream: Readable; bytes: number } {
  const head = Buffer.from('{"model":"fake-large","max_tokens":4,"messages":[{"role":"user","content":"');
  const tail = Buffer.from('"}]}');
  const block = Buffer.alloc(MB, "a");
  async function* generate() {
    yield head;
    for (let i = 0; i < mb; i++) yield block;
    yield tail;
  }
  return {
    stream: Readable.from(generate(), { objectMode: false }),
    bytes: head.length + mb * MB + tail.length,
  };
}

/**
 * The "large payload" promise, tested as a user would meet it: `docket serve` as its own
 * process, a 300 MB invocation streamed in, run through the (fake) backend and its output read
 * back, while the server's memory stays bounded.
 */
describe("a 300 MB async invocation", () => {
  let fake: FakeBackend;
  let child: ServedDocket;

  beforeAll(async () => {
    // The fake counts and drops bodies this large instead of parsing them (it runs in the test
    // process, whose memory is not what is measured).
    fake = await startFakeBackend({ discardBodiesOver: MB });
    child = await serveWithConfig("docket-large-", {
      worker: { maintenanceMs: 100, pollMs: 200 },
      routes: [
        {
          name: "fake",
          models: ["fake-*"],
          backend: { type: "openai", baseUrl: fake.url },
          concurrency: 4,
          timeoutMs: 120_000,
        },
      ],
    });
  });

  afterAll(async () => {
    await child?.close();
    await fake?.close();
  });

  it("is accepted, run and read back with the server's RSS bounded", async () => {
    // idle: started and warmed by one request through the API
    expect((await request(`${child.url}/health`)).statusCode).toBe(200);
    const idle = memoryOf(child.proc.pid!).rss;

    const { stream, bytes } = hugeChatRequest(PAYLOAD_MB);
    const res = await request(`${child.url}/v1/async/invocations`, {
      method: "POST",
      body: stream,
      headers: {
        "content-type": "application/json",
        "content-length": String(bytes),
        "x-docket-model": "fake-large",
      },
    });
    const created = (await res.body.json()) as { id: string; status: string; output_location: string };
    expect(res.statusCode).toBe(202);

    const done = await eventually(
      async () => {
        const v = (await (await request(`${child.url}/v1/async/invocations/${created.id}`)).body.json()) as {
          status: string;
          input_bytes: number;
        };
        return ["succeeded", "failed"].includes(v.status) ? v : null;
      },
      120_000,
      "the invocation to end",
    );
    expect(done).toMatchObject({ status: "succeeded", input_bytes: bytes });
    const output = await request(created.output_location);
    expect(output.statusCode).toBe(200);
    expect(await output.body.json()).toMatchObject({ object: "chat.completion", model: "fake-large" });
    // the backend received the whole payload, streamed
    expect(fake.stats().discarded).toEqual({ bodies: 1, chars: bytes });

    const { peak } = memoryOf(child.proc.pid!);
    expect((peak - idle) / MB).toBeLessThan(RSS_BUDGET_MB);
  }, 180_000);

  it("works from the CLI: docket invoke FILE --model M --wait", async () => {
    const input = join(child.dir, "request.json");
    writeFileSync(
      input,
      JSON.stringify({ model: "fake-small", messages: [{ role: "user", content: "hi" }] }),
    );
    const out = join(child.dir, "answer.json");
    const ok = await spawnDocket(
      ["invoke", input, "--model", "fake-small", "--wait", "--out", out, "--url", child.url],
      { waitForUrl: false },
    );
    expect(await ok.exited).toBe(0);
    expect(ok.output()).toMatch(/^inv_\w+ queued, \d+ bytes$/m);
    expect(JSON.parse(readFileSync(out, "utf8"))).toMatchObject({
      object: "chat.completion",
      model: "fake-small",
    });

    fake.setOptions({ rateHang: 1 });
    try {
      const failed = await spawnDocket(
        ["invoke", input, "--model", "fake-small", "--timeout", "1", "--wait", "--url", child.url],
        { waitForUrl: false },
      );
      expect(await failed.exited).toBe(3);
      expect(failed.output()).toMatch(/failed: invocation_timeout/);
    } finally {
      fake.setOptions({ rateHang: 0 });
    }
  }, 60_000);
});
