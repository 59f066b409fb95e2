export type FilePurpose = "batch" | "batch_output" | "user_data";

export interface StoredFile {
  id: string;
  filename: string;
  purpose: FilePurpose;
  bytes: number;
  /** Key in the blob store. */
  blobKey: string;
  createdAt: number;
  expiresAt: number | null;
  /** The project that owns it (issue 15): only that project's keys (and admins) see it. */
  projectId: string;
}
