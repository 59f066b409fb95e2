import { request } from "undici";
import { expect, it } from "vitest";
import { httpAgent } from "../../src/http-client/http-agent.js";
import { describePostgres, dropSchema, freshSchemaName } from "../store/pg-test-db.js";
import { type ChildDocket, spawnDocket } from "../support/child-docket.js";

async function status(
  url: string,
  path: string,
  key: string,
  method: "GET" | "POST" = "GET",
  body?: unknown,
) {
  const res = await request(url + path, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    dispatcher: httpAgent,
  });
  return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
}

/**
 * Revocation reaches every API process within 1 s (docs/security.md): each process trusts a key
 * it looked up for 500 ms at most. Two `docket api` processes on one PostgreSQL schema, a key
 * in use (so cached) on both, revoked through one: both must refuse it within 1 s of the revoke.
 */
describePostgres("key revocation across two API processes on PostgreSQL", (url) => {
  it("both processes refuse a revoked key within 1 s", async () => {
    const schema = freshSchemaName();
    const db = ["--database-url", url, "--database-schema", schema, "--pool-size", "2"];
    const children: ChildDocket[] = [];
    try {
      // Bootstrap on the store, as an operator would before any server runs.
      const boot = await spawnDocket(["keys", "create", "--project", "ops", "--role", "admin", ...db], {
        waitForUrl: false,
      });
      expect(await boot.exited).toBe(0);
      const admin = /^dk_\S+\.\S+$/m.exec(boot.output())![0];

      const a = await spawnDocket(["api", "--port", "0", ...db]);
      children.push(a);
      const b = await spawnDocket(["api", "--port", "0", ...db]);
      children.push(b);

      const created = await status(a.url, "/v1/admin/keys", admin, "POST", {
        project: "team-a",
        role: "member",
      });
      expect(created.status).toBe(200);
      const key = created.json.key as string;
      const id = created.json.id as string;

      // In use on both (each now holds it in its cache), right up to the revoke.
      for (const api of [a, b]) expect((await status(api.url, "/v1/batches", key)).status).toBe(200);

      const revokeStarted = performance.now();
      const revoked = await status(b.url, `/v1/admin/keys/${id}/revoke`, admin, "POST");
      expect(revoked.status).toBe(200);
      const refusedAfter = await Promise.all(
        [a, b].map(async (api) => {
          for (;;) {
            const r = await status(api.url, "/v1/batches", key);
            const elapsed = performance.now() - revokeStarted;
            if (r.status === 401) {
              expect((r.json.error as { code: string }).code).toBe("invalid_api_key");
              return elapsed;
            }
            expect(r.status).toBe(200);
            if (elapsed > 5000) throw new Error(`${api.url} still accepts the revoked key after 5 s`);
            await new Promise((r) => setTimeout(r, 5));
          }
        }),
      );
      console.log(
        `revoked key refused by API A after ${refusedAfter[0]!.toFixed(0)} ms and by API B (where it was revoked) after ${refusedAfter[1]!.toFixed(0)} ms`,
      );
      for (const ms of refusedAfter) expect(ms).toBeLessThan(1000);
      // The admin key itself is untouched.
      for (const api of [a, b]) expect((await status(api.url, "/v1/batches", admin)).status).toBe(200);
    } finally {
      for (const c of children) c.proc.kill("SIGTERM");
      await Promise.all(children.map((c) => c.exited));
      await dropSchema(url, schema);
    }
  }, 90_000);
});
