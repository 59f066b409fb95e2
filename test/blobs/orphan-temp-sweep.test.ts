import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { LocalDirBlobStore } from "../../src/blobs/local-dir-blob-store.js";
import { defaultConfig } from "../../src/config/config.js";
import { startOrphanSweep } from "../../src/duties/orphan-temp-sweep.js";
import { startEmbedded } from "../../src/runtime/embedded.js";
import { ownsBlobDirAlone, sweepOrphansAtStart } from "../../src/runtime/start-sweep.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "docket-sweep-"));
  dirs.push(d);
  return d;
}

/** A file at `rel` under `root`, last modified `ageMs` ago. */
function plant(root: string, rel: string, ageMs = 0): string {
  const file = join(root, rel);
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, "partial");
  if (ageMs > 0) {
    const when = new Date(Date.now() - ageMs);
    utimesSync(file, when, when);
  }
  return file;
}

const HOUR = 3_600_000;

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("orphan temp-file sweep", () => {
  it("removes only Docket's temp files older than the cutoff, at any depth", async () => {
    const root = tempDir();
    const store = new LocalDirBlobStore(root);
    await store.put("files/kept", Readable.from([Buffer.from("a blob")]));
    const oldTop = plant(root, "files/x.0123456789ab.tmp", 2 * HOUR);
    const oldDeep = plant(root, "jobs/j1/out/output.abcdef012345.tmp", 2 * HOUR);
    const fresh = plant(root, "files/y.aaaaaaaaaaaa.tmp");
    const notOurs = plant(root, "notes.tmp", 2 * HOUR);

    expect(await store.sweepOrphans(Date.now() - HOUR)).toBe(2);
    expect([existsSync(oldTop), existsSync(oldDeep)]).toEqual([false, false]);
    expect([existsSync(fresh), existsSync(notOurs)]).toEqual([true, true]);
    expect((await store.readSmall("files/kept")).toString()).toBe("a blob");
  });

  it("never removes the temp file of a write in progress, however often it runs", async () => {
    const root = tempDir();
    const store = new LocalDirBlobStore(root);
    let done = false;
    // A slow upload: a chunk every 40 ms until told to finish, under a sweep every 50 ms whose
    // grace (2 s) is shorter than the whole upload but far longer than its pauses.
    let chunks = 0;
    async function* slow() {
      while (!done) {
        yield Buffer.from(`chunk ${chunks++}\n`);
        await new Promise((r) => setTimeout(r, 40));
      }
    }
    const config = defaultConfig();
    config.retention.tempFileGraceMs = 2000;
    config.retention.tempSweepMs = 50;
    const writing = store.put("files/upload", slow());
    const files = join(root, "files");
    await waitFor(() => existsSync(files) && readdirSync(files).some((n) => n.endsWith(".tmp")));
    const sweep = startOrphanSweep(store, config);
    // The sweep is live: an orphan past the grace goes while the upload carries on.
    const orphan = plant(root, "files/old.0123456789ab.tmp", 5000);
    await waitFor(() => !existsSync(orphan));
    await new Promise((r) => setTimeout(r, 2500));
    done = true;
    await writing;
    await sweep.stop();
    expect((await store.readSmall("files/upload")).toString()).toContain(`chunk ${chunks - 1}`);
    expect(readdirSync(files)).toEqual(["upload"]);
  });

  it("periodically removes temp files once they pass the grace period", async () => {
    const root = tempDir();
    const store = new LocalDirBlobStore(root);
    const config = defaultConfig();
    config.retention.tempFileGraceMs = HOUR;
    config.retention.tempSweepMs = 50;
    const sweep = startOrphanSweep(store, config);
    try {
      const fresh = plant(root, "files/a.111111111111.tmp");
      const stale = plant(root, "files/b.222222222222.tmp", 2 * HOUR);
      await waitFor(() => !existsSync(stale));
      await new Promise((r) => setTimeout(r, 200)); // a few more passes
      expect(existsSync(fresh)).toBe(true);
    } finally {
      await sweep.stop();
    }
  });

  it("at start-up removes every temp file when this process owns the blob dir, else only stale ones", async () => {
    const dataDir = tempDir();
    const config = defaultConfig();
    config.dataDir = dataDir;
    const root = join(dataDir, "blobs");
    const store = new LocalDirBlobStore(root);

    config.databaseUrl = "postgres://docket@db.invalid/docket"; // split mode: shared blob dir
    expect(ownsBlobDirAlone(config)).toBe(false);
    const fresh = plant(root, "files/a.111111111111.tmp");
    const stale = plant(root, "files/b.222222222222.tmp", 2 * HOUR);
    expect(await sweepOrphansAtStart(store, config)).toBe(1);
    expect([existsSync(fresh), existsSync(stale)]).toEqual([true, false]);

    config.databaseUrl = null; // embedded on SQLite, blobs inside the locked data dir
    expect(ownsBlobDirAlone(config)).toBe(true);
    expect(await sweepOrphansAtStart(store, config)).toBe(1);
    expect(existsSync(fresh)).toBe(false);

    config.blobs = { type: "local", dir: tempDir() }; // a directory elsewhere may be shared
    expect(ownsBlobDirAlone(config)).toBe(false);
  });

  it("docket serve (embedded) removes orphans of the previous run before it starts serving", async () => {
    const dataDir = tempDir();
    const root = join(dataDir, "blobs");
    // What a kill -9 mid-upload and mid-finalize leaves: fresh temp files, no renames.
    const upload = plant(root, "files/file-abc.0123456789ab.tmp");
    const output = plant(root, "jobs/batch_1/output.abcdef012345.tmp");
    const blob = plant(root, "files/file-def");
    const config = defaultConfig();
    config.dataDir = dataDir;
    config.server.port = 0;
    const docket = await startEmbedded(config);
    try {
      expect([existsSync(upload), existsSync(output)]).toEqual([false, false]);
      expect(existsSync(blob)).toBe(true);
    } finally {
      await docket.close({ graceMs: 100 });
    }
  });
});
