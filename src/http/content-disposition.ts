/**
 * `Content-Disposition` for a file download (RFC 6266 with RFC 5987's `filename*`).
 *
 * A stored filename is whatever the uploader sent: UTF-8, quotes, backslashes, CR/LF, NUL, lone
 * surrogates. Node refuses a header value with control or non-Latin-1 characters (the download
 * would answer 500), so the header is built from ASCII only: a plain `filename="…"` fallback
 * for old clients, and the exact name percent-encoded as UTF-8 in `filename*`, which every
 * current client prefers.
 */
export function attachmentDisposition(filename: string): string {
  const name = truncateUtf8(filename, MAX_NAME_BYTES);
  return `attachment; filename="${asciiFallback(name)}"; filename*=UTF-8''${encodeRfc5987(name)}`;
}

/**
 * Longest name put in the header, in UTF-8 bytes: what file systems accept (255), which also
 * keeps the header far below clients' header size limits (16 KiB in undici) for any name.
 * The file object's `filename` keeps the full name.
 */
export const MAX_NAME_BYTES = 255;
/** An extension up to this long is kept when a long name is shortened. */
const MAX_KEPT_EXTENSION = 16;
const FALLBACK_NAME = "download";

/**
 * Printable ASCII except `"` and `\` (quoted-string escapes some clients mishandle) and `%`
 * (some clients percent-decode the plain parameter); everything else becomes `_`.
 */
function asciiFallback(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/gu, "_").trim();
  return ascii.replace(/^_*$/, "") === "" ? FALLBACK_NAME : ascii;
}

/** RFC 5987 `attr-char`s stay; every other UTF-8 byte is `%XX`. Lone surrogates become U+FFFD. */
function encodeRfc5987(name: string): string {
  let out = "";
  for (const byte of Buffer.from(name === "" ? FALLBACK_NAME : name, "utf8")) {
    const ch = String.fromCharCode(byte);
    out += ATTR_CHAR.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}
const ATTR_CHAR = /^[A-Za-z0-9!#$&+\-.^_`|~]$/;

/** Cuts `name` to at most `maxBytes` of UTF-8 on a character boundary, keeping a short extension. */
export function truncateUtf8(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name, "utf8") <= maxBytes) return name;
  const dot = name.lastIndexOf(".");
  const ext = dot > 0 && name.length - dot <= MAX_KEPT_EXTENSION ? name.slice(dot) : "";
  let budget = maxBytes - Buffer.byteLength(ext, "utf8");
  let stem = "";
  for (const ch of name.slice(0, name.length - ext.length)) {
    budget -= Buffer.byteLength(ch, "utf8");
    if (budget < 0) break;
    stem += ch;
  }
  return stem + ext;
}
