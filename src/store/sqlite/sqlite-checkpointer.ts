import { createRequire } from "node:module";
import { resolve } from "node:path";
import { Worker } from "node:worker_threads";
import type { SqliteDatabase } from "./sqlite-database.js";
import { sqliteDriverName } from "./sqlite-driver.js";

/** SQLite's own default: the connection that commits checkpoints once the WAL holds this many pages. */
const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;
/**
 * While the thread runs, the main connection checkpoints only past this many pages (32 MiB of
 * 4 KiB pages): a bound on the WAL should the thread fall behind. It then finds most frames
 * already copied, and its checkpoint is what lets the next commit start the WAL over.
 */
const MAIN_AUTOCHECKPOINT_PAGES = 8000;
/** How often the thread copies the WAL into the database file. */
const DEFAULT_INTERVAL_MS = 200;

/**
 * The checkpointing thread: plain JavaScript given as text (it needs no Docket module), so it
 * starts the same from the sources (tests, bench) and from the build. PASSIVE checkpoints take
 * no lock the main connection waits for: they copy what is committed and step aside.
 */
const CHECKPOINT_THREAD = `
const { parentPort, workerData } = require("node:worker_threads");
const { path, driver, driverModule, synchronous, intervalMs } = workerData;
const db = driver === "node:sqlite"
  ? new (process.getBuiltinModule("node:sqlite").DatabaseSync)(path, { timeout: 0 })
  : new (require(driverModule))(path, { timeout: 0 });
db.exec("PRAGMA synchronous = " + synchronous);
const checkpoint = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
const timer = setInterval(() => {
  const row = checkpoint.get();
  const copied = Number(row.checkpointed);
  if (copied > 0) parentPort.postMessage({ copied, log: Number(row.log) });
}, intervalMs);
parentPort.on("message", (m) => {
  if (m !== "close") return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface CheckpointerOptions {
  intervalMs?: number;
  /** Told after each checkpoint that copied frames (tests watch it). */
  onCheckpoint?: (copied: number, log: number) => void;
}

/**
 * Copies the WAL into the database file from a worker thread with its own connection, instead of
 * inside whichever commit crosses SQLite's 1000-page mark on the event loop: a checkpoint copies
 * up to 4 MiB and fsyncs the WAL and the database, which cost the durable path about a fifth of
 * its event-loop time (docs/performance.md). Durability is SQLite's own: a checkpoint syncs the
 * WAL before copying and the database after, on any connection.
 *
 * Started on demand (the first sustained stream of results), so short-lived stores and tests do
 * not pay for a thread; should the thread fail, the main connection checkpoints as before.
 */
export class WalCheckpointer {
  private worker: Worker | null = null;
  private state: "idle" | "running" | "ended" = "idle";

  constructor(
    private readonly db: SqliteDatabase,
    private readonly path: string,
    private readonly options: CheckpointerOptions = {},
  ) {}

  get running(): boolean {
    return this.state === "running";
  }

  /** Starts the thread once; a memory database (no WAL) never needs it. */
  start(): void {
    if (this.state !== "idle" || this.path === ":memory:" || !this.db.open) return;
    const driver = sqliteDriverName();
    const level = (this.db.pragma("synchronous") as Array<{ synchronous?: number }>)[0]?.synchronous ?? 2;
    const worker = new Worker(CHECKPOINT_THREAD, {
      eval: true,
      workerData: {
        path: resolve(this.path),
        driver,
        driverModule:
          driver === "better-sqlite3" ? createRequire(import.meta.url).resolve("better-sqlite3") : null,
        synchronous: level,
        intervalMs: this.options.intervalMs ?? DEFAULT_INTERVAL_MS,
      },
    });
    // Never what keeps a process alive: the store's close ends it.
    worker.unref();
    worker.on("message", (m: { copied: number; log: number }) =>
      this.options.onCheckpoint?.(m.copied, m.log),
    );
    worker.on("error", (err) => {
      console.error(
        `docket: the SQLite checkpoint thread failed, checkpointing on the main thread: ${err.message}`,
      );
      this.fallBack();
    });
    worker.on("exit", () => {
      if (this.state === "running") this.fallBack();
    });
    this.worker = worker;
    this.state = "running";
    this.db.pragma(`wal_autocheckpoint = ${MAIN_AUTOCHECKPOINT_PAGES}`);
  }

  /** Ends the thread and gives checkpoints back to the main connection (before it closes). */
  async stop(): Promise<void> {
    const worker = this.worker;
    this.fallBack();
    if (!worker) return;
    const exited = new Promise<void>((r) => worker.once("exit", () => r()));
    worker.postMessage("close");
    // A thread stuck in a checkpoint (a slow disk) must not hold the close up for long.
    const timer = setTimeout(() => void worker.terminate(), 5_000);
    await exited;
    clearTimeout(timer);
  }

  private fallBack(): void {
    this.state = "ended";
    this.worker = null;
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
  }
}
