import { afterEach, describe, expect, it } from "vitest";
import { openPostgresStore } from "../../src/store/postgres/postgres-store.js";
import type { Store } from "../../src/store/store.js";
import { describeBudgetContract } from "../store-contract/budgets-contract.js";
import { describeCoordinationContract } from "../store-contract/coordination-contract.js";
import { describeExactInputContract } from "../store-contract/exact-input-contract.js";
import { describeFinishWithRecordsContract } from "../store-contract/finish-with-records-contract.js";
import { describeFinishedBodiesContract } from "../store-contract/finished-bodies-contract.js";
import { runningTestJob, T0 } from "../store-contract/fixtures.js";
import { describeInsightsContract } from "../store-contract/insights-contract.js";
import { describeInvocationsContract } from "../store-contract/invocations-contract.js";
import { describeKeysContract } from "../store-contract/keys-contract.js";
import { describeLargeBodyContract } from "../store-contract/large-body-contract.js";
import { describeStoreContract } from "../store-contract/store-contract.js";
import { describePostgres, dropSchema, freshSchemaName, openTestStore, withClient } from "./pg-test-db.js";

describePostgres("postgres store", (url) => {
  describeStoreContract("postgres", () => openTestStore(url));
  describeInvocationsContract("postgres", () => openTestStore(url));
  describeCoordinationContract("postgres", () => openTestStore(url));
  describeBudgetContract("postgres", () => openTestStore(url));
  describeExactInputContract("postgres", () => openTestStore(url));
  describeKeysContract("postgres", () => openTestStore(url));
  describeLargeBodyContract("postgres", () => openTestStore(url));
  describeFinishedBodiesContract("postgres", () => openTestStore(url));
  describeFinishWithRecordsContract("postgres", () => openTestStore(url));
  describeInsightsContract("postgres", () => openTestStore(url));

  describe("several processes on one database", () => {
    let schema: string;
    let stores: Store[] = [];

    const open = async (n: number, s = schema) => {
      const opened = await Promise.all(
        Array.from({ length: n }, () => openPostgresStore({ url, schema: s, poolSize: 3 })),
      );
      stores.push(...opened);
      return opened;
    };

    afterEach(async () => {
      await Promise.all(stores.map((s) => s.close()));
      stores = [];
      await dropSchema(url, schema);
    });

    async function jobWith(store: Store, n: number): Promise<string> {
      return runningTestJob(store, n);
    }

    it("migrates once when many processes start at the same moment", async () => {
      schema = freshSchemaName();
      await open(6);
      const versions = await withClient(
        url,
        (c) => c.query<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version"),
        schema,
      );
      // every migration applied exactly once, however many there are by now
      const applied = versions.rows.map((r) => r.version);
      expect(applied.slice(0, 2)).toEqual([1, 2]);
      expect(new Set(applied).size).toBe(applied.length);
    });

    it("keeps each schema to itself", async () => {
      schema = freshSchemaName();
      const other = freshSchemaName();
      try {
        const [a] = await open(1);
        const [b] = await open(1, other);
        await jobWith(a!, 1);
        expect(await a!.listJobs({ limit: 10 })).toHaveLength(1);
        expect(await b!.listJobs({ limit: 10 })).toHaveLength(0);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
        stores = [];
        await dropSchema(url, other);
      }
    });

    it("keeps to its schema when the URL carries its own connection options", async () => {
      schema = freshSchemaName();
      const withOptions = new URL(url);
      withOptions.searchParams.set("options", "-c lock_timeout=5000");
      const store = await openPostgresStore({ url: withOptions.toString(), schema });
      stores.push(store);
      const id = await jobWith(store, 1);
      const { rows } = await withClient(url, (c) => c.query("SELECT id FROM jobs"), schema);
      expect(rows).toEqual([{ id }]);
    });

    it("never hands the same record to two concurrent claimers", async () => {
      schema = freshSchemaName();
      const workers = await open(3);
      await jobWith(workers[0]!, 300);
      await jobWith(workers[0]!, 50);
      const seen: number[] = [];
      await Promise.all(
        workers.map(async (store, w) => {
          for (;;) {
            const got = await store.claimRecords({
              owner: `w${w}`,
              routes: [{ route: "r1", limit: 16 }],
              leaseMs: 60_000,
              now: T0,
            });
            if (got.length === 0) return;
            seen.push(...got.map((r) => r.id));
          }
        }),
      );
      expect(seen).toHaveLength(350);
      expect(new Set(seen).size).toBe(350);
    });

    it("lets one process finalize a job at a time, and another take over after the lease", async () => {
      schema = freshSchemaName();
      const [a, b] = await open(2);
      const id = await jobWith(a!, 1);
      const [r] = await a!.claimRecords({
        owner: "w",
        routes: [{ route: "r1", limit: 1 }],
        leaseMs: 1000,
        now: T0,
      });
      await a!.recordResults(
        [
          {
            recordId: r!.id,
            attempt: r!.attempt,
            outcome: {
              kind: "succeeded",
              response: { statusCode: 200, requestId: null, body: "{}" },
              usage: null,
            },
          },
        ],
        T0,
      );
      const [fromA, fromB] = await Promise.all([a!.claimFinalizable(T0 + 1), b!.claimFinalizable(T0 + 1)]);
      expect([...fromA!, ...fromB!]).toEqual([{ id, endStatus: "completed" }]);
      const holder = fromA!.length > 0 ? a! : b!;
      const other = holder === a ? b! : a!;
      expect(await holder.claimFinalizable(T0 + 2)).toEqual([{ id, endStatus: "completed" }]);
      expect(await other.claimFinalizable(T0 + 2)).toEqual([]);
      // the holder died: after its lease the other process finalizes, and the holder's late
      // completion changes nothing and leaves no file row
      expect(await other.claimFinalizable(T0 + 10 * 60_000)).toEqual([{ id, endStatus: "completed" }]);
      const file = (fid: string) => ({
        id: fid,
        filename: "out.jsonl",
        purpose: "batch_output" as const,
        bytes: 2,
        blobKey: `out/${fid}`,
        createdAt: T0,
        expiresAt: null,
        projectId: "default",
      });
      await other.completeFinalize(
        id,
        { endStatus: "completed", outputFile: file("file-winner"), errorFile: null },
        T0 + 3,
      );
      await holder.completeFinalize(
        id,
        { endStatus: "completed", outputFile: file("file-late"), errorFile: null },
        T0 + 4,
      );
      expect(await a!.getJob(id)).toMatchObject({
        projectId: "default",
        status: "completed",
        outputFileId: "file-winner",
        completedAt: T0 + 3,
      });
      expect(await a!.getFile("file-late")).toBeUndefined();
    });

    it("wakes listeners of the same schema when work is hinted, and only those", async () => {
      schema = freshSchemaName();
      const other = freshSchemaName();
      try {
        const [listener, sender] = await open(2);
        const [stranger] = await open(1, other);
        let woken = 0;
        const stop = listener!.capabilities.workHints!.onWorkHint(() => woken++);
        await waitForListener(url, schema);
        // NOTIFY is delivered in commit order: had the stranger's hint got through, it would be
        // counted no later than the sender's.
        await stranger!.capabilities.workHints!.hintWork();
        await sender!.capabilities.workHints!.hintWork();
        await waitUntil(() => woken > 0);
        expect(woken).toBe(1);
        stop();
      } finally {
        await Promise.all(stores.map((s) => s.close()));
        stores = [];
        await dropSchema(url, other);
      }
    });

    it("refuses a schema name that would need quoting", async () => {
      schema = freshSchemaName();
      await expect(openPostgresStore({ url, schema: "Bad-Name" })).rejects.toMatchObject({
        code: "invalid_config",
      });
    });
  });
});

async function waitForListener(url: string, schema: string): Promise<void> {
  await waitUntil(async () =>
    withClient(url, async (c) => {
      const { rows } = await c.query(
        "SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND query = 'LISTEN docket_work' AND state = 'idle'",
        [`docket-listen ${schema}`],
      );
      return rows.length > 0;
    }),
  );
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
