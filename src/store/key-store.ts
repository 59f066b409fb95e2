import type { StoredApiKey } from "../domain/api-key.js";

/**
 * API keys and the projects they belong to (docs/security.md). The store keeps only each key's
 * SHA-256; a project exists once a key has been made for it.
 */
export interface KeyStore {
  /** Records a new key (its project is created if new). */
  createApiKey(key: StoredApiKey): Promise<void>;
  /** A key by its public id, revoked or not; undefined if unknown. */
  findApiKey(id: string): Promise<StoredApiKey | undefined>;
  /** Keys oldest first, of one project or all; hashes included (callers must not show them). */
  listApiKeys(query: { projectId?: string }): Promise<StoredApiKey[]>;
  /** Marks a key revoked from `now`; false if unknown or already revoked. */
  revokeApiKey(id: string, now: number): Promise<boolean>;
  /** True once any key (revoked or not) exists: from then on every call needs a key. */
  hasApiKeys(): Promise<boolean>;
  /** Projects that have (or had) keys, by id. */
  listProjects(): Promise<Array<{ id: string; createdAt: number }>>;
}
