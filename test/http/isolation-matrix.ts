import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeBedrock, startFakeBedrock } from "../../src/backends/fake-bedrock/fake-bedrock-server.js";
import type { DocketConfig } from "../../src/config/config.js";
import { type ApiKeyRole, generateApiKey } from "../../src/domain/api-key.js";
import { apiPaths } from "../../src/http/api.js";
import { startTestDocket, type TestDocket } from "../support/test-docket.js";

/**
 * Issue 15, the isolation matrix: projects A and B each with member keys; A makes one of every
 * kind of work (a file, an OpenAI batch, a Message Batch, a Bedrock-format batch, an invocation).
 * Then, for every route of the real path table that takes an id, B's key gets exactly the answer
 * of an unknown id; no list shows B anything of A's; A's reader key reads what A's member reads
 * and may change nothing; an admin key sees both projects and filters with `?project=`.
 * Written once, run on each engine.
 */
const CLAUDE = "anthropic.claude-3-haiku-20240307-v1:0";

/** Where each id-taking route's `:id` comes from; a route missing here fails the matrix (add it). */
type Kind = "file" | "batch" | "messageBatch" | "invocation" | "job" | "key";
const ROUTE_KINDS: ReadonlyArray<[prefix: string, kind: Kind]> = [
  ["/v1/files/:id", "file"],
  ["/v1/batches/:id", "batch"],
  ["/v1/messages/batches/:id", "messageBatch"],
  ["/v1/async/invocations/:id", "invocation"],
  ["/v1/dashboard/jobs/:id", "job"],
  ["/v1/admin/keys/:id", "key"],
];
/** Routes that take a job id in the query rather than the path. */
const QUERY_ID_ROUTES = ["/v1/events?job=", "/v1/dashboard/webhooks?job="];

interface Answer {
  status: number;
  text: string;
  stream: boolean;
}

export function describeIsolationMatrix(engine: string, tune: (c: DocketConfig) => void = () => {}): void {
  describe(`project isolation matrix: ${engine}`, () => {
    let t: TestDocket;
    let bedrock: FakeBedrock;
    const keys = {} as Record<"memberA" | "readerA" | "memberB" | "admin", { id: string; key: string }>;
    const a = {} as Record<Kind, string[]>;
    const b = { files: [] as string[], jobs: [] as string[] };

    const call = async (method: string, path: string, key: string, body?: string): Promise<Answer> => {
      const ctrl = new AbortController();
      const res = await fetch(`${t.docket.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body,
        signal: ctrl.signal,
      });
      if (!(res.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
        return { status: res.status, text: await res.text(), stream: false };
      }
      // An event stream never ends: read until its first data event (or 3 s), then hang up.
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let text = "";
      const deadline = Date.now() + 3000;
      while (!/\ndata: .*\n\n/.test(text) && Date.now() < deadline) {
        const chunk = await Promise.race([
          reader.read(),
          new Promise<{ done: true; value: undefined }>((r) =>
            setTimeout(() => r({ done: true, value: undefined }), Math.max(1, deadline - Date.now())),
          ),
        ]);
        if (chunk.done) break;
        text += decoder.decode(chunk.value, { stream: true });
      }
      ctrl.abort();
      return { status: res.status, text, stream: true };
    };

    /** The answer with `id` written as <ID>: an unknown id's answer must equal another project's. */
    const shape = (answer: Answer, id: string): Answer => ({
      ...answer,
      text: answer.text.split(id).join("<ID>"),
    });
    const unknownLike = (id: string) => `${id.slice(0, -6)}Zq9Zq9`;

    async function makeKey(projectId: string, role: ApiKeyRole) {
      const { id, key, hash } = generateApiKey();
      await t.docket.store.createApiKey({
        id,
        projectId,
        role,
        label: null,
        hash,
        createdAt: Date.now(),
        revokedAt: null,
      });
      return { id, key };
    }

    async function upload(key: string, name: string, text: string): Promise<string> {
      const client = new OpenAI({ baseURL: `${t.docket.url}/v1`, apiKey: key, maxRetries: 0 });
      return (await client.files.create({ file: new File([text], name), purpose: "batch" })).id;
    }

    const chatLine = (i: number) =>
      JSON.stringify({
        custom_id: `r${i}`,
        method: "POST",
        url: "/v1/chat/completions",
        body: { model: "fake-1", messages: [{ role: "user", content: `hi ${i}` }] },
      });

    async function openAiBatch(key: string, fileId: string): Promise<string> {
      const res = await call(
        "POST",
        "/v1/batches",
        key,
        JSON.stringify({ input_file_id: fileId, endpoint: "/v1/chat/completions", completion_window: "24h" }),
      );
      expect(res.status, res.text).toBe(200);
      return JSON.parse(res.text).id;
    }

    async function waitEnded(jobId: string): Promise<Record<string, unknown>> {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const job = JSON.parse((await call("GET", `/v1/dashboard/jobs/${jobId}`, keys.admin.key)).text);
        if (["completed", "failed", "expired", "cancelled"].includes(job.status)) return job;
        if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job.status}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }

    beforeAll(async () => {
      bedrock = await startFakeBedrock({ latencyMs: 0 });
      t = await startTestDocket({
        tune: (c) => {
          c.routes.unshift({
            name: "bedrock",
            models: ["anthropic.*"],
            backend: {
              type: "bedrock",
              region: "us-east-1",
              endpoint: bedrock.url,
              accessKeyId: "AKIDEXAMPLE",
              secretAccessKey: "secret",
            },
            concurrency: 8,
            timeoutMs: 10_000,
            maxAttempts: 3,
          });
          tune(c);
        },
      });
      keys.memberA = await makeKey("proj-a", "member");
      keys.readerA = await makeKey("proj-a", "reader");
      keys.memberB = await makeKey("proj-b", "member");
      keys.admin = await makeKey("ops", "admin");
      const A = keys.memberA.key;

      const fileA = await upload(A, "a.jsonl", `${chatLine(1)}\n${chatLine(2)}\n`);
      const batchA = await openAiBatch(A, fileA);
      const msg = await call(
        "POST",
        "/v1/messages/batches",
        A,
        JSON.stringify({
          requests: [
            {
              custom_id: "m1",
              params: { model: "fake-1", max_tokens: 8, messages: [{ role: "user", content: "hi" }] },
            },
          ],
        }),
      );
      expect(msg.status, msg.text).toBe(200);
      const msgBatchA = JSON.parse(msg.text).id as string;
      const bedrockFile = await upload(
        A,
        "bedrock.jsonl",
        `${JSON.stringify({
          recordId: "CALL0000001",
          modelInput: {
            anthropic_version: "bedrock-2023-05-31",
            max_tokens: 8,
            messages: [{ role: "user", content: "hi" }],
          },
        })}\n`,
      );
      const bed = await call(
        "POST",
        "/v1/batches",
        A,
        JSON.stringify({
          input_file_id: bedrockFile,
          input_format: "bedrock",
          model: CLAUDE,
          completion_window: "24h",
        }),
      );
      expect(bed.status, bed.text).toBe(200);
      const bedrockBatchA = JSON.parse(bed.text).id as string;
      const inv = await call(
        "POST",
        "/v1/async/invocations?model=fake-1&inference_id=shared-call",
        A,
        JSON.stringify({ model: "fake-1", messages: [{ role: "user", content: "hi" }] }),
      );
      expect(inv.status, inv.text).toBe(202);
      const invA = JSON.parse(inv.text).id as string;

      const ended = await Promise.all([batchA, msgBatchA, bedrockBatchA, invA].map(waitEnded));
      const outputs = ended.flatMap((j) => [j.output_file_id, j.error_file_id]).filter(Boolean) as string[];
      const msgInput = (await waitEnded(msgBatchA)).input_file_id as string;
      a.file = [fileA, bedrockFile, msgInput, ...outputs];
      a.batch = [batchA, bedrockBatchA];
      a.messageBatch = [msgBatchA];
      a.invocation = [invA];
      a.job = [batchA, msgBatchA, bedrockBatchA, invA];
      a.key = [keys.memberA.id, keys.readerA.id];

      // B's own work, so that A's lists can be checked too; B reuses A's inference id.
      const fileB = await upload(keys.memberB.key, "b.jsonl", `${chatLine(1)}\n`);
      const batchB = await openAiBatch(keys.memberB.key, fileB);
      const invB = await call(
        "POST",
        "/v1/async/invocations?model=fake-1&inference_id=shared-call",
        keys.memberB.key,
        JSON.stringify({ model: "fake-1", messages: [{ role: "user", content: "hello" }] }),
      );
      expect(invB.status, "another project's inference id is a new invocation").toBe(202);
      b.files.push(fileB);
      b.jobs.push(batchB, JSON.parse(invB.text).id);
      expect(b.jobs[1]).not.toBe(invA);
    }, 90_000);

    afterAll(async () => {
      await t?.close();
      await bedrock?.close();
    });

    const routes = () => apiPaths().routes();
    const idRoutes = () => routes().filter((r) => r.pattern.includes("/:"));
    const kindOf = (pattern: string): Kind => {
      const found = ROUTE_KINDS.find(([prefix]) => pattern === prefix || pattern.startsWith(`${prefix}/`));
      if (!found)
        throw new Error(`${pattern} takes an id: add its kind to ROUTE_KINDS in the isolation matrix`);
      return found[1];
    };
    const aIds = () => Object.values(a).flat();

    it("answers B's key for every id of A on every id route exactly as for an unknown id", async () => {
      expect(idRoutes().length).toBeGreaterThan(15);
      for (const { method, pattern } of idRoutes()) {
        for (const id of a[kindOf(pattern)]) {
          const path = pattern.replace(/:[a-z_]+/i, encodeURIComponent(id));
          const unknown = unknownLike(id);
          const unknownPath = pattern.replace(/:[a-z_]+/i, encodeURIComponent(unknown));
          const body = method === "GET" || method === "DELETE" ? undefined : "{}";
          const theirs = await call(method, path, keys.memberB.key, body);
          const none = await call(method, unknownPath, keys.memberB.key, body);
          const where = `${method} ${path}`;
          expect(theirs.status, where).toBeGreaterThanOrEqual(400);
          expect(shape(theirs, id), where).toEqual(shape(none, unknown));
        }
      }
      for (const route of QUERY_ID_ROUTES) {
        for (const id of a.job) {
          const theirs = await call("GET", `${route}${id}`, keys.memberB.key);
          const none = await call("GET", `${route}${unknownLike(id)}`, keys.memberB.key);
          expect(theirs.status, route).toBe(404);
          expect(shape(theirs, id), route).toEqual(shape(none, unknownLike(id)));
        }
      }
      // The inference id both projects used finds each its own invocation.
      const byInference = async (key: string) =>
        JSON.parse((await call("GET", "/v1/async/invocations/shared-call", key)).text).id;
      expect(await byInference(keys.memberA.key)).toBe(a.invocation[0]);
      expect(await byInference(keys.memberB.key)).toBe(b.jobs[1]);
      // Nothing B tried changed A's work: A still reads every one of its ids.
      for (const id of a.file)
        expect((await call("GET", `/v1/files/${id}`, keys.memberA.key)).status).toBe(200);
      for (const id of a.job) expect((await waitEnded(id)).status).toBe("completed");
    }, 120_000);

    it("refuses B's use of A's files as an input exactly as an unknown file", async () => {
      for (const id of a.file) {
        const batch = (fileId: string) =>
          call(
            "POST",
            "/v1/batches",
            keys.memberB.key,
            JSON.stringify({
              input_file_id: fileId,
              endpoint: "/v1/chat/completions",
              completion_window: "24h",
            }),
          );
        const inv = (fileId: string) =>
          call("POST", `/v1/async/invocations?model=fake-1&input_location=${fileId}`, keys.memberB.key, "{}");
        for (const attempt of [batch, inv]) {
          const theirs = await attempt(id);
          expect(theirs.status).toBe(404);
          expect(shape(theirs, id)).toEqual(shape(await attempt(unknownLike(id)), unknownLike(id)));
        }
      }
    });

    it("shows no project another's ids on any list, stream or page without an id", async () => {
      const plain = routes().filter((r) => r.method === "GET" && !r.pattern.includes("/:"));
      expect(plain.map((r) => r.pattern)).toContain("/v1/dashboard/jobs");
      for (const { pattern } of plain) {
        const seenByB = await call("GET", pattern, keys.memberB.key);
        for (const id of aIds()) expect(seenByB.text, `${pattern} shows B ${id}`).not.toContain(id);
        const seenByA = await call("GET", pattern, keys.memberA.key);
        for (const id of [...b.files, ...b.jobs])
          expect(seenByA.text, `${pattern} shows A ${id}`).not.toContain(id);
      }
      // A member may not widen its lists to another project.
      const widened = await call("GET", "/v1/batches?project=proj-a", keys.memberB.key);
      expect(widened.status).toBe(403);
      expect(JSON.parse(widened.text).error.code).toBe("permission_denied");
      expect((await call("GET", "/metrics", keys.memberB.key)).status).toBe(403);
    });

    it("lets A's reader key read what A's member reads, and change nothing", async () => {
      for (const { method, pattern } of routes()) {
        const ids = pattern.includes("/:") ? a[kindOf(pattern)] : [null];
        for (const id of ids) {
          const path = id === null ? pattern : pattern.replace(/:[a-z_]+/i, encodeURIComponent(id));
          if (method === "GET") {
            const reader = await call("GET", path, keys.readerA.key);
            const member = await call("GET", path, keys.memberA.key);
            expect(reader.status, path).toBe(member.status);
            // Refusals name the key and its role; a dashboard job page has `now` in its figures.
            if (!reader.stream && reader.status === 200 && !path.startsWith("/v1/dashboard/jobs"))
              expect(reader.text, path).toBe(member.text);
          } else {
            const res = await call(method, path, keys.readerA.key, "{}");
            expect(res.status, `${method} ${path}`).toBe(403);
            // OpenAI's shape names the code, Anthropic's the type (its paths answer in its shape).
            const error = JSON.parse(res.text).error;
            expect(error.code === "permission_denied" || error.type === "permission_error", path).toBe(true);
          }
        }
      }
    }, 60_000);

    it("lets an admin key see both projects and filter by ?project=", async () => {
      const lists = [
        "/v1/files",
        "/v1/batches",
        "/v1/messages/batches",
        "/v1/async/invocations",
        "/v1/dashboard/jobs",
      ];
      const ownA = (text: string) => aIds().filter((id) => text.includes(id));
      const ownB = (text: string) => [...b.files, ...b.jobs].filter((id) => text.includes(id));
      let seenA = 0;
      let seenB = 0;
      for (const list of lists) {
        const all = await call("GET", list, keys.admin.key);
        expect(all.status, list).toBe(200);
        seenA += ownA(all.text).length;
        seenB += ownB(all.text).length;
        const onlyA = await call("GET", `${list}?project=proj-a`, keys.admin.key);
        expect(ownB(onlyA.text), list).toEqual([]);
        expect(ownA(onlyA.text).length, list).toBe(ownA(all.text).length);
        const onlyB = await call("GET", `${list}?project=proj-b`, keys.admin.key);
        expect(ownA(onlyB.text), list).toEqual([]);
      }
      expect(seenA).toBeGreaterThan(8);
      expect(seenB).toBeGreaterThanOrEqual(b.files.length + b.jobs.length);
      for (const { method, pattern } of idRoutes()) {
        if (method !== "GET" || kindOf(pattern) === "key") continue;
        for (const id of a[kindOf(pattern)]) {
          const path = pattern.replace(/:[a-z_]+/i, encodeURIComponent(id));
          const admin = await call("GET", path, keys.admin.key);
          expect(admin.status, path).toBe((await call("GET", path, keys.memberA.key)).status);
        }
      }
      expect((await call("GET", "/metrics", keys.admin.key)).status).toBe(200);
    }, 60_000);
  });
}
