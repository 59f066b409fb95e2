import type { ApiKeyRole } from "../domain/api-key.js";
import type { ApiClient } from "./api-client.js";

/** A key as `docket keys` prints it, from the store or from the admin API alike (never the key). */
export interface KeyRow {
  id: string;
  projectId: string;
  role: ApiKeyRole;
  label: string | null;
  createdAt: number;
  revokedAt: number | null;
}

interface KeyView {
  id: string;
  project: string;
  role: ApiKeyRole;
  label: string | null;
  created_at: number;
  revoked_at: number | null;
}

/** Pages at most: 1000 keys each, so a listing stops even if a server kept saying has_more. */
const MAX_PAGES = 100;

/** `POST /v1/admin/keys`: the new key (shown once) and its row. */
export async function createKeyOverApi(
  client: ApiClient,
  o: { projectId: string; role: ApiKeyRole; label: string | null },
): Promise<{ key: string; row: KeyRow }> {
  const created = await client.json<KeyView & { key: string }>("POST", "/v1/admin/keys", {
    project: o.projectId,
    role: o.role,
    ...(o.label === null ? {} : { label: o.label }),
  });
  return { key: created.key, row: toRow(created) };
}

/** `GET /v1/admin/keys`, every page. */
export async function listKeysOverApi(client: ApiClient, projectId?: string): Promise<KeyRow[]> {
  const rows: KeyRow[] = [];
  let after: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const q = new URLSearchParams({ limit: "1000" });
    if (projectId !== undefined) q.set("project", projectId);
    if (after !== null) q.set("after", after);
    const list: { data: KeyView[]; has_more: boolean; last_id: string | null } = await client.json(
      "GET",
      `/v1/admin/keys?${q}`,
    );
    rows.push(...list.data.map(toRow));
    if (!list.has_more || list.last_id === null) break;
    after = list.last_id;
  }
  return rows;
}

/** `POST /v1/admin/keys/{id}/revoke`; the server's 404/409 say what was wrong. */
export async function revokeKeyOverApi(client: ApiClient, keyId: string): Promise<void> {
  await client.json("POST", `/v1/admin/keys/${encodeURIComponent(keyId)}/revoke`);
}

function toRow(v: KeyView): KeyRow {
  return {
    id: v.id,
    projectId: v.project,
    role: v.role,
    label: v.label,
    createdAt: v.created_at * 1000,
    revokedAt: v.revoked_at === null ? null : v.revoked_at * 1000,
  };
}
