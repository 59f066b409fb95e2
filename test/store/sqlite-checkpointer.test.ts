import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { WalCheckpointer } from "../../src/store/sqlite/sqlite-checkpointer.js";
import type { SqliteDatabase } from "../../src/store/sqlite/sqlite-driver.js";
import { openDocketDatabase } from "../../src/store/sqlite/sqlite-open.js";

const autocheckpoint = (db: SqliteDatabase) =>
  (db.pragma("wal_autocheckpoint") as Array<{ wal_autocheckpoint: number }>)[0]!.wal_autocheckpoint;

/** Rows enough for a few hundred WAL pages. */
function write(db: SqliteDatabase, rows: number): void {
  const insert = db.prepare("INSERT INTO filler (v) VALUES (?)");
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run("x".repeat(1000));
  }).immediate();
}

/**
 * The checkpoint thread copies committed WAL frames into the database file with its own
 * connection, so the main connection's commits stop doing it on the event loop.
 */
describe("SQLite checkpoint thread", () => {
  const dir = mkdtempSync(join(tmpdir(), "docket-checkpointer-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("copies what the main connection commits into the database file, off the main thread", async () => {
    const path = join(dir, "copies.db");
    const db = openDocketDatabase(path, "FULL");
    db.exec("CREATE TABLE filler (id INTEGER PRIMARY KEY, v TEXT)");
    let copied = 0;
    let seen: () => void = () => {};
    const checkpointed = new Promise<void>((r) => {
      seen = r;
    });
    const checkpointer = new WalCheckpointer(db, path, {
      intervalMs: 20,
      onCheckpoint: (n) => {
        copied += n;
        seen();
      },
    });
    try {
      const before = statSync(path).size;
      checkpointer.start();
      expect(checkpointer.running).toBe(true);
      // The main connection now leaves checkpoints to the thread (up to its own bound).
      expect(autocheckpoint(db)).toBe(8000);
      write(db, 400);
      await checkpointed;
      expect(copied).toBeGreaterThan(0);
      expect(statSync(path).size).toBeGreaterThan(before + 100 * 4096);
      await checkpointer.stop();
      expect(checkpointer.running).toBe(false);
      expect(autocheckpoint(db)).toBe(1000);
      expect(db.prepare("SELECT count(*) AS n FROM filler").get()).toEqual({ n: 400 });
    } finally {
      await checkpointer.stop();
      db.close();
    }
  });

  it("gives checkpoints back to the main connection when the thread cannot open the database", async () => {
    const path = join(dir, "falls-back.db");
    const db = openDocketDatabase(path, "FULL");
    const failed = new Promise<void>((r) => {
      const original = console.error;
      console.error = (...args: unknown[]) => {
        console.error = original;
        expect(String(args[0])).toContain("checkpoint thread failed");
        r();
      };
    });
    // A directory is no database: the thread's open fails.
    const checkpointer = new WalCheckpointer(db, dir, { intervalMs: 20 });
    try {
      checkpointer.start();
      await failed;
      expect(checkpointer.running).toBe(false);
      expect(autocheckpoint(db)).toBe(1000);
    } finally {
      await checkpointer.stop();
      db.close();
    }
  });

  it("starts no thread for a memory database", () => {
    const db = openDocketDatabase(":memory:", "FULL");
    const checkpointer = new WalCheckpointer(db, ":memory:");
    checkpointer.start();
    expect(checkpointer.running).toBe(false);
    db.close();
  });
});
