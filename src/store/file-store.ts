import type { StoredFile } from "../domain/file.js";

/** Files: uploaded inputs and written outputs (their bytes live in the blob store). */
export interface FileStore {
  insertFile(file: StoredFile): Promise<void>;
  getFile(id: string): Promise<StoredFile | undefined>;
  /** Newest first (`order: "asc"`: oldest first); `after` is the id of the last file of the previous page. */
  listFiles(query: FileQuery): Promise<StoredFile[]>;
  deleteFile(id: string): Promise<boolean>;
}

export interface FileQuery {
  purpose?: string;
  /** Only this project's files; absent: every project's (an admin's view). */
  projectId?: string;
  after?: string;
  limit: number;
  order?: "asc" | "desc";
}
