import { DocketError } from "../../domain/errors.js";

/**
 * Bounds on every wait for PostgreSQL, so a server that is down, overloaded or holding a lock
 * forever makes a call fail with a message instead of hanging a worker or a request.
 * 0 turns a limit off (for the statement and idle limits: the server's own setting applies).
 */
export interface PgTimeouts {
  /** Opening one connection: TCP connect, TLS and the startup handshake (not waiting for a pooled one). */
  connectTimeoutMs: number;
  /** One statement, lock waits included (`statement_timeout`); a client-side backstop follows it. */
  statementTimeoutMs: number;
  /** A transaction left open with nothing running (`idle_in_transaction_session_timeout`). */
  idleInTransactionTimeoutMs: number;
}

export const DEFAULT_PG_TIMEOUTS: Readonly<PgTimeouts> = {
  connectTimeoutMs: 10_000,
  statementTimeoutMs: 60_000,
  idleInTransactionTimeoutMs: 60_000,
};

/**
 * How much longer than the server's statement timeout the client waits for an answer. The
 * server-side limit cannot help when the server (or the network to it) stops answering at
 * all; this one can, and the grace keeps the server's clearer error first in the usual case.
 */
const READ_GRACE_MS = 5_000;

export function clientReadTimeoutMs(t: PgTimeouts): number | undefined {
  return t.statementTimeoutMs > 0 ? t.statementTimeoutMs + READ_GRACE_MS : undefined;
}

/**
 * The session settings sent once on each new connection. A SET rather than startup parameters:
 * PgBouncer (docs/deployment.md) refuses startup parameters it does not know.
 */
export function sessionSettingsSql(t: PgTimeouts): string | null {
  const sets: string[] = [];
  if (t.statementTimeoutMs > 0) sets.push(`SET statement_timeout = ${Math.floor(t.statementTimeoutMs)}`);
  if (t.idleInTransactionTimeoutMs > 0)
    sets.push(`SET idle_in_transaction_session_timeout = ${Math.floor(t.idleInTransactionTimeoutMs)}`);
  return sets.length > 0 ? sets.join("; ") : null;
}

/**
 * Turns pg's timeout errors into errors that name the setting that fired and what to check;
 * any other error is returned as it is (callers match SQLSTATEs such as 23505 on those).
 */
export function explainPgError(err: unknown, t: PgTimeouts, server: string): unknown {
  const e = err as { code?: unknown; message?: unknown } | null | undefined;
  const message = typeof e?.message === "string" ? e.message : "";
  let text: string | null = null;
  if (e?.code === "57014" && message.includes("statement timeout")) {
    text = `A PostgreSQL statement ran longer than databaseStatementTimeoutMs (${t.statementTimeoutMs} ms) and was cancelled by the server; it may be waiting on a lock or the server may be overloaded.`;
  } else if (e?.code === "25P03") {
    text = `PostgreSQL closed a connection that sat idle inside a transaction for more than databaseIdleInTransactionTimeoutMs (${t.idleInTransactionTimeoutMs} ms).`;
  } else if (message === "Query read timeout") {
    text = `PostgreSQL at ${server} did not answer a statement within ${clientReadTimeoutMs(t)} ms (databaseStatementTimeoutMs + ${READ_GRACE_MS} ms); the server or the network to it may be down.`;
  } else if (message.includes("connection timeout") || message === "timeout expired") {
    text = `Could not connect to PostgreSQL at ${server} within databaseConnectTimeoutMs (${t.connectTimeoutMs} ms); check that the server is up and reachable from here.`;
  }
  if (text === null) return err;
  const wrapped = new DocketError("database_timeout", text, 503);
  (wrapped as Error & { cause?: unknown }).cause = err;
  return wrapped;
}

/** `host:port` of a connection URL, without credentials, for messages. */
export function serverOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || "localhost"}:${u.port || "5432"}`;
  } catch {
    return "the configured server";
  }
}
