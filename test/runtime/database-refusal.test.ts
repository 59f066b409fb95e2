import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DocketError } from "../../src/domain/errors.js";
import { openSqliteDatabase } from "../../src/store/sqlite/sqlite-driver.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { spawnDocket } from "../support/child-docket.js";

/**
 * An emptied, overwritten or foreign docket.db looks like a fresh database to SQLite; starting on
 * it would silently drop every file and batch. Docket refuses it, naming the path and what to do;
 * a data dir with no database at all still starts.
 */
describe("an existing database that is not Docket's", () => {
  const root = mkdtempSync(join(tmpdir(), "docket-refuse-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  const dbIn = (prepare?: (path: string) => void) => {
    const dir = join(root, `d${n++}`);
    mkdirSync(dir);
    const path = join(dir, "docket.db");
    prepare?.(path);
    return { dir, path };
  };

  function refusal(path: string): DocketError {
    try {
      openSqliteStore({ path });
    } catch (err) {
      expect(err).toBeInstanceOf(DocketError);
      return err as DocketError;
    }
    throw new Error(`opened ${path}`);
  }

  it("refuses an empty (0 byte) file, naming it and what to do, and leaves it as it was", () => {
    const { path } = dbIn((p) => writeFileSync(p, ""));
    const err = refusal(path);
    expect(err.code).toBe("sqlite_database_empty");
    expect(err.message).toContain(`The database ${path} is empty (0 bytes)`);
    expect(err.message).toMatch(/move it .* out of the data directory/);
    expect(err.message).toContain("restore it from a backup");
    expect(statSync(path).size).toBe(0);
    expect(readdirSync(join(path, ".."))).toEqual(["docket.db"]); // no -wal/-shm created
  });

  it("refuses a file that is not SQLite", () => {
    const { path } = dbIn((p) => writeFileSync(p, '{"id":"file-abc","object":"file"}\n'.repeat(100)));
    const err = refusal(path);
    expect(err.code).toBe("sqlite_database_corrupt");
    expect(err.message).toContain(`The database ${path} is not a SQLite database`);
  });

  it("refuses a SQLite file without Docket's schema", () => {
    const { path } = dbIn((p) => {
      const db = openSqliteDatabase(p);
      db.exec("CREATE TABLE notes (body TEXT)");
      db.close();
    });
    const err = refusal(path);
    expect(err.code).toBe("sqlite_database_corrupt");
    expect(err.message).toContain("without Docket's tables");
  });

  it("refuses a SQLite header followed by garbage", () => {
    const { path } = dbIn((p) => {
      const page = Buffer.alloc(8192, 0xa5);
      page.write("SQLite format 3\0", 0, "latin1");
      writeFileSync(p, page);
    });
    const err = refusal(path);
    expect(err.code).toBe("sqlite_database_corrupt");
    expect(err.message).toContain(path);
  });

  it("creates a new database when there is none, leaving no temporary file, and reopens it", async () => {
    const { dir, path } = dbIn((p) =>
      writeFileSync(`${p}.creating`, "left by a start killed while creating"),
    );
    const store = openSqliteStore({ path });
    await store.close();
    expect(existsSync(`${path}.creating`)).toBe(false);
    const again = openSqliteStore({ path });
    await again.close();
    expect(readdirSync(dir).filter((f) => f.includes("creating"))).toEqual([]);
  });

  it("docket serve refuses an emptied docket.db (exit 1, the path in the message), and starts on a new dir", async () => {
    const { dir, path } = dbIn((p) => writeFileSync(p, ""));
    const args = ["serve", "--port", "0", "--backend", "http://127.0.0.1:9/v1", "--data-dir"];
    const refused = await spawnDocket([...args, dir], { waitForUrl: false });
    expect(await refused.exited).toBe(1);
    expect(refused.output()).toContain(`The database ${path} is empty (0 bytes)`);
    expect(statSync(path).size).toBe(0);

    const fresh = join(root, "brand-new", "data");
    const serve = await spawnDocket([...args, fresh]);
    try {
      expect((await fetch(`${serve.url}/v1/files`)).status).toBe(200);
    } finally {
      serve.proc.kill("SIGTERM");
      await serve.exited;
    }
    expect(statSync(join(fresh, "docket.db")).size).toBeGreaterThan(0);
  });
});
