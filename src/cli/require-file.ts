import { stat } from "node:fs/promises";
import { DocketError } from "../domain/errors.js";

/**
 * Checks that `path` names a regular file before a command starts work on it, so a typo is
 * reported as "file not found: PATH" (exit 1) rather than a bare ENOENT from deep inside.
 * `role` says which input it is (e.g. "--template"); `code` is the error's stable code.
 * Returns the file's size in bytes.
 */
export async function requireFile(path: string, o: { role?: string; code?: string } = {}): Promise<number> {
  const role = o.role ? ` (${o.role})` : "";
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (err) {
    const errno = (err as NodeJS.ErrnoException).code;
    if (errno === "ENOENT" || errno === "ENOTDIR")
      throw new DocketError(o.code ?? "file_not_found", `file not found: ${path}${role}`);
    throw new DocketError("file_unreadable", `cannot read ${path}${role}: ${(err as Error).message}`);
  }
  if (!info.isFile()) throw new DocketError("not_a_file", `not a file: ${path}${role}`);
  return info.size;
}
