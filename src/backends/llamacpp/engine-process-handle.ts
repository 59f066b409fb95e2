import { type ChildProcess, fork } from "node:child_process";
import type { BackendResult } from "../backend.js";
import type {
  ChildMessage,
  EngineInfo,
  EngineOptions,
  EngineStats,
  ParentMessage,
} from "./engine-protocol.js";

/** How the child ended, for the error message a person reads. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines the child wrote to stderr (llama.cpp prints its assertion there). */
  stderrTail: string;
}

const STDERR_TAIL_BYTES = 2000;

/**
 * One engine child process: fork, load, then request/response by id over IPC. It reports its own
 * death through `onExit` and never restarts itself; LlamaCppBackend decides that.
 */
export class EngineProcessHandle {
  private readonly child: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, (result: BackendResult) => void>();
  private readonly pendingStats = new Map<number, (stats: EngineStats) => void>();
  private stderrTail = "";
  private exit: ChildExit | null = null;
  private readonly exited: Promise<ChildExit>;
  readonly ready: Promise<EngineInfo>;

  constructor(entry: string, options: EngineOptions, onExit: (exit: ChildExit, wasReady: boolean) => void) {
    // execArgv: [] so a parent running under vitest or a loader does not pass its flags on.
    this.child = fork(entry, [], {
      execArgv: [],
      env: engineEnv(process.env),
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      serialization: "json",
    });
    this.child.stderr?.on("data", (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString("utf8")).slice(-STDERR_TAIL_BYTES);
    });
    let wasReady = false;
    this.exited = new Promise((resolve) => {
      this.child.on("exit", (code, signal) => {
        // stderr may still hold the native assertion message: let it drain first.
        setImmediate(() => {
          this.exit = { code, signal, stderrTail: this.stderrTail.trim() };
          resolve(this.exit);
          onExit(this.exit, wasReady);
        });
      });
    });
    this.ready = new Promise<EngineInfo>((resolve, reject) => {
      this.child.on("message", (message: ChildMessage) => {
        switch (message.type) {
          case "ready":
            wasReady = true;
            resolve(message.info);
            return;
          case "init_failed":
            reject(new EngineLoadError(message.message));
            return;
          case "result": {
            const done = this.pending.get(message.id);
            this.pending.delete(message.id);
            done?.(message.result);
            return;
          }
          case "stats": {
            const done = this.pendingStats.get(message.id);
            this.pendingStats.delete(message.id);
            done?.(message.stats);
            return;
          }
        }
      });
      this.exited.then((exit) => reject(new EngineLoadError(describeExit(exit))));
    });
    this.ready.catch(() => {}); // observed by the backend; avoid an unhandled rejection here
    this.post({ type: "init", options });
  }

  get pid(): number | null {
    return this.child.pid ?? null;
  }

  get alive(): boolean {
    return this.exit === null;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Resolves with the child's answer, or with `onDeath`'s failure when the child dies first. */
  request(
    endpoint: string,
    body: string,
    signal: AbortSignal | undefined,
    onDeath: (exit: ChildExit) => BackendResult,
    onAbort: () => BackendResult,
  ): Promise<BackendResult> {
    const id = this.nextId++;
    return new Promise<BackendResult>((resolve) => {
      const finish = (result: BackendResult) => {
        signal?.removeEventListener("abort", abort);
        resolve(result);
      };
      const abort = () => {
        if (!this.pending.delete(id)) return;
        this.post({ type: "cancel", id });
        finish(onAbort());
      };
      this.pending.set(id, finish);
      this.exited.then((exit) => {
        if (this.pending.delete(id)) finish(onDeath(exit));
      });
      if (signal?.aborted) return abort();
      signal?.addEventListener("abort", abort, { once: true });
      this.post({ type: "request", id, endpoint, body });
    });
  }

  stats(): Promise<EngineStats | null> {
    if (!this.alive) return Promise.resolve(null);
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pendingStats.set(id, resolve);
      this.exited.then(() => {
        if (this.pendingStats.delete(id)) resolve(null);
      });
      this.post({ type: "stats", id });
    });
  }

  /** Closes the IPC channel (the child exits on disconnect), then kills it if it lingers. */
  async close(graceMs = 2000): Promise<void> {
    if (!this.alive) return;
    if (this.child.connected) this.child.disconnect();
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  private post(message: ParentMessage): void {
    if (this.child.connected) this.child.send(message);
  }
}

export class EngineLoadError extends Error {
  override name = "EngineLoadError";
}

export function describeExit(exit: ChildExit): string {
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  // Node ends an uncaught exception with its version line; the error itself is above it.
  const lines = exit.stderrTail.split("\n").filter((l) => l.trim() && !/^Node\.js v\d/.test(l));
  const errorLine = lines.find((l) => /Error|error:|GGML_ASSERT/.test(l)) ?? lines[lines.length - 1];
  return errorLine ? `the engine process ${how}: ${errorLine.trim()}` : `the engine process ${how}`;
}

/**
 * The child's environment. node-llama-cpp reads `CI` as a strict boolean at import and throws
 * on anything else (an empty `CI=` is common in shells and scripts), which would kill every
 * engine: such a value is dropped rather than passed on.
 */
export function engineEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const ci = env.CI;
  if (ci === undefined || /^(true|false|1|0)$/i.test(ci)) return env;
  const { CI: _dropped, ...rest } = env;
  return rest;
}
