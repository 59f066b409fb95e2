import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { describePostgres, openTestStore } from "./pg-test-db.js";

// Callers ask for a capability (store.capabilities.*), never for the engine's name.
let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

describe("store capabilities: sqlite", () => {
  it("is exclusive, keeps large bodies in parts, and has no cross-process hints", async () => {
    store = openSqliteStore({ path: join(mkdtempSync(join(tmpdir(), "docket-caps-")), "docket.db") });
    expect(store.capabilities.exclusive).toBe(true);
    expect(store.capabilities.workHints).toBeNull();
    expect(await store.capabilities.largeBodies?.readBodyPart(1, 0)).toBeNull();
  });
});

describePostgres("store capabilities: postgres", (url) => {
  it("is shared, wakes other processes with hints, and keeps bodies whole", async () => {
    store = await openTestStore(url);
    expect(store.capabilities.exclusive).toBe(false);
    expect(store.capabilities.largeBodies).toBeNull();
    let woken = 0;
    const stop = store.capabilities.workHints!.onWorkHint(() => woken++);
    try {
      for (let i = 0; i < 50 && woken === 0; i++) {
        await store.capabilities.workHints!.hintWork();
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(woken).toBeGreaterThan(0);
    } finally {
      stop();
    }
  });
});
