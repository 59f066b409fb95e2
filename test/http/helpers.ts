import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { LocalDirBlobStore } from "../../src/blobs/local-dir-blob-store.js";
import { defaultConfig, type ServerConfig } from "../../src/config/config.js";
import { type RunningApiServer, startApiServer } from "../../src/http/server.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";

export interface TestApi {
  url: string;
  server: RunningApiServer;
  store: Store;
  blobs: LocalDirBlobStore;
  dir: string;
  /** How many times the API asked workers to look for work. */
  wakeups: () => number;
  /** Unexpected errors the API logged (500s). */
  logged: unknown[];
  /** Every blob file on disk, relative to the blob root, including temp files. */
  blobFiles: () => string[];
  stop: () => Promise<void>;
}

/** A real server on 127.0.0.1:0 over a real SQLite store and blob directory in a temp dir. */
export async function startTestApi(config: Partial<ServerConfig> = {}): Promise<TestApi> {
  const dir = mkdtempSync(path.join(tmpdir(), "docket-http-"));
  const store = openSqliteStore({ path: path.join(dir, "docket.sqlite"), synchronous: "NORMAL" });
  const blobs = new LocalDirBlobStore(path.join(dir, "blobs"));
  let wakeups = 0;
  const logged: unknown[] = [];
  const server = await startApiServer({
    store,
    blobs,
    config: { ...defaultConfig().server, ...config },
    events: { workAvailable: () => void wakeups++ },
    logError: (err) => void logged.push(err),
    host: "127.0.0.1",
    port: 0,
  });
  return {
    url: server.url,
    server,
    store,
    blobs,
    dir,
    wakeups: () => wakeups,
    logged,
    blobFiles: () =>
      readdirSync(blobs.root, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.relative(blobs.root, path.join(e.parentPath, e.name)))
        .sort(),
    stop: async () => {
      await server.close();
      await store.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A small valid batch input file. */
export function batchLines(n: number): string {
  return Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      custom_id: `req-${i}`,
      method: "POST",
      url: "/v1/chat/completions",
      body: { model: "gpt-4o-mini", messages: [{ role: "user", content: `hello ${i}` }] },
    }),
  ).join("\n");
}
