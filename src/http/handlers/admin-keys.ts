import { checkProjectId, generateApiKey, parseApiKeyRole, type StoredApiKey } from "../../domain/api-key.js";
import { DocketError, invalidRequest } from "../../domain/errors.js";
import type { Handler, RequestContext } from "../deps.js";
import { readJson, sendJson } from "../json.js";
import type { PathTable } from "../path-table.js";
import { readLimit, readOptional } from "../query.js";

const LIST_DEFAULT = 100;
const LIST_MAX = 1000;
/** A label says what a key is for ("ci", "team-a notebook"): short text, not a document. */
const LABEL_MAX = 200;

/**
 * Key management over the API (docs/security.md): admins only. Members and readers may not
 * manage keys at all, not even their own project's: a leaked member key must not be able to
 * mint itself a successor. The key itself is answered once, on creation; lists show ids,
 * projects and roles, never keys or hashes. Revoking is `POST …/revoke` (like batch cancel).
 */
export function addAdminKeyHandlers(paths: PathTable<Handler>): void {
  paths
    .add("POST", "/v1/admin/keys", adminOnly(createKey))
    .add("GET", "/v1/admin/keys", adminOnly(listKeys))
    .add("POST", "/v1/admin/keys/:id/revoke", adminOnly(revokeKey))
    .add("GET", "/v1/admin/projects", adminOnly(listProjects));
}

function adminOnly(handler: (ctx: RequestContext) => Promise<void>): Handler {
  return (ctx) => {
    const { role, keyId } = ctx.principal;
    if (role !== "admin") {
      throw new DocketError(
        "permission_denied",
        `This API key (${keyId ?? "?"}) has the ${role} role; managing API keys and projects needs an admin key.`,
        403,
      );
    }
    return handler(ctx);
  };
}

async function createKey(ctx: RequestContext): Promise<void> {
  const body = await readJson(ctx.req);
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalidRequest("The request body must be a JSON object: {project, role, label?}.");
  }
  const b = body as Record<string, unknown>;
  const projectId = field("project", () => {
    if (typeof b.project !== "string")
      throw new Error("'project' is required: the project id the key belongs to.");
    return checkProjectId(b.project);
  });
  const role = field("role", () => {
    if (typeof b.role !== "string") throw new Error("'role' is required: admin, member or reader.");
    return parseApiKeyRole(b.role);
  });
  const label = field("label", () => {
    if (b.label === undefined || b.label === null) return null;
    if (typeof b.label !== "string" || b.label.length > LABEL_MAX) {
      throw new Error(`'label' must be a string of at most ${LABEL_MAX} characters.`);
    }
    return b.label;
  });
  const { id, key, hash } = generateApiKey();
  const stored: StoredApiKey = { id, projectId, role, label, hash, createdAt: ctx.now(), revokedAt: null };
  await ctx.deps.store.createApiKey(stored);
  // The only time the key leaves Docket: the store keeps its hash alone.
  sendJson(ctx.res, 200, { ...keyView(stored), key });
}

async function listKeys(ctx: RequestContext): Promise<void> {
  const project = readOptional(ctx.query, "project");
  const projectId = project === undefined ? undefined : field("project", () => checkProjectId(project));
  const limit = readLimit(ctx.query, LIST_DEFAULT, LIST_MAX);
  const after = readOptional(ctx.query, "after");
  const all = await ctx.deps.store.listApiKeys(projectId === undefined ? {} : { projectId });
  let start = 0;
  if (after !== undefined) {
    const i = all.findIndex((k) => k.id === after);
    if (i === -1) throw invalidRequest(`'after' must be the id of a listed key; no key '${after}'.`, "after");
    start = i + 1;
  }
  const page = all.slice(start, start + limit);
  sendJson(ctx.res, 200, {
    object: "list",
    data: page.map(keyView),
    first_id: page[0]?.id ?? null,
    last_id: page.at(-1)?.id ?? null,
    has_more: start + limit < all.length,
  });
}

async function revokeKey(ctx: RequestContext): Promise<void> {
  const id = ctx.params.id!;
  const store = ctx.deps.store;
  if (!(await store.revokeApiKey(id, ctx.now()))) {
    const known = await store.findApiKey(id);
    if (!known) throw new DocketError("not_found", `No API key found with id '${id}'.`, 404, "id");
    throw new DocketError("already_revoked", `API key ${id} was already revoked.`, 409, "id");
  }
  const revoked = await store.findApiKey(id);
  sendJson(ctx.res, 200, keyView(revoked!));
}

async function listProjects(ctx: RequestContext): Promise<void> {
  const projects = await ctx.deps.store.listProjects();
  sendJson(ctx.res, 200, {
    object: "list",
    data: projects.map((p) => ({ object: "project", id: p.id, created_at: seconds(p.createdAt) })),
  });
}

/** A key as the API shows it: everything but the key and its hash. */
function keyView(k: StoredApiKey) {
  return {
    object: "api_key",
    id: k.id,
    project: k.projectId,
    role: k.role,
    label: k.label,
    created_at: seconds(k.createdAt),
    revoked_at: k.revokedAt === null ? null : seconds(k.revokedAt),
  };
}

function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/** Runs one field's check; any failure becomes a 400 naming that field. */
function field<T>(name: string, check: () => T): T {
  try {
    return check();
  } catch (err) {
    throw invalidRequest((err as Error).message, name);
  }
}
