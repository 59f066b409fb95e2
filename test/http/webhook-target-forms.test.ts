import { APIError, toFile } from "openai";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chatBatchLines } from "../support/batch-files.js";
import { startTestDocket, type TestDocket } from "../support/test-docket.js";

/** Loopback spellings a URL parser folds to 127.0.0.1 or ::1, and the IPv4-embedded IPv6 forms. */
const FORBIDDEN_HOSTS = [
  "127.0.0.1",
  "127.1",
  "2130706433",
  "0x7f000001",
  "0177.0.0.1",
  "127.255.255.254",
  "localhost",
  "[::1]",
  "[0:0:0:0:0:0:0:1]",
  "[::127.0.0.1]",
  "[::7f00:1]",
  "[::ffff:127.0.0.1]",
  "[::ffff:7f00:1]",
  "[::ffff:0:7f00:1]",
  "[::ffff:0:127.0.0.1]",
  "[64:ff9b::127.0.0.1]",
  "[64:ff9b::a9fe:a9fe]",
  "[64:ff9b:1::7f00:1]",
  "[2002:7f00:1::1]",
  "[2002:a00:1::1]",
  "[2002:c0a8:101::1]",
  "[2001:0:4136:e378:8000:63bf:80ff:fffe]",
  "[2001:0:a00:1:8000:63bf:3fff:fdd2]",
  "[fe80::1]",
  "[fd00::1]",
  "[ff02::1]",
  "[::]",
  "0.0.0.0",
  "169.254.169.254",
  "10.0.0.1",
];

/**
 * The webhook guard through the API: creating a batch (openai SDK) or an invocation with a
 * webhook URL whose host is, or hides, a refused address answers 400 webhook_target_forbidden.
 */
describe("webhook targets refused through the API", () => {
  let t: TestDocket;
  let fileId: string;

  beforeAll(async () => {
    t = await startTestDocket();
    const lines = chatBatchLines(1);
    fileId = (
      await t.openai.files.create({
        file: await toFile(Buffer.from(lines.join("\n")), "in.jsonl"),
        purpose: "batch",
      })
    ).id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it("refuses every loopback and IPv4-embedded IPv6 form for batches and invocations", async () => {
    const refused: string[] = [];
    for (const host of FORBIDDEN_HOSTS) {
      const webhook_url = `http://${host}:9/hook`;
      const err = await t.openai.batches
        .create({
          input_file_id: fileId,
          endpoint: "/v1/chat/completions",
          completion_window: "24h",
          webhook_url,
        } as never)
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(err, webhook_url).toBeInstanceOf(APIError);
      expect((err as APIError).status, webhook_url).toBe(400);
      expect((err as APIError).code, webhook_url).toBe("webhook_target_forbidden");

      const inv = await request(`${t.docket.url}/v1/async/invocations?model=fake-1`, {
        method: "POST",
        body: JSON.stringify({ model: "fake-1", messages: [{ role: "user", content: "hi" }] }),
        headers: { "content-type": "application/json", "x-docket-webhook-url": webhook_url },
      });
      const body = (await inv.body.json()) as { error?: { code?: string } };
      expect(inv.statusCode, webhook_url).toBe(400);
      expect(body.error?.code, webhook_url).toBe("webhook_target_forbidden");
      refused.push(host);
    }
    expect(refused).toHaveLength(FORBIDDEN_HOSTS.length);
    // Nothing was created.
    expect((await t.openai.batches.list()).data).toHaveLength(0);
  });

  it("still accepts a public IPv6 target and a 6to4 address of a public IPv4 address", async () => {
    for (const host of ["[2606:4700::1111]", "[2002:808:808::1]"]) {
      const batch = await t.openai.batches.create({
        input_file_id: fileId,
        endpoint: "/v1/chat/completions",
        completion_window: "24h",
        webhook_url: `http://${host}/hook`,
      } as never);
      expect(batch.id).toMatch(/^batch_/);
      await t.openai.batches.cancel(batch.id);
    }
  });
});
