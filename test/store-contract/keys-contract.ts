import { beforeEach, describe, expect, it } from "vitest";
import { generateApiKey, type StoredApiKey } from "../../src/domain/api-key.js";
import type { Store } from "../../src/store/store.js";
import { T0 } from "./fixtures.js";

/** Projects and API keys (issue 15) on every engine: only hashes kept, revocation, listing. */
export function describeKeysContract(engine: string, openStore: () => Promise<Store>): void {
  describe(`store contract (API keys): ${engine}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await openStore();
      return () => store.close();
    });

    const newKey = (projectId: string, role: StoredApiKey["role"], at: number) => {
      const { id, key, hash } = generateApiKey();
      const stored: StoredApiKey = {
        id,
        projectId,
        role,
        label: `${role} key`,
        hash,
        createdAt: at,
        revokedAt: null,
      };
      return { key, stored };
    };

    it("keeps a key's hash, project and role, and finds it by its public id", async () => {
      const { key, stored } = newKey("team-a", "member", T0);
      expect(await store.hasApiKeys()).toBe(false);
      await store.createApiKey(stored);
      expect(await store.hasApiKeys()).toBe(true);
      const found = await store.findApiKey(stored.id);
      expect(found).toEqual(stored);
      expect(JSON.stringify(found)).not.toContain(key.split(".")[1]);
      expect(await store.findApiKey("dk_unknown")).toBeUndefined();
    });

    it("lists keys per project or all, creates each project once, and revokes a key once", async () => {
      const a1 = newKey("team-a", "admin", T0);
      const a2 = newKey("team-a", "reader", T0 + 1);
      const b1 = newKey("team-b", "member", T0 + 2);
      for (const k of [a1, a2, b1]) await store.createApiKey(k.stored);
      expect((await store.listApiKeys({ projectId: "team-a" })).map((k) => k.id)).toEqual([
        a1.stored.id,
        a2.stored.id,
      ]);
      expect(await store.listApiKeys({})).toHaveLength(3);
      expect(await store.listProjects()).toEqual([
        { id: "team-a", createdAt: T0 },
        { id: "team-b", createdAt: T0 + 2 },
      ]);
      expect(await store.revokeApiKey(a2.stored.id, T0 + 10)).toBe(true);
      expect(await store.revokeApiKey(a2.stored.id, T0 + 11)).toBe(false);
      expect(await store.revokeApiKey("dk_unknown", T0 + 11)).toBe(false);
      expect((await store.findApiKey(a2.stored.id))?.revokedAt).toBe(T0 + 10);
    });
  });
}
