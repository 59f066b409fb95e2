import type { Command } from "commander";
import { loadConfig } from "../../config/load-config.js";
import { checkProjectId, generateApiKey, parseApiKeyRole } from "../../domain/api-key.js";
import { DocketError } from "../../domain/errors.js";
import { openProcessStore } from "../../runtime/open-store.js";
import type { Store } from "../../store/store.js";
import { ApiClient } from "../api-client.js";
import { runCliAction } from "../cli-action.js";
import { EXIT } from "../cli-errors.js";
import { createKeyOverApi, type KeyRow, listKeysOverApi, revokeKeyOverApi } from "../keys-over-api.js";
import { addDatabaseOptions, databaseOverrides } from "./database-options.js";

/**
 * `docket keys create|list|revoke`: API keys and their projects (docs/security.md). With `--url`
 * they go through a running server's admin API (an admin key in `--api-key`/$DOCKET_API_KEY);
 * without it, straight on the store, so the first admin key can be made before any server runs.
 * The embedded SQLite database is one process's alone: stop `docket serve` first (its data
 * directory is locked), or use `--url`.
 */
export function registerKeysCommands(program: Command): void {
  const keys = program.command("keys").description("Create, list and revoke API keys");

  withTarget(
    keys
      .command("create")
      .description("Make a key for a project; the key is printed once and only its hash is kept")
      .requiredOption("-p, --project <id>", "the project the key belongs to (created if new)")
      .option("-r, --role <role>", "admin, member or reader", "member")
      .option("-l, --label <text>", "what the key is for, shown by `keys list`"),
  ).action((o) =>
    runCliAction(async () => {
      const projectId = checkProjectId(o.project);
      const role = parseApiKeyRole(o.role);
      const label = o.label === undefined ? null : String(o.label).slice(0, 200);
      let made: { id: string; key: string };
      if (overApi(o)) {
        const { key, row } = await createKeyOverApi(ApiClient.fromOptions(o), { projectId, role, label });
        made = { id: row.id, key };
      } else {
        made = await withStore(o, async (store) => {
          const { id, key, hash } = generateApiKey();
          await store.createApiKey({
            id,
            projectId,
            role,
            label,
            hash,
            createdAt: Date.now(),
            revokedAt: null,
          });
          return { id, key };
        });
      }
      // The key alone on stdout (for `$(docket keys create …)`); everything else on stderr.
      console.error(`created ${role} key ${made.id} for project ${projectId}; it is shown only now:`);
      console.log(made.key);
      return EXIT.ok;
    }),
  );

  withTarget(
    keys
      .command("list")
      .description("List keys (ids, projects, roles; never the keys)")
      .option("-p, --project <id>", "only this project's keys"),
  ).action((o) =>
    runCliAction(async () => {
      const projectId = o.project ? checkProjectId(o.project) : undefined;
      const list: KeyRow[] = overApi(o)
        ? await listKeysOverApi(ApiClient.fromOptions(o), projectId)
        : await withStore(o, (store) => store.listApiKeys(projectId === undefined ? {} : { projectId }));
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

  withTarget(keys.command("revoke <id>").description("Revoke a key by its id (dk_…)")).action(
    (id: string, o) =>
      runCliAction(async () => {
        // Someone may paste the whole key: only its public id is used (and never printed back whole).
        const keyId = id.includes(".") ? id.slice(0, id.indexOf(".")) : id;
        if (overApi(o)) {
          await revokeKeyOverApi(ApiClient.fromOptions(o), keyId);
        } else {
          await withStore(o, async (store) => {
            if (await store.revokeApiKey(keyId, Date.now())) return;
            const known = await store.findApiKey(keyId);
            throw new DocketError(
              known ? "already_revoked" : "key_not_found",
              known
                ? `Key ${keyId} was already revoked.`
                : `No key ${keyId}; \`docket keys list\` shows them.`,
            );
          });
        }
        console.error(`revoked ${keyId}`);
        return EXIT.ok;
      }),
  );
}

/** Store options for the bootstrap path, `--url`/`--api-key` for the admin API. */
function withTarget(command: Command): Command {
  return addDatabaseOptions(command)
    .option("--url <url>", "manage keys through this running Docket's admin API instead of the store")
    .option("--api-key <key>", "an admin key for --url (or $DOCKET_API_KEY)");
}

/**
 * Only an explicit `--url` selects the API: $DOCKET_URL, set for the client commands, must not
 * silently turn a bootstrap on the store into a call to some server.
 */
function overApi(o: Record<string, unknown>): boolean {
  if (o.url === undefined) return false;
  const storeOption = ["databaseUrl", "databaseSchema", "dataDir", "blobsDir", "config"].find(
    (name) => o[name] !== undefined,
  );
  if (storeOption !== undefined) {
    throw new DocketError(
      "invalid_option",
      `--url manages keys through a server's API; --${kebab(storeOption)} is for working on the store directly. Pass one or the other.`,
    );
  }
  return true;
}

async function withStore<T>(o: Record<string, unknown>, use: (store: Store) => Promise<T>): Promise<T> {
  const config = loadConfig(databaseOverrides(o));
  const { store, release } = await openProcessStore(config);
  try {
    return await use(store);
  } finally {
    await release();
  }
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
