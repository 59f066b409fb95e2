import type { ApiKeyRole, StoredApiKey } from "../domain/api-key.js";
import { num } from "./rows.js";

/** The `api_keys` row, the same columns on both engines. */
export interface ApiKeyRow {
  id: string;
  project_id: string;
  role: string;
  label: string | null;
  hash: string;
  created_at: number | string;
  revoked_at: number | string | null;
}

export function apiKeyFromRow(r: ApiKeyRow): StoredApiKey {
  return {
    id: r.id,
    projectId: r.project_id,
    role: r.role as ApiKeyRole,
    label: r.label,
    hash: r.hash,
    createdAt: num(r.created_at),
    revokedAt: r.revoked_at === null ? null : num(r.revoked_at),
  };
}
