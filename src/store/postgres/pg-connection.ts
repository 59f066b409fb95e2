import pg from "pg";
import { DocketError } from "../../domain/errors.js";

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

export function createPool(url: string, schema: string | undefined, poolSize: number): pg.Pool {
  const pool = new pg.Pool({ ...connection(url, schema), max: poolSize, types, application_name: "docket" });
  // An idle connection dropped by the server must not crash the process: the pool discards it
  // and the next query opens a fresh one.
  pool.on("error", () => {});
  return pool;
}

export function listenerClient(url: string, schema: string | undefined): pg.Client {
  return new pg.Client({
    ...connection(url, schema),
    types,
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
      if (!isRetryable(err) || tries >= MAX_TRIES) throw err;
    }
  }
}

/** Runs `work` in one transaction on one connection, retrying the whole of it on deadlock. */
export async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (err) {
      await client.query("ROLLBACK").catch((rollbackErr: Error) => {
        broken = rollbackErr;
      });
      if (!isRetryable(err) || tries >= MAX_TRIES) throw err;
    } finally {
      // A connection that could not even roll back is destroyed rather than reused.
      client.release(broken);
    }
  }
}
