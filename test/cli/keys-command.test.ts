import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { registerKeysCommands } from "../../src/cli/commands/keys.js";
import { apiKeyIdOf, apiKeyMatches } from "../../src/domain/api-key.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { runCliInProcess } from "../support/in-process-cli.js";

const keys = (args: string[]) => runCliInProcess([registerKeysCommands], ["keys", ...args]);

describe("docket keys (on the store directly)", () => {
  it("creates a key shown once, lists it without the key, and revokes it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "docket-keys-"));
    const created = await keys([
      "create",
      "--project",
      "team-a",
      "--role",
      "admin",
      "--label",
      "ops",
      "-d",
      dir,
    ]);
    expect(created.code).toBe(0);
    const key = created.out.trim();
    const id = apiKeyIdOf(key)!;
    expect(id).toMatch(/^dk_/);
    expect(created.err).toContain(`created admin key ${id} for project team-a`);

    const listed = await keys(["list", "-d", dir]);
    expect(listed.code).toBe(0);
    expect(listed.out).toContain(`${id}\tteam-a\tadmin\t`);
    expect(listed.out).toContain("active\tops");
    expect(listed.out).not.toContain(key.split(".")[1]);

    const store = openSqliteStore({ path: join(dir, "docket.db") });
    expect(apiKeyMatches(key, (await store.findApiKey(id))!)).toBe(true);
    await store.close();

    // Pasting the whole key revokes it by its id, and never prints the secret back.
    const revoked = await keys(["revoke", key, "-d", dir]);
    expect(revoked.code).toBe(0);
    expect(revoked.err).toBe(`revoked ${id}`);
    expect((await keys(["list", "-d", dir])).out).toContain("revoked 20");
    const again = await keys(["revoke", id, "-d", dir]);
    expect(again.code).toBe(1);
    expect(again.err).toContain(`Key ${id} was already revoked.`);
  });

  it("refuses a bad project id or role with what is allowed, creating nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "docket-keys-"));
    const badProject = await keys(["create", "--project", "a/b", "-d", dir]);
    expect(badProject.code).toBe(1);
    expect(badProject.err).toContain("1-64 letters");
    const badRole = await keys(["create", "--project", "a", "--role", "root", "-d", dir]);
    expect(badRole.code).toBe(1);
    expect(badRole.err).toContain("use admin, member, reader");
    expect((await keys(["list", "-d", dir])).err).toContain("no keys");
    const unknown = await keys(["revoke", "dk_nothing", "-d", dir]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain("No key dk_nothing");
  });
});
