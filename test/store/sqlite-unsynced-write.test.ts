import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { SqliteDatabase } from "../../src/store/sqlite/sqlite-driver.js";
import { openDocketDatabase } from "../../src/store/sqlite/sqlite-open.js";
import { sqliteShared } from "../../src/store/sqlite/sqlite-shared.js";

const synchronous = (db: SqliteDatabase) =>
  (db.pragma("synchronous") as Array<{ synchronous: number }>)[0]!.synchronous;
const FULL = 2;
const NORMAL = 1;

/**
 * Lease writes (claims, renewals) commit without their own fsync; every other write keeps the
 * configured level. SQLite reports the level in force, so the test reads it inside and after.
 */
describe("SQLite lease writes", () => {
  const dir = mkdtempSync(join(tmpdir(), "docket-lease-write-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("commits a lease write unsynced and puts FULL back for every other write", () => {
    const db = openDocketDatabase(join(dir, "full.db"), "FULL");
    try {
      const x = sqliteShared(db);
      db.exec("CREATE TABLE leases (id INTEGER PRIMARY KEY, owner TEXT)");
      const inside = x.unsyncedWrite(() => {
        db.prepare("INSERT INTO leases (owner) VALUES ('w1')").run();
        return synchronous(db);
      });
      expect(inside).toBe(NORMAL);
      expect(synchronous(db)).toBe(FULL);
      expect(db.prepare("SELECT owner FROM leases").all()).toEqual([{ owner: "w1" }]);
    } finally {
      db.close();
    }
  });

  it("rolls a failed lease write back and still puts FULL back", () => {
    const db = openDocketDatabase(join(dir, "fails.db"), "FULL");
    try {
      const x = sqliteShared(db);
      db.exec("CREATE TABLE leases (id INTEGER PRIMARY KEY, owner TEXT)");
      expect(() =>
        x.unsyncedWrite(() => {
          db.prepare("INSERT INTO leases (owner) VALUES ('w1')").run();
          throw new Error("claim failed");
        }),
      ).toThrow("claim failed");
      expect(synchronous(db)).toBe(FULL);
      expect(db.prepare("SELECT count(*) AS n FROM leases").get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });

  it("leaves a NORMAL database as it is", () => {
    const db = openDocketDatabase(join(dir, "normal.db"), "NORMAL");
    try {
      const x = sqliteShared(db);
      expect(x.unsyncedWrite(() => synchronous(db))).toBe(NORMAL);
      expect(synchronous(db)).toBe(NORMAL);
    } finally {
      db.close();
    }
  });
});
