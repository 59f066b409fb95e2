/** Longest stored filename, in characters (common filesystems allow 255 bytes). */
export const MAX_FILENAME_CHARS = 255;

/**
 * C0/C1 controls and DEL (NUL breaks PostgreSQL, CR/LF break headers), and the bidi
 * overrides that make `gpj.exe` display as `exe.jpg`.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * The name a client gave its upload, made safe to store and show: only its last path component
 * (`../../etc/passwd` → `passwd`, `C:\\x\\a.jsonl` → `a.jsonl`), without control characters,
 * at most 255 characters (the extension is kept when cutting). Returns "" when nothing is left.
 */
export function cleanUploadFilename(raw: string): string {
  const base = raw.slice(Math.max(raw.lastIndexOf("/"), raw.lastIndexOf("\\")) + 1);
  const name = base.replace(UNSAFE, "").trim();
  if (name === "." || name === "..") return "";
  const chars = Array.from(name); // code points: never split a surrogate pair
  if (chars.length <= MAX_FILENAME_CHARS) return name;
  const dot = name.lastIndexOf(".");
  const ext = dot > 0 ? Array.from(name.slice(dot)) : [];
  const keep = ext.length > 0 && ext.length <= 32 ? ext : [];
  return chars.slice(0, MAX_FILENAME_CHARS - keep.length).join("") + keep.join("");
}
