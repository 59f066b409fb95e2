import type { Command } from "commander";
import { loadConfig } from "../../config/load-config.js";
import { checkProjectId, generateApiKey, parseApiKeyRole } from "../../domain/api-key.js";
import { DocketError } from "../../domain/errors.js";
import { openProcessStore } from "../../runtime/open-store.js";
import type { Store } from "../../store/store.js";
import { runCliAction } from "../cli-action.js";
import { EXIT } from "../cli-errors.js";
import { addDatabaseOptions, databaseOverrides } from "./database-options.js";

/**
 * `docket keys create|list|revoke`: API keys and their projects (docs/security.md), straight on
 * the store, so the first admin key can be made before any server runs. The embedded SQLite
 * database is one process's alone: stop `docket serve` first (its data directory is locked).
 */
export function registerKeysCommands(program: Command): void {
  const keys = program
    .command("keys")
    .description("Create, list and revoke API keys (on the store directly)");

  addDatabaseOptions(
    keys
      .command("create")
      .description("Make a key for a project; the key is printed once and only its hash is kept")
      .requiredOption("-p, --project <id>", "the project the key belongs to (created if new)")
      .option("-r, --role <role>", "admin, member or reader", "member")
      .option("-l, --label <text>", "what the key is for, shown by `keys list`"),
  ).action((o) =>
    withStore(o, async (store) => {
      const projectId = checkProjectId(o.project);
      const role = parseApiKeyRole(o.role);
      const label = o.label === undefined ? null : String(o.label).slice(0, 200);
      const { id, key, hash } = generateApiKey();
      await store.createApiKey({ id, projectId, role, label, hash, createdAt: Date.now(), revokedAt: null });
      console.error(`created ${role} key ${id} for project ${projectId}; it is shown only now:`);
      console.log(key);
      return EXIT.ok;
    }),
  );

  addDatabaseOptions(
    keys
      .command("list")
      .description("List keys (ids, projects, roles; never the keys)")
      .option("-p, --project <id>", "only this project's keys"),
  ).action((o) =>
    withStore(o, async (store) => {
      const list = await store.listApiKeys(o.project ? { projectId: checkProjectId(o.project) } : {});
      if (list.length === 0) console.error("no keys");
      for (const k of list) {
        const state = k.revokedAt === null ? "active" : `revoked ${new Date(k.revokedAt).toISOString()}`;
        console.log(
          [k.id, k.projectId, k.role, new Date(k.createdAt).toISOString(), state, k.label ?? ""].join("\t"),
        );
      }
      return EXIT.ok;
    }),
  );

  addDatabaseOptions(keys.command("revoke <id>").description("Revoke a key by its id (dk_…)")).action(
    (id: string, o) =>
      withStore(o, async (store) => {
        // Someone may paste the whole key: only its public id is used (and never printed back whole).
        const keyId = id.includes(".") ? id.slice(0, id.indexOf(".")) : id;
        if (!(await store.revokeApiKey(keyId, Date.now()))) {
          const known = await store.findApiKey(keyId);
          throw new DocketError(
            known ? "already_revoked" : "key_not_found",
            known ? `Key ${keyId} was already revoked.` : `No key ${keyId}; \`docket keys list\` shows them.`,
          );
        }
        console.error(`revoked ${keyId}`);
        return EXIT.ok;
      }),
  );
}

function withStore(o: Record<string, unknown>, use: (store: Store) => Promise<number>): Promise<void> {
  return runCliAction(async () => {
    const config = loadConfig(databaseOverrides(o));
    const { store, release } = await openProcessStore(config);
    try {
      return await use(store);
    } finally {
      await release();
    }
  });
}
