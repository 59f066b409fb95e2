import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  isSqliteBusy,
  openSqliteDatabase,
  type SqliteDatabase,
  sqliteDriverName,
} from "../../src/store/sqlite/sqlite-driver.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";

const major = Number.parseInt(process.versions.node.split(".")[0]!, 10);

/**
 * The driver seam behaves like better-sqlite3 on whichever engine this Node runs (CI runs the
 * suite on Node 20, better-sqlite3, and on Node 24, node:sqlite).
 */
describe(`SQLite driver on Node ${process.versions.node} (${sqliteDriverName()})`, () => {
  const dir = mkdtempSync(join(tmpdir(), "docket-driver-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function table(): SqliteDatabase {
    const db = openSqliteDatabase(":memory:");
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
    return db;
  }

  it("uses node:sqlite from Node 24 on and never loads better-sqlite3 there", async () => {
    expect(sqliteDriverName()).toBe(major >= 24 ? "node:sqlite" : "better-sqlite3");
    const store = openSqliteStore({ path: join(dir, "docket.db") });
    await store.close();
    const loaded = Object.keys(createRequire(import.meta.url).cache).some((p) =>
      p.includes(`${"/"}better-sqlite3${"/"}`),
    );
    expect(loaded).toBe(major < 24);
  });

  it("runs, gets and lists with better-sqlite3's results, binding undefined as NULL", () => {
    const db = table();
    const r = db.prepare("INSERT INTO t (v) VALUES (?)").run(undefined);
    expect(r.changes).toBe(1);
    expect(Number(r.lastInsertRowid)).toBe(1);
    db.prepare("INSERT INTO t (v) VALUES (?)").run("b");
    expect({ ...(db.prepare("SELECT * FROM t WHERE id = ?").get(1) as object) }).toEqual({ id: 1, v: null });
    expect(db.prepare("SELECT * FROM t WHERE id = ?").get(99)).toBeUndefined();
    expect(
      db
        .prepare<[], { v: string | null }>("SELECT v FROM t ORDER BY id")
        .all()
        .map((x) => x.v),
    ).toEqual([null, "b"]);
    expect(db.pragma("foreign_keys")).toEqual([expect.objectContaining({ foreign_keys: 1 })]);
    db.close();
    expect(db.open).toBe(false);
  });

  it("commits a transaction, rolls it back on throw, and nests with savepoints", () => {
    const db = table();
    const insert = db.prepare("INSERT INTO t (v) VALUES (?)");
    const count = () => (db.prepare("SELECT count(*) AS n FROM t").get() as { n: number }).n;
    expect(db.transaction((v: string) => insert.run(v).changes).immediate("a")).toBe(1);
    expect(() =>
      db.transaction(() => {
        insert.run("b");
        throw new Error("boom");
      })(),
    ).toThrow("boom");
    expect(count()).toBe(1);
    const inner = db.transaction(() => {
      insert.run("inner");
      throw new Error("inner fails");
    });
    db.transaction(() => {
      insert.run("outer");
      expect(() => inner()).toThrow("inner fails");
    }).exclusive();
    expect(
      db
        .prepare<[], { v: string }>("SELECT v FROM t ORDER BY id")
        .all()
        .map((x) => x.v),
    ).toEqual(["a", "outer"]);
    // An async body would commit before its awaits ran: refused, as better-sqlite3 does.
    expect(() => db.transaction(async () => insert.run("c"))()).toThrow(/promise/);
    expect(count()).toBe(2);
    db.close();
  });

  it("reports another connection's lock as busy", () => {
    const path = join(dir, "busy.db");
    const a = openSqliteDatabase(path);
    const b = openSqliteDatabase(path);
    try {
      a.exec("BEGIN EXCLUSIVE");
      b.pragma("busy_timeout = 0");
      let caught: unknown;
      try {
        b.exec("BEGIN EXCLUSIVE");
      } catch (err) {
        caught = err;
      }
      expect(isSqliteBusy(caught)).toBe(true);
      expect(isSqliteBusy(new Error("other"))).toBe(false);
    } finally {
      a.close();
      b.close();
    }
  });
});
