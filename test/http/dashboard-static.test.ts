import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LocalDirBlobStore } from "../../src/blobs/local-dir-blob-store.js";
import { defaultConfig } from "../../src/config/config.js";
import { type RunningApiServer, startApiServer } from "../../src/http/server.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";

const INDEX =
  '<!doctype html><html lang="en"><title>Docket</title><script type="module" src="/assets/app-1a2b.js"></script></html>';
const SECRET = "top-secret-outside-the-web-root";

/** The built dashboard served at `/` (docs/dashboard.md, "Serving the app"), on a real server. */
describe("dashboard static files", () => {
  let dir: string;
  let store: Store;
  let server: RunningApiServer | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "docket-web-"));
    const web = join(dir, "web");
    mkdirSync(join(web, "assets"), { recursive: true });
    writeFileSync(join(web, "index.html"), INDEX);
    writeFileSync(join(web, "assets", "app-1a2b.js"), "console.log('app');\n");
    writeFileSync(join(web, "assets", "app-1a2b.css"), "body{color:black}\n");
    writeFileSync(join(web, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
    writeFileSync(join(web, ".env"), SECRET);
    writeFileSync(join(dir, "secret.txt"), SECRET);
    symlinkSync(join(dir, "secret.txt"), join(web, "assets", "link.js"));
    store = openSqliteStore({ path: join(dir, "docket.sqlite"), synchronous: "NORMAL" });
  });

  afterEach(async () => {
    await server?.close();
    server = undefined;
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(o: { webRoot: string; apiKey?: string }) {
    server = await startApiServer({
      store,
      blobs: new LocalDirBlobStore(join(dir, "blobs")),
      config: { ...defaultConfig().server, apiKey: o.apiKey ?? null },
      events: { workAvailable: () => {} },
      dashboard: { webRoot: o.webRoot },
      host: "127.0.0.1",
      port: 0,
    });
    return server.url;
  }

  /** A raw request: the path goes out exactly as written (no client-side normalising of `..`). */
  function raw(url: string, path: string, method = "GET", headers: Record<string, string> = {}) {
    return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>(
      (resolve, reject) => {
        const req = http.request(`${url}/`, { method, path, headers }, (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => {
            body += c;
          });
          res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
        });
        req.on("error", reject);
        req.end();
      },
    );
  }

  it("serves index.html, hashed assets and top-level files with their types and cache headers", async () => {
    const url = await start({ webRoot: join(dir, "web") });
    const index = await raw(url, "/");
    expect(index.status).toBe(200);
    expect(index.body).toBe(INDEX);
    expect(index.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(index.headers["cache-control"]).toBe("no-cache");
    expect(index.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(index.headers["x-content-type-options"]).toBe("nosniff");
    expect((await raw(url, "/index.html")).body).toBe(INDEX);

    const js = await raw(url, "/assets/app-1a2b.js");
    expect(js.status).toBe(200);
    expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(js.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(js.body).toBe("console.log('app');\n");
    expect((await raw(url, "/assets/app-1a2b.css")).headers["content-type"]).toBe("text/css; charset=utf-8");
    const icon = await raw(url, "/favicon.svg");
    expect(icon.headers["content-type"]).toBe("image/svg+xml");
    expect(icon.headers["cache-control"]).toBe("no-cache");

    const head = await raw(url, "/", "HEAD");
    expect(head.status).toBe(200);
    expect(head.body).toBe("");
    expect(Number(head.headers["content-length"])).toBe(Buffer.byteLength(INDEX));

    expect((await raw(url, "/assets/missing.js")).status).toBe(404);
    // The API is still the API.
    expect((await raw(url, "/health")).body).toBe('{"status":"ok"}');
    expect((await raw(url, "/v1/dashboard/jobs")).status).toBe(200);
    const post = await raw(url, "/", "POST");
    expect(post.status).toBe(404);
    expect(post.headers["content-type"]).toBe("application/json");
  });

  it("never serves a file outside the web root, whatever the path says", async () => {
    const url = await start({ webRoot: join(dir, "web") });
    for (const path of [
      "/assets/../../secret.txt",
      "/assets/..%2f..%2fsecret.txt",
      "/assets/%2e%2e/%2e%2e/secret.txt",
      "/assets/%2E%2E%2F%2E%2E%2Fsecret.txt",
      "/assets/..\\..\\secret.txt",
      "/assets/%5c..%5csecret.txt",
      "/assets/link.js",
      "/assets/%00.js",
      "/assets//etc/passwd",
      "/assets/.env",
      "/assets/%E0%A4%A.js",
      "/.env",
      "/..%2fsecret.txt",
    ]) {
      const res = await raw(url, path);
      expect(res.status, path).toBe(404);
      expect(res.body, path).not.toContain(SECRET);
    }
  });

  it("keeps the files public and the dashboard API behind the key", async () => {
    const url = await start({ webRoot: join(dir, "web"), apiKey: "sekret" });
    expect((await raw(url, "/")).status).toBe(200);
    expect((await raw(url, "/assets/app-1a2b.js")).status).toBe(200);
    expect((await raw(url, "/v1/dashboard/jobs")).status).toBe(401);
    expect((await raw(url, "/v1/dashboard/routes")).status).toBe(401);
    expect((await raw(url, "/v1/dashboard/jobs", "GET", { authorization: "Bearer sekret" })).status).toBe(
      200,
    );
  });

  it("says how to build the dashboard when it has not been built", async () => {
    const url = await start({ webRoot: join(dir, "not-built") });
    const res = await raw(url, "/");
    expect(res.status).toBe(404);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.body).toContain("npm run build");
    expect((await raw(url, "/assets/app-1a2b.js")).status).toBe(404);
    expect((await raw(url, "/v1/dashboard/jobs")).status).toBe(200);
  });

  it("says there are no live route figures where no worker runs (an API-only process)", async () => {
    const url = await start({ webRoot: join(dir, "web") });
    const res = await raw(url, "/v1/dashboard/routes");
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ object: "list", worker_stats: "none", data: [] });
  });
});
