import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** `dist/web/` of this package: two levels up from src/http and from dist/http alike. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL("../../dist/web/", import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".map": "application/json",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".webmanifest": "application/manifest+json",
};

/**
 * The app loads only what it ships: scripts and styles from this server, API calls to it; no
 * frames, no inline scripts. Inline styles stay allowed (UI libraries set `style` attributes).
 */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** Hashed asset names never change content: cache them for a year. Everything else: revalidate. */
const IMMUTABLE = "public, max-age=31536000, immutable";

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Docket: dashboard not built</title></head>
<body><h1>The dashboard has not been built</h1>
<p>Run <code>npm run build</code> (it builds the web app into <code>dist/web/</code>), then reload.
The API under <code>/v1</code> works without it.</p></body></html>
`;

/**
 * The paths the built app is served at (public: the browser loads the sign-in page before it
 * has a key): `/`, `/index.html`, `/assets/…` and plain files at the top such as `/favicon.svg`.
 * API paths (`/v1/…`, `/health`, `/metrics`) never match: they have no file extension.
 */
export function isStaticPath(path: string): boolean {
  return (
    path === "/" ||
    path === "/index.html" ||
    path.startsWith("/assets/") ||
    /^\/[A-Za-z0-9_][A-Za-z0-9_.-]*\.[A-Za-z0-9]+$/.test(path)
  );
}

/**
 * Serves one file of the built app from `root`. Names are decoded once and refused (404) when
 * they hold `..`, dot-files, backslashes, NUL or encoded slashes, and the file's real path must
 * stay inside the real root (no escape through a symlink either).
 */
export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  root: string,
): Promise<void> {
  const isIndex = path === "/" || path === "/index.html";
  const relative = isIndex ? "index.html" : safeRelative(path);
  const file = relative === null ? null : await insideRoot(root, relative);
  if (file === null) {
    if (isIndex) return send(res, req, 404, "text/html; charset=utf-8", NOT_BUILT_PAGE);
    return send(res, req, 404, "text/plain; charset=utf-8", `Not found: ${path}\n`);
  }
  const type = CONTENT_TYPES[extname(file.path).toLowerCase()] ?? "application/octet-stream";
  res.statusCode = 200;
  res.setHeader("content-type", type);
  res.setHeader("content-length", file.size);
  res.setHeader("cache-control", path.startsWith("/assets/") ? IMMUTABLE : "no-cache");
  res.setHeader("last-modified", new Date(file.mtimeMs).toUTCString());
  res.setHeader("x-content-type-options", "nosniff");
  res.setHeader("referrer-policy", "no-referrer");
  if (type.startsWith("text/html")) res.setHeader("content-security-policy", CSP);
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const stream = createReadStream(file.path);
    stream.on("error", reject);
    res.on("close", () => {
      stream.destroy();
      resolve();
    });
    stream.pipe(res);
  });
}

/** The path below the root, or null for anything that could name a file outside it. */
function safeRelative(path: string): string | null {
  // An encoded slash or backslash would hide a separator from the segment checks below.
  if (/%2[fF]|%5[cC]/.test(path)) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return null;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return null;
  const parts = decoded.split("/").slice(1);
  if (parts.some((p) => p === "" || p.startsWith("."))) return null;
  return parts.join(sep);
}

async function insideRoot(
  root: string,
  relative: string,
): Promise<{ path: string; size: number; mtimeMs: number } | null> {
  try {
    const realRoot = await realpath(root);
    const real = await realpath(join(realRoot, relative));
    if (!real.startsWith(realRoot + sep)) return null;
    const info = await stat(real);
    return info.isFile() ? { path: real, size: info.size, mtimeMs: info.mtimeMs } : null;
  } catch {
    return null;
  }
}

function send(res: ServerResponse, req: IncomingMessage, status: number, type: string, body: string): void {
  res.statusCode = status;
  res.setHeader("content-type", type);
  res.setHeader("content-length", Buffer.byteLength(body));
  res.setHeader("cache-control", "no-cache");
  res.setHeader("x-content-type-options", "nosniff");
  res.end(req.method === "HEAD" ? undefined : body);
}
