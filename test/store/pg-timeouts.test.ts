import { createServer, type Server, type Socket } from "node:net";
import type pg from "pg";
import { afterEach, expect, it } from "vitest";
import { defaultConfig } from "../../src/config/config.js";
import { DocketError } from "../../src/domain/errors.js";
import { openStore } from "../../src/runtime/open-store.js";
import { createPool, query, transaction } from "../../src/store/postgres/pg-connection.js";
import { DEFAULT_PG_TIMEOUTS, type PgTimeouts } from "../../src/store/postgres/pg-timeouts.js";
import { openPostgresStore } from "../../src/store/postgres/postgres-store.js";
import { timed } from "../support/timed.js";
import { describePostgres, withClient } from "./pg-test-db.js";

const pools: pg.Pool[] = [];
const servers: Server[] = [];
const sockets = new Set<Socket>();

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.end().catch(() => {})));
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function pool(url: string, timeouts: Partial<PgTimeouts>): pg.Pool {
  const p = createPool(url, undefined, 2, { ...DEFAULT_PG_TIMEOUTS, ...timeouts });
  pools.push(p);
  return p;
}

/**
 * A TCP server that accepts and then says nothing (a hung server, or a firewall that
 * black-holes after the handshake). `startup: true` answers PostgreSQL's startup message with
 * AuthenticationOk + ReadyForQuery and then ignores every query: a server that stops answering.
 */
async function silentServer(startup = false): Promise<number> {
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    if (!startup) return;
    socket.once("data", () => {
      const authOk = Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 0]);
      const ready = Buffer.from([0x5a, 0, 0, 0, 5, 0x49]);
      socket.write(Buffer.concat([authOk, ready]));
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return (server.address() as { port: number }).port;
}

describePostgres("PostgreSQL timeouts against a real server", (url) => {
  it("cancels a statement that runs past the statement timeout, with a message naming the setting", async () => {
    const p = pool(url, { statementTimeoutMs: 300 });
    const { ms, error } = await timed(query(p, "SELECT pg_sleep(30)"));
    expect(error).toBeInstanceOf(DocketError);
    expect(error).toMatchObject({ code: "database_timeout", httpStatus: 503 });
    expect((error as Error).message).toContain("databaseStatementTimeoutMs (300 ms)");
    expect(ms).toBeLessThan(10_000);
    // The pool is still usable afterwards.
    expect(await query<{ one: number }>(p, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
  });

  it("bounds a lock wait inside a transaction the same way", async () => {
    const key = Math.floor(Math.random() * 1e9);
    await withClient(url, async (holder) => {
      await holder.query("BEGIN");
      await holder.query("SELECT pg_advisory_xact_lock($1)", [key]);
      const p = pool(url, { statementTimeoutMs: 300 });
      const { ms, error } = await timed(
        transaction(p, (c) => c.query("SELECT pg_advisory_xact_lock($1)", [key])),
      );
      expect(error).toMatchObject({ code: "database_timeout" });
      expect(ms).toBeLessThan(10_000);
      await holder.query("ROLLBACK");
    });
  });

  it("leaves statements alone that finish within the timeout", async () => {
    const p = pool(url, { statementTimeoutMs: 5000 });
    expect(await query(p, "SELECT pg_sleep(0.2)")).toHaveLength(1);
    const [row] = await query<{ statement_timeout: string; idle: string }>(
      p,
      "SELECT current_setting('statement_timeout') AS statement_timeout, current_setting('idle_in_transaction_session_timeout') AS idle",
    );
    expect(row).toEqual({ statement_timeout: "5s", idle: "1min" });
  });

  it("ends a transaction left idle past the idle-in-transaction timeout, releasing its locks", async () => {
    const key = Math.floor(Math.random() * 1e9);
    const p = pool(url, { idleInTransactionTimeoutMs: 300 });
    const { error } = await timed(
      transaction(p, async (c) => {
        await c.query("SELECT pg_advisory_xact_lock($1)", [key]);
        await new Promise((r) => setTimeout(r, 1500));
        await c.query("SELECT 1");
      }),
    );
    expect(error).toMatchObject({ code: "database_timeout" });
    expect((error as Error).message).toContain("databaseIdleInTransactionTimeoutMs (300 ms)");
    // The lock the closed session held is gone.
    const got = await withClient(url, (c) =>
      c.query<{ got: boolean }>("SELECT pg_try_advisory_lock($1) AS got", [key]),
    );
    expect(got.rows[0]!.got).toBe(true);
    // And the pool goes on with a fresh connection.
    expect(await query<{ one: number }>(p, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
  });
});

// These need no PostgreSQL: the "server" is a local TCP socket that never answers.
it("fails a connect to a server that accepts but never answers within the connect timeout", async () => {
  const port = await silentServer();
  const p = pool(`postgres://docket@127.0.0.1:${port}/docket`, { connectTimeoutMs: 300 });
  const viaQuery = await timed(query(p, "SELECT 1"));
  expect(viaQuery.error).toMatchObject({ code: "database_timeout" });
  expect((viaQuery.error as Error).message).toContain(
    `127.0.0.1:${port} within databaseConnectTimeoutMs (300 ms)`,
  );
  expect(viaQuery.ms).toBeLessThan(10_000);
  const viaTransaction = await timed(transaction(p, (c) => c.query("SELECT 1")));
  expect(viaTransaction.error).toMatchObject({ code: "database_timeout" });
  expect(viaTransaction.ms).toBeLessThan(10_000);
});

it("fails opening a store on such a server instead of hanging at start-up", async () => {
  const port = await silentServer();
  const { ms, error } = await timed(
    openPostgresStore({
      url: `postgres://docket@127.0.0.1:${port}/docket`,
      timeouts: { ...DEFAULT_PG_TIMEOUTS, connectTimeoutMs: 300 },
    }),
  );
  expect(error).toMatchObject({ code: "database_timeout" });
  expect(ms).toBeLessThan(10_000);
});

it("gives up on a server that stops answering mid-session (client-side backstop)", async () => {
  const port = await silentServer(true);
  const p = pool(`postgres://docket@127.0.0.1:${port}/docket`, { statementTimeoutMs: 200 });
  const { ms, error } = await timed(transaction(p, (c) => c.query("SELECT 1")));
  expect(error).toMatchObject({ code: "database_timeout" });
  expect((error as Error).message).toContain("did not answer a statement within 5200 ms");
  // One backstop interval (not two: the stuck connection is dropped, not rolled back).
  expect(ms).toBeLessThan(15_000);
}, 20_000);

it("takes the limits from docket.config.json (databaseConnectTimeoutMs)", async () => {
  const port = await silentServer();
  const config = defaultConfig();
  config.databaseUrl = `postgres://docket@127.0.0.1:${port}/docket`;
  config.databaseConnectTimeoutMs = 400;
  const { ms, error } = await timed(openStore(config));
  expect((error as Error).message).toContain("databaseConnectTimeoutMs (400 ms)");
  expect(ms).toBeLessThan(10_000);
});
