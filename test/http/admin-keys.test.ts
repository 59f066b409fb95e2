import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { registerKeysCommands } from "../../src/cli/commands/keys.js";
import { type ApiKeyRole, generateApiKey, hashApiKey } from "../../src/domain/api-key.js";
import { httpAgent } from "../../src/http-client/http-agent.js";
import type { Store } from "../../src/store/store.js";
import { runCliInProcess } from "../support/in-process-cli.js";
import { eventually } from "../support/webhook-receiver.js";
import { startTestApi, type TestApi } from "./helpers.js";

interface Answer {
  status: number;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field.
  json: any;
}

async function call(
  api: TestApi,
  method: string,
  path: string,
  key?: string,
  body?: unknown,
): Promise<Answer> {
  const res = await request(api.url + path, {
    method: method as "GET",
    headers: {
      ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    dispatcher: httpAgent,
  });
  const text = await res.body.text();
  return { status: res.statusCode, text, json: text ? JSON.parse(text) : null };
}

/** A key straight in the store, as `docket keys create` without --url makes the first one. */
async function storedKey(store: Store, projectId: string, role: ApiKeyRole): Promise<string> {
  const { id, key, hash } = generateApiKey();
  await store.createApiKey({
    id,
    projectId,
    role,
    label: null,
    hash,
    createdAt: Date.now(),
    revokedAt: null,
  });
  return key;
}

const secretOf = (key: string) => key.slice(key.indexOf(".") + 1);

describe("admin keys API (/v1/admin/keys, /v1/admin/projects)", () => {
  let api: TestApi | undefined;
  afterEach(async () => {
    await api?.stop();
    api = undefined;
  });

  it("creates a key shown once, lists it without key or hash, and revokes it for good", async () => {
    api = await startTestApi();
    const admin = await storedKey(api.store, "ops", "admin");

    const created = await call(api, "POST", "/v1/admin/keys", admin, {
      project: "team-a",
      role: "member",
      label: "ci",
    });
    expect(created.status).toBe(200);
    const { key, id } = created.json;
    expect(created.json).toMatchObject({ object: "api_key", project: "team-a", role: "member", label: "ci" });
    expect(key.startsWith(`${id}.`)).toBe(true);
    expect(created.json.revoked_at).toBeNull();
    // The store holds the hash, never the key.
    expect((await api.store.findApiKey(id))!.hash).toBe(hashApiKey(key));
    // The new key works at once.
    expect((await call(api, "GET", "/v1/files", key)).status).toBe(200);

    const listed = await call(api, "GET", "/v1/admin/keys", admin);
    expect(listed.status).toBe(200);
    expect(listed.json.data.map((k: { id: string }) => k.id)).toContain(id);
    for (const k of listed.json.data)
      expect(Object.keys(k).sort()).toEqual([
        "created_at",
        "id",
        "label",
        "object",
        "project",
        "revoked_at",
        "role",
      ]);
    expect(listed.text).not.toContain(secretOf(key));
    expect(listed.text).not.toContain(hashApiKey(key));
    expect(listed.text).not.toContain(secretOf(admin));

    const revoked = await call(api, "POST", `/v1/admin/keys/${id}/revoke`, admin);
    expect(revoked.status).toBe(200);
    expect(revoked.json).toMatchObject({ id, project: "team-a" });
    expect(typeof revoked.json.revoked_at).toBe("number");
    expect(revoked.text).not.toContain(secretOf(key));
    // The server's own cache may still hold the key for up to 500 ms; then it is refused.
    const refusedAfter = Date.now();
    const refusal = await eventually(async () => {
      const r = await call(api!, "GET", "/v1/files", key);
      return r.status === 401 ? r : null;
    });
    expect(Date.now() - refusedAfter).toBeLessThan(1000);
    expect(refusal.json.error.code).toBe("invalid_api_key");
    expect(refusal.text).not.toContain(secretOf(key));

    const again = await call(api, "POST", `/v1/admin/keys/${id}/revoke`, admin);
    expect(again.status).toBe(409);
    expect(again.json.error).toMatchObject({ code: "already_revoked", param: "id" });
    const unknown = await call(api, "POST", "/v1/admin/keys/dk_nothing/revoke", admin);
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.message).toContain("dk_nothing");
  });

  it("refuses bad fields naming each one", async () => {
    api = await startTestApi();
    const admin = await storedKey(api.store, "ops", "admin");
    const cases: Array<[unknown, string, RegExp]> = [
      [{ role: "member" }, "project", /'project' is required/],
      [{ project: "a/b", role: "member" }, "project", /1-64 letters/],
      [{ project: 7, role: "member" }, "project", /'project' is required/],
      [{ project: "a" }, "role", /'role' is required/],
      [{ project: "a", role: "root" }, "role", /use admin, member, reader/],
      [{ project: "a", role: "member", label: 5 }, "label", /'label' must be a string/],
      [{ project: "a", role: "member", label: "x".repeat(201) }, "label", /at most 200/],
    ];
    for (const [body, param, message] of cases) {
      const r = await call(api, "POST", "/v1/admin/keys", admin, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error.param).toBe(param);
      expect(r.json.error.message).toMatch(message);
    }
    expect((await call(api, "POST", "/v1/admin/keys", admin, "[1]")).status).toBe(400);
    expect((await call(api, "POST", "/v1/admin/keys", admin, "{nope")).status).toBe(400);
    const badFilter = await call(api, "GET", "/v1/admin/keys?project=a%2Fb", admin);
    expect(badFilter.status).toBe(400);
    expect(badFilter.json.error.param).toBe("project");
    const badAfter = await call(api, "GET", "/v1/admin/keys?after=dk_gone", admin);
    expect(badAfter.json.error.param).toBe("after");
    // Nothing was created by any refused call: only the bootstrap key exists.
    expect(await api.store.listApiKeys({})).toHaveLength(1);
  });

  it("lets only admins manage keys: members and readers get 403 naming their role", async () => {
    api = await startTestApi();
    await storedKey(api.store, "ops", "admin");
    const member = await storedKey(api.store, "team-a", "member");
    const reader = await storedKey(api.store, "team-a", "reader");
    for (const [key, role] of [
      [member, "member"],
      [reader, "reader"],
    ] as const) {
      for (const [method, path, body] of [
        ["POST", "/v1/admin/keys", { project: "team-a", role: "admin" }],
        ["GET", "/v1/admin/keys", undefined],
        ["GET", "/v1/admin/keys?project=team-a", undefined],
        ["POST", `/v1/admin/keys/${member.split(".")[0]}/revoke`, undefined],
        ["GET", "/v1/admin/projects", undefined],
      ] as const) {
        const r = await call(api, method, path, key, body);
        expect(r.status, `${role} ${method} ${path}`).toBe(403);
        expect(r.json.error.code).toBe("permission_denied");
        expect(r.json.error.message).toContain(`${role} role`);
      }
    }
    // Still exactly the three keys, none revoked.
    const keys = await api.store.listApiKeys({});
    expect(keys.map((k) => k.revokedAt)).toEqual([null, null, null]);
  });

  it("filters and pages the key list, and lists projects", async () => {
    api = await startTestApi();
    const admin = await storedKey(api.store, "ops", "admin");
    const ids: string[] = [];
    for (const project of ["team-a", "team-b", "team-a"]) {
      ids.push((await call(api, "POST", "/v1/admin/keys", admin, { project, role: "reader" })).json.id);
    }
    const a = await call(api, "GET", "/v1/admin/keys?project=team-a", admin);
    expect(a.json.data.map((k: { id: string }) => k.id).sort()).toEqual([ids[0], ids[2]].sort());
    const first = await call(api, "GET", "/v1/admin/keys?limit=2", admin);
    expect(first.json.data).toHaveLength(2);
    expect(first.json.has_more).toBe(true);
    const rest = await call(api, "GET", `/v1/admin/keys?limit=2&after=${first.json.last_id}`, admin);
    expect(rest.json.has_more).toBe(false);
    const paged = [...first.json.data, ...rest.json.data].map((k: { id: string }) => k.id);
    // Every key once across the pages (keys made in one millisecond come in id order).
    expect(paged.sort()).toEqual([admin.slice(0, admin.indexOf(".")), ...ids].sort());
    expect((await call(api, "GET", "/v1/admin/keys?limit=1001", admin)).status).toBe(400);

    const projects = await call(api, "GET", "/v1/admin/projects", admin);
    expect(projects.status).toBe(200);
    expect(projects.json.data.map((p: { id: string }) => p.id).sort()).toEqual(["ops", "team-a", "team-b"]);
    expect(projects.json.data[0]).toMatchObject({ object: "project" });
  });

  it("the shared server.apiKey is an admin; on an open server the first key made closes it", async () => {
    api = await startTestApi({ apiKey: "sk-shared-admin" });
    const viaShared = await call(api, "POST", "/v1/admin/keys", "sk-shared-admin", {
      project: "p",
      role: "member",
    });
    expect(viaShared.status).toBe(200);
    await api.stop();

    api = await startTestApi();
    expect((await call(api, "GET", "/v1/files")).status).toBe(200);
    const first = await call(api, "POST", "/v1/admin/keys", undefined, { project: "ops", role: "admin" });
    expect(first.status).toBe(200);
    // Within the 500 ms "any keys?" cache, the server starts asking for a key.
    const closed = await eventually(async () => {
      const r = await call(api!, "GET", "/v1/files");
      return r.status === 401 ? r : null;
    });
    expect(closed.json.error.code).toBe("missing_api_key");
    expect((await call(api, "GET", "/v1/files", first.json.key)).status).toBe(200);
  });
});

describe("docket keys --url (through the admin API)", () => {
  let api: TestApi | undefined;
  afterEach(async () => {
    await api?.stop();
    api = undefined;
  });
  const keys = (args: string[]) => runCliInProcess([registerKeysCommands], ["keys", ...args]);

  it("creates, lists and revokes like the store commands, with an admin key", async () => {
    api = await startTestApi();
    const admin = await storedKey(api.store, "ops", "admin");
    const target = ["--url", api.url, "--api-key", admin];

    const created = await keys([
      "create",
      "--project",
      "team-a",
      "--role",
      "reader",
      "--label",
      "nb",
      ...target,
    ]);
    expect(created.code).toBe(0);
    const key = created.out.trim();
    const id = key.slice(0, key.indexOf("."));
    expect(created.err).toContain(`created reader key ${id} for project team-a`);
    expect((await call(api, "GET", "/v1/batches", key)).status).toBe(200);

    const listed = await keys(["list", "--project", "team-a", ...target]);
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(new RegExp(`^${id}\tteam-a\treader\t\\S+\tactive\tnb$`));
    expect(listed.out + listed.err).not.toContain(secretOf(key));

    const revoked = await keys(["revoke", key, ...target]);
    expect(revoked.code).toBe(0);
    expect(revoked.err).toBe(`revoked ${id}`);
    expect((await keys(["list", ...target])).out).toContain(`${id}\tteam-a\treader`);
    const again = await keys(["revoke", id, ...target]);
    expect(again.code).toBe(1);
    expect(again.err).toContain(`API key ${id} was already revoked.`);
  });

  it("says why when the key is wrong or not an admin's, or when --url is mixed with store options", async () => {
    api = await startTestApi();
    await storedKey(api.store, "ops", "admin");
    const member = await storedKey(api.store, "team-a", "member");
    const wrong = await keys(["list", "--url", api.url, "--api-key", "dk_x.y"]);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain("Incorrect API key provided.");
    const notAdmin = await keys(["create", "--project", "team-a", "--url", api.url, "--api-key", member]);
    expect(notAdmin.code).toBe(1);
    expect(notAdmin.err).toContain("has the member role");
    expect(notAdmin.err).not.toContain(secretOf(member));
    const mixed = await keys(["list", "--url", api.url, "-d", api.dir]);
    expect(mixed.code).toBe(1);
    expect(mixed.err).toContain("--data-dir is for working on the store directly. Pass one or the other.");
  });
});
