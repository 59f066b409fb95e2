import { spawn } from "node:child_process";
import { mkdtempSync, openAsBlob, readdirSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { FormData, request } from "undici";
import { afterAll, describe, expect, it } from "vitest";
import { type FakeBackend, startFakeBackend } from "../../src/backends/fake/fake-backend-server.js";
import { hashApiKey } from "../../src/domain/api-key.js";
import { httpAgent } from "../../src/http-client/http-agent.js";
import { chatBatchLines, writeLines } from "../support/batch-files.js";
import { type ChildDocket, spawnDocket } from "../support/child-docket.js";
import { eventually, startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver.js";

/** Characters of a secret that, found in a row anywhere, count as a leak. */
const WINDOW = 8;
const SHARED_KEY = "sk-shared-3f9c1d7e5b2a4c68a0d1e2f3";

/**
 * Key material never reaches logs, errors, metrics or webhooks (issue 15, docs/security.md).
 * A realistic session with keys against real child processes (`docket serve`, the CLI): keys made
 * on the store and over the API, a batch with a webhook, a CLI client, wrong, mangled and revoked
 * keys on both auth headers and both API dialects, a metrics scrape and a 500. Every byte the
 * processes print, every response body and header, every webhook and the metrics text are
 * collected, then searched for each key, each key's secret half and each key's hash. The only
 * places a key may appear are the two that exist to hand it over once: `keys create`'s stdout
 * and the creation response of `POST /v1/admin/keys`.
 */
describe("no key material in logs, errors, metrics or webhooks", () => {
  const dir = mkdtempSync(join(tmpdir(), "docket-nokeys-"));
  let fake: FakeBackend | undefined;
  let receiver: WebhookReceiver | undefined;
  let serve: ChildDocket | undefined;
  afterAll(async () => {
    if (serve && serve.proc.exitCode === null) serve.proc.kill("SIGKILL");
    await fake?.close();
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a whole session leaves no key, secret or hash anywhere it wrote", async () => {
    /** Everything that must be free of key material. */
    const corpus: string[] = [];
    const keys: string[] = [SHARED_KEY];
    const dataDir = join(dir, "data");

    // 1. Bootstrap: the first admin key, on the store. Its stdout is the key and nothing else.
    const boot = await cli(["keys", "create", "--project", "ops", "--role", "admin", "-d", dataDir]);
    expect(boot.code).toBe(0);
    const admin = boot.stdout.trim();
    expect(admin).toMatch(/^dk_[A-Za-z0-9]{16}\.[A-Za-z0-9]{32}$/);
    keys.push(admin);
    corpus.push(boot.output.replace(admin, ""));

    // 2. `docket serve` with a route, signed webhooks and a shared key from the environment.
    // Some 429s and 500s: retries and their reasons are what a worker logs.
    fake = await startFakeBackend({ rate429: 0.2, rate500: 0.2, retryAfterSeconds: 0 });
    receiver = await startWebhookReceiver();
    const configPath = join(dir, "docket.config.json");
    writeFileSync(
      configPath,
      JSON.stringify({
        server: { apiKey: "env:DOCKET_TEST_SHARED_KEY" },
        worker: { pollMs: 100, maintenanceMs: 100 },
        routes: [{ name: "fake", models: ["*"], backend: { type: "openai", baseUrl: fake.url } }],
        webhooks: { secret: "whsec-not-a-key", allowPrivateTargets: ["127.0.0.1"], pollMs: 50 },
      }),
    );
    serve = await spawnDocket(["serve", "--port", "0", "-d", dataDir, "--config", configPath], {
      env: { DOCKET_TEST_SHARED_KEY: SHARED_KEY },
    });
    const url = serve.url;

    const http = async (
      method: "GET" | "POST",
      path: string,
      o: { key?: string; header?: "authorization" | "x-api-key"; body?: unknown; keep?: boolean } = {},
    ) => {
      const headers: Record<string, string> = {};
      if (o.key !== undefined) {
        if (o.header === "x-api-key") headers["x-api-key"] = o.key;
        else headers.authorization = `Bearer ${o.key}`;
      }
      let body: string | FormData | undefined;
      if (o.body instanceof FormData) body = o.body;
      else if (o.body !== undefined) {
        body = JSON.stringify(o.body);
        headers["content-type"] = "application/json";
      }
      const res = await request(url + path, { method, headers, body, dispatcher: httpAgent });
      const text = await res.body.text();
      // `keep: false` only for the one response that exists to hand a new key over.
      if (o.keep !== false) corpus.push(JSON.stringify(res.headers), text);
      return { status: res.statusCode, text };
    };

    // 3. More keys: through the CLI over the API, and through the API directly.
    const viaCli = await cli(["keys", "create", "--project", "team-a", "--role", "member", "--url", url], {
      DOCKET_API_KEY: admin,
    });
    expect(viaCli.code).toBe(0);
    const member = viaCli.stdout.trim();
    keys.push(member);
    corpus.push(viaCli.output.replace(member, ""));
    const made = await http("POST", "/v1/admin/keys", {
      key: SHARED_KEY,
      body: { project: "team-b", role: "reader" },
      keep: false,
    });
    expect(made.status).toBe(200);
    const reader = (JSON.parse(made.text) as { key: string }).key;
    keys.push(reader);

    // 4. The member's work: a batch with a webhook, followed by the CLI client, and its output.
    const form = new FormData();
    form.set("purpose", "batch");
    form.set("file", await openAsBlob(writeLines(join(dir, "in.jsonl"), chatBatchLines(5))), "in.jsonl");
    const file = JSON.parse((await http("POST", "/v1/files", { key: member, body: form })).text) as {
      id: string;
    };
    const created = await http("POST", "/v1/batches", {
      key: member,
      body: {
        input_file_id: file.id,
        endpoint: "/v1/chat/completions",
        completion_window: "1h",
        webhook_url: receiver.url,
      },
    });
    expect(created.status).toBe(200);
    const batchId = (JSON.parse(created.text) as { id: string }).id;
    const waited = await cli(["status", batchId, "--wait", "--url", url, "--api-key", member]);
    expect(waited.code).toBe(0);
    corpus.push(waited.output);
    const listed = await cli(["list", "--url", url], { DOCKET_API_KEY: member });
    expect(listed.output).toContain(batchId);
    corpus.push(listed.output);
    const done = JSON.parse((await http("GET", `/v1/batches/${batchId}`, { key: member })).text) as {
      status: string;
      output_file_id: string;
    };
    expect(done.status).toBe("completed");
    expect((await http("GET", `/v1/files/${done.output_file_id}/content`, { key: member })).status).toBe(200);
    await eventually(
      () => receiver!.received.some((h) => h.body.includes("batch.completed")),
      20_000,
      "webhook",
    );
    for (const hook of receiver.received) corpus.push(JSON.stringify(hook.headers), hook.body);

    // 5. Wrong keys in every form: a known id with a wrong secret, a mangled key, garbage, on both
    // auth headers and both dialects; the CLI with a wrong key; roles refused.
    const adminId = admin.slice(0, admin.indexOf("."));
    const wrongSecret = `${adminId}.${"x".repeat(32)}`;
    const mangled = `${member.slice(0, -1)}${member.endsWith("a") ? "b" : "a"}`;
    for (const key of [wrongSecret, mangled, "garbage", SHARED_KEY.slice(0, -1)]) {
      for (const header of ["authorization", "x-api-key"] as const) {
        for (const path of ["/v1/batches", "/v1/messages/batches", "/v1/nothing"]) {
          expect((await http("GET", path, { key, header })).status).toBe(401);
        }
      }
    }
    const badCli = await cli(["list", "--url", url, "--api-key", mangled]);
    expect(badCli.code).toBe(1);
    corpus.push(badCli.output);
    expect((await http("POST", "/v1/batches", { key: reader, body: {} })).status).toBe(403);
    expect((await http("GET", "/v1/admin/keys", { key: member })).status).toBe(403);
    expect((await http("GET", "/v1/admin/keys", { key: admin })).status).toBe(200);

    // 6. A revoked key, refused (within the 500 ms cache) with a message naming only its id.
    const readerId = reader.slice(0, reader.indexOf("."));
    const revokedCli = await cli(["keys", "revoke", reader, "--url", url, "--api-key", admin]);
    expect(revokedCli.code).toBe(0);
    corpus.push(revokedCli.output);
    const refused = await eventually(async () => {
      const r = await http("GET", "/v1/batches", { key: reader });
      return r.status === 401 ? r : null;
    });
    expect(refused.text).toContain(readerId);

    // 7. Metrics, scraped with a key.
    const metrics = await http("GET", "/metrics", { key: admin });
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain("docket_");

    // 8. A 500: the output file's bytes vanish from disk under the server, then it is downloaded.
    const blobs = readdirSync(join(dataDir, "blobs"), { recursive: true, withFileTypes: true }).filter((e) =>
      e.isFile(),
    );
    for (const e of blobs) unlinkSync(join(e.parentPath, e.name));
    const broken = await http("GET", `/v1/files/${done.output_file_id}/content`, { key: member });
    expect(broken.status).toBe(404);
    // And the blob directory turned into a file: an upload fails in a way nobody planned for (500, logged).
    rmSync(join(dataDir, "blobs"), { recursive: true, force: true });
    writeFileSync(join(dataDir, "blobs"), "not a directory");
    const upload = new FormData();
    upload.set("purpose", "batch");
    upload.set("file", await openAsBlob(join(dir, "in.jsonl")), "in.jsonl");
    expect((await http("POST", "/v1/files", { key: member, body: upload })).status).toBe(500);

    // 9. A clean stop; every byte the server printed joins the corpus.
    serve.proc.kill("SIGTERM");
    expect(await serve.exited).toBe(0);
    corpus.push(serve.output());

    const text = corpus.join("\n");
    // The session really happened: the corpus holds the ids, the batch, the webhook, the errors.
    expect(text).toContain(adminId);
    expect(text).toContain(batchId);
    expect(text).toContain("invalid_api_key");
    expect(text).toContain("batch.completed");
    expect(serve.output()).toContain("unexpected error");
    for (const key of keys) {
      const secret = key.includes(".") ? key.slice(key.indexOf(".") + 1) : key;
      expect(text.includes(hashApiKey(key)), `hash of ${key.slice(0, 8)}… found`).toBe(false);
      // Any 8 characters in a row of a secret (~48 bits of a random one): a partial leak is a leak.
      for (let at = 0; at + WINDOW <= secret.length; at++) {
        const piece = secret.slice(at, at + WINDOW);
        expect(
          text.includes(piece),
          `characters ${at}-${at + WINDOW} of ${key.slice(0, 8)}…'s secret found`,
        ).toBe(false);
      }
    }
    // Nor the wrong keys people sent: a mistyped key is still someone's secret.
    expect(text).not.toContain(wrongSecret.slice(wrongSecret.indexOf(".") + 1 + 8));
    expect(text).not.toContain(mangled);
  }, 120_000);
});

const BIN = resolve(import.meta.dirname, "../../bin/docket.js");

/** Runs the built CLI to its end, keeping stdout apart (where `keys create` prints the key). */
function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; output: string }> {
  return new Promise((done, fail) => {
    const proc = spawn(process.execPath, [BIN, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env },
    });
    let stdout = "";
    let output = "";
    proc.stdout.on("data", (d) => {
      stdout += d;
      output += d;
    });
    proc.stderr.on("data", (d) => {
      output += d;
    });
    const timer = setTimeout(() => proc.kill("SIGKILL"), 60_000);
    proc.on("error", fail);
    proc.on("close", (code) => {
      clearTimeout(timer);
      done({ code, stdout, output });
    });
  });
}
