import type pg from "pg";
import { listenerClient, query } from "./pg-connection.js";

const CHANNEL = "docket_work";
const RECONNECT_MS = 1000;

/**
 * LISTEN/NOTIFY as a latency hint (pg-boss's notifier): a worker idle between polls wakes as
 * soon as another process says work arrived. Polling stays the truth, so a hint that is lost
 * while the listening connection is down costs at most one poll interval.
 *
 * Channels are database-wide while Docket's tables may live in a schema, so the payload names
 * the schema and listeners ignore hints meant for another one.
 */
export class PgWorkHints {
  private readonly listeners = new Set<() => void>();
  private client: pg.Client | undefined;
  private reconnect: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly schema: string | undefined,
    private readonly connectTimeoutMs?: number,
  ) {}

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    if (!this.client && !this.reconnect) void this.connect();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.disconnect();
    };
  }

  async notify(pool: pg.Pool): Promise<void> {
    await query(pool, "SELECT pg_notify($1, $2)", [CHANNEL, this.schema ?? ""]);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    this.disconnect();
  }

  private async connect(): Promise<void> {
    this.reconnect = undefined;
    if (this.closed || this.listeners.size === 0) return;
    const client = listenerClient(this.url, this.schema, this.connectTimeoutMs);
    this.client = client;
    const lost = () => {
      if (this.client !== client) return;
      this.client = undefined;
      void client.end().catch(() => {});
      if (!this.closed && this.listeners.size > 0)
        this.reconnect = setTimeout(() => void this.connect(), RECONNECT_MS);
    };
    client.on("error", lost);
    client.on("end", lost);
    client.on("notification", (msg) => {
      if (msg.channel !== CHANNEL || (msg.payload ?? "") !== (this.schema ?? "")) return;
      for (const listener of [...this.listeners]) listener();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch {
      lost();
    }
  }

  private disconnect(): void {
    if (this.reconnect) clearTimeout(this.reconnect);
    this.reconnect = undefined;
    const client = this.client;
    this.client = undefined;
    void client?.end().catch(() => {});
  }
}
