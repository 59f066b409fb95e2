import pg from "pg";
import { DocketError } from "../../domain/errors.js";
import {
  clientReadTimeoutMs,
  DEFAULT_PG_TIMEOUTS,
  explainPgError,
  type PgTimeouts,
  serverOf,
  sessionSettingsSql,
} from "./pg-timeouts.js";

const INT8_OID = 20;

/**
 * BIGINT columns hold epoch milliseconds, ids and token sums: all far below 2^53, so they are
 * parsed as numbers rather than pg's default strings.
 */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8_OID && format !== "binary"
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format ?? "text")) as pg.CustomTypesConfig["getTypeParser"],
};

/** Lower-case identifiers only: they need no quoting in `search_path` or DDL. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function checkSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new DocketError(
      "invalid_config",
      `PostgreSQL schema '${schema}' is not a plain lower-case identifier (letters, digits, _; at most 63).`,
    );
  }
  return schema;
}

/**
 * The schema goes on `search_path` at connection start, so every pooled connection (and the
 * LISTEN client) sees it without an extra round trip. pg lets an `options` parameter in the URL
 * replace the one given beside it, so one from the URL is moved out and kept alongside ours.
 */
function connection(url: string, schema: string | undefined): { connectionString: string; options?: string } {
  if (!schema) return { connectionString: url };
  const searchPath = `-c search_path=${checkSchemaName(schema)}`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { connectionString: url, options: searchPath };
  }
  const fromUrl = parsed.searchParams.get("options");
  parsed.searchParams.delete("options");
  return { connectionString: parsed.toString(), options: fromUrl ? `${fromUrl} ${searchPath}` : searchPath };
}

/** What a pool's errors are explained with (explainPgError). */
const poolTimeouts = new WeakMap<pg.Pool, { timeouts: PgTimeouts; server: string }>();

export function createPool(
  url: string,
  schema: string | undefined,
  poolSize: number,
  timeouts: PgTimeouts = DEFAULT_PG_TIMEOUTS,
): pg.Pool {
  const pool = new pg.Pool({
    ...connection(url, schema),
    max: poolSize,
    types,
    application_name: "docket",
    // The connect timeout goes on each client, not the pool: pg-pool's own option would also
    // fail callers merely waiting for a free connection, a wait the statement timeout bounds.
    Client: clientWithTimeouts(timeouts),
    query_timeout: clientReadTimeoutMs(timeouts),
    // Lets the OS notice a peer that vanished while a pooled connection sat idle.
    keepAlive: true,
  });
  poolTimeouts.set(pool, { timeouts, server: serverOf(url) });
  // An idle connection dropped by the server must not crash the process: the pool discards it
  // and the next query opens a fresh one.
  pool.on("error", () => {});
  return pool;
}

/**
 * Pool clients whose connect is bounded and which apply the session's timeouts before the pool
 * hands them out, so the first query already runs under them (one round trip per connection).
 */
function clientWithTimeouts(timeouts: PgTimeouts): new () => pg.Client {
  const settings = sessionSettingsSql(timeouts);
  return class extends pg.Client {
    constructor(config?: pg.ClientConfig) {
      super({ ...config, connectionTimeoutMillis: timeouts.connectTimeoutMs });
    }

    override connect(): Promise<pg.Client>;
    override connect(callback: (err: Error | null, client?: pg.Client) => void): void;
    override connect(
      callback?: (err: Error | null, client?: pg.Client) => void,
    ): Promise<pg.Client> | undefined {
      const ready = super.connect().then(async () => {
        try {
          if (settings) await this.query(settings);
          return this;
        } catch (err) {
          // pg-pool drops a client whose connect failed without ending it.
          await this.end().catch(() => {});
          throw err;
        }
      });
      if (!callback) return ready;
      ready.then((client) => callback(null, client), callback);
      return undefined;
    }
  };
}

/** A pool's error, with timeouts explained (see pg-timeouts.ts); others unchanged. */
function explain(pool: pg.Pool, err: unknown): unknown {
  const known = poolTimeouts.get(pool);
  return known ? explainPgError(err, known.timeouts, known.server) : err;
}

export function listenerClient(
  url: string,
  schema: string | undefined,
  connectTimeoutMs = DEFAULT_PG_TIMEOUTS.connectTimeoutMs,
): pg.Client {
  return new pg.Client({
    ...connection(url, schema),
    types,
    connectionTimeoutMillis: connectTimeoutMs,
    keepAlive: true,
    // Names the schema so an operator (or a test) can tell which listener is which.
    application_name: `docket-listen ${schema ?? ""}`.trim(),
  });
}

/** SQLSTATEs where running the whole transaction again is the documented remedy. */
const RETRYABLE = new Set(["40P01", "40001"]);
const MAX_TRIES = 5;

function isRetryable(err: unknown): boolean {
  return RETRYABLE.has((err as { code?: string } | undefined)?.code ?? "");
}

/**
 * One statement, retried on deadlock. Statements that touch records and then jobs take their
 * row locks in that order everywhere, so deadlocks are rare, but PostgreSQL may still pick a
 * victim (e.g. cancel and expiry of the same job at once); the victim simply runs again.
 */
export async function query<R extends pg.QueryResultRow>(
  pool: pg.Pool,
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  for (let tries = 1; ; tries++) {
    try {
      return (await pool.query<R>(text, values)).rows;
    } catch (err) {
      if (!isRetryable(err) || tries >= MAX_TRIES) throw explain(pool, err);
    }
  }
}

/** Runs `work` in one transaction on one connection, retrying the whole of it on deadlock. */
export async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      throw explain(pool, err);
    }
    let broken: Error | undefined;
    // A checked-out client has no pool listener: an error the server sends between statements
    // (e.g. the idle-in-transaction timeout ending the session) would otherwise be thrown. It
    // is also the real reason the next statement fails ("not queryable"), so it is reported.
    let lost: Error | undefined;
    const onError = (err: Error) => {
      lost ??= err;
    };
    client.on("error", onError);
    try {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (err) {
      // A connection whose statement never answered would make ROLLBACK wait behind it:
      // destroy it instead (the server rolls back when the session ends).
      if ((err as Error | undefined)?.message === "Query read timeout") broken = err as Error;
      else
        await client.query("ROLLBACK").catch((rollbackErr: Error) => {
          broken = rollbackErr;
        });
      if (!isRetryable(err) || tries >= MAX_TRIES) throw explain(pool, lost ?? err);
    } finally {
      // A connection that could not even roll back is destroyed rather than reused.
      client.removeListener("error", onError);
      client.release(broken ?? lost);
    }
  }
}
