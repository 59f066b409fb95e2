import { toSeconds } from "../domain/duration.js";
import type { StoredFile } from "../domain/file.js";

/** OpenAI's `file` object, as returned by the Files API. */
export interface OpenAiFile {
  id: string;
  object: "file";
  bytes: number;
  created_at: number;
  filename: string;
  purpose: string;
  expires_at: number | null;
  /** Deprecated by OpenAI but still sent; files here are usable as soon as they are stored. */
  status: "processed";
  status_details: null;
}

export function toOpenAiFile(file: StoredFile): OpenAiFile {
  return {
    id: file.id,
    object: "file",
    bytes: file.bytes,
    created_at: toSeconds(file.createdAt),
    filename: file.filename,
    purpose: file.purpose,
    expires_at: toSeconds(file.expiresAt),
    status: "processed",
    status_details: null,
  };
}
