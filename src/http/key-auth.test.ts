import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { generateApiKey, type StoredApiKey } from "../domain/api-key.js";
import { openSqliteStore } from "../store/sqlite/sqlite-store.js";
import { KEY_CACHE_MS, KeyAuthenticator } from "./key-auth.js";

const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

async function withKeys(roles: Array<[string, StoredApiKey["role"]]>) {
  const store = openSqliteStore({ path: ":memory:" });
  const keys: string[] = [];
  for (const [projectId, role] of roles) {
    const { id, key, hash } = generateApiKey();
    await store.createApiKey({ id, projectId, role, label: null, hash, createdAt: 0, revokedAt: null });
    keys.push(key);
  }
  return { store, keys };
}

describe("KeyAuthenticator", () => {
  it("lets everyone in as the default project's admin while no key exists and none is configured", async () => {
    const { store } = await withKeys([]);
    const auth = new KeyAuthenticator(store, null);
    // SDKs always send some key: an open server takes any.
    expect(await auth.authenticate(request({ authorization: "Bearer sk-anything" }))).toMatchObject({
      projectId: "default",
    });
    expect(await auth.authenticate(request({}))).toEqual({
      projectId: "default",
      role: "admin",
      keyId: null,
      allProjects: true,
    });
  });

  it("resolves Bearer and x-api-key project keys to their project and role", async () => {
    const { store, keys } = await withKeys([
      ["team-a", "member"],
      ["team-b", "admin"],
    ]);
    const auth = new KeyAuthenticator(store, null);
    expect(await auth.authenticate(request({ authorization: `Bearer ${keys[0]}` }))).toMatchObject({
      projectId: "team-a",
      role: "member",
      allProjects: false,
    });
    expect(await auth.authenticate(request({ "x-api-key": keys[1]! }))).toMatchObject({
      projectId: "team-b",
      role: "admin",
      allProjects: true,
    });
    await expect(auth.authenticate(request({}))).rejects.toMatchObject({ httpStatus: 401 });
    // Change the last character to one it is not, so the wrong key never equals the real one.
    const last = keys[0]!.slice(-1);
    const wrong = `${keys[0]!.slice(0, -1)}${last === "x" ? "y" : "x"}`;
    const refused = auth.authenticate(request({ authorization: `Bearer ${wrong}` }));
    await expect(refused).rejects.toMatchObject({ httpStatus: 401, message: "Incorrect API key provided." });
  });

  it("keeps the shared config key working as an admin of every project", async () => {
    const { store } = await withKeys([["team-a", "member"]]);
    const auth = new KeyAuthenticator(store, "shared-secret");
    expect(await auth.authenticate(request({ authorization: "Bearer shared-secret" }))).toMatchObject({
      projectId: "default",
      allProjects: true,
    });
    await expect(auth.authenticate(request({ authorization: "Bearer shared-secreT" }))).rejects.toMatchObject(
      {
        httpStatus: 401,
      },
    );
  });

  it("refuses a revoked key once the cache has passed (at most KEY_CACHE_MS later)", async () => {
    const { store, keys } = await withKeys([["team-a", "member"]]);
    let t = 1_000;
    const auth = new KeyAuthenticator(store, null, () => t);
    const req = request({ authorization: `Bearer ${keys[0]}` });
    await auth.authenticate(req);
    const id = keys[0]!.slice(0, keys[0]!.indexOf("."));
    await store.revokeApiKey(id, t);
    t += KEY_CACHE_MS;
    await expect(auth.authenticate(req)).rejects.toMatchObject({
      httpStatus: 401,
      message: `API key ${id} has been revoked.`,
    });
  });
});
