import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_DEDUP_CONFIG } from "../../src/config/dedup-config.js";
import type { NewRecord } from "../../src/domain/record.js";
import { dedupHandOnDuty } from "../../src/duties/dedup-hand-on.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { insertTestJob, T0 } from "../store-contract/fixtures.js";

/** The hand-on duty over a real store: one pass goes through many transactions and trims the cache. */
describe("dedup hand-on duty", () => {
  it("hands on 450 leaders in one pass, then keeps the cache within its bounds", async () => {
    const store = openSqliteStore({ path: join(mkdtempSync(join(tmpdir(), "docket-handon-")), "d.db") });
    try {
      const id = await insertTestJob(store, { dedup: { dedup: true, cache: null } });
      await store.claimValidation("v", 30_000, T0);
      const records: NewRecord[] = [];
      for (let i = 0; i < 450; i++) {
        const key = String(i).padStart(64, "0");
        records.push({
          position: 2 * i,
          line: 2 * i + 1,
          customId: `l${i}`,
          route: "r1",
          body: "{}",
          dedup: { key, due: "cache" },
        });
        records.push({
          position: 2 * i + 1,
          line: 2 * i + 2,
          customId: `f${i}`,
          route: "r1",
          body: "{}",
          dedup: { key, follows: 2 * i },
        });
      }
      await store.insertRecords(id, records, 3);
      await store.finishValidation(id, records.length, T0, "m");
      const claimed = await store.claimRecords({
        owner: "w",
        routes: [{ route: "r1", limit: 1000 }],
        leaseMs: 10_000,
        now: T0,
      });
      expect(claimed).toHaveLength(450);
      await store.recordResults(
        claimed.map((r) => ({
          recordId: r.id,
          attempt: r.attempt,
          outcome: {
            kind: "succeeded",
            response: { statusCode: 200, requestId: null, body: `{"a":"${r.customId}"}` },
            usage: null,
          },
        })),
        T0,
      );
      let woken = 0;
      const duty = dedupHandOnDuty({
        store,
        config: { ...DEFAULT_DEDUP_CONFIG, cache: { ...DEFAULT_DEDUP_CONFIG.cache, maxEntries: 100 } },
        pricing: () => null,
        intervalMs: 1000,
        onHandedOn: () => woken++,
      });
      await duty.pass(new AbortController().signal);
      expect(woken).toBe(1);
      const job = (await store.getJob(id))!;
      expect(job.tally.succeeded).toBe(900);
      expect(job.dedup?.deduplicated).toBe(450);
      expect((await store.cacheSize()).entries).toBe(100);
      // Nothing left: a second pass hands nothing on and does not wake maintenance.
      await duty.pass(new AbortController().signal);
      expect(woken).toBe(1);
    } finally {
      await store.close();
    }
  });
});
