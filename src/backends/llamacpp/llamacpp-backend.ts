import { availableParallelism } from "node:os";
import { DocketError } from "../../domain/errors.js";
import {
  type Backend,
  type BackendFailure,
  type BackendRequest,
  type BackendResult,
  unansweredFailure,
} from "../backend.js";
import { engineEntryPath } from "./engine-entry.js";
import { type ChildExit, describeExit, EngineProcessHandle } from "./engine-process-handle.js";
import type { EngineInfo, EngineStats } from "./engine-protocol.js";
import { type ModelSummary, validateModel } from "./validate-model.js";

export interface LlamaCppBackendOptions {
  modelPath: string;
  /** Contexts in the pool, each serving one request on one thread. Default: the CPU count. */
  contexts?: number;
  /** Tokens per context. Default: min(2048, the model's training context). */
  contextSize?: number;
  /** Threads per context. 1 is fastest on CPU (docs/local-engine.md); change only to measure. */
  threadsPerContext?: number;
  /** Crashes of a loaded engine tolerated within `crashWindowMs` before the route gives up. */
  maxRestarts?: number;
  crashWindowMs?: number;
}

/**
 * Serves OpenAI chat/completions/embeddings bodies from a local GGUF with llama.cpp, running in
 * a child process: a model that aborts the native code takes down the child, not Docket. The
 * model is validated and loaded on first use (or `start()`); a model that cannot load fails
 * every request with the non-retryable `model_load_failed`.
 */
export class LlamaCppBackend implements Backend {
  private engine: EngineProcessHandle | null = null;
  private starting: Promise<EngineProcessHandle | BackendFailure> | null = null;
  private permanentFailure: BackendFailure | null = null;
  private crashTimes: number[] = [];
  private closed = false;
  private summary: ModelSummary | null = null;
  private engineInfo: EngineInfo | null = null;
  private readonly contexts: number;

  constructor(private readonly options: LlamaCppBackendOptions) {
    this.contexts = Math.max(1, options.contexts ?? availableParallelism());
  }

  async send(request: BackendRequest): Promise<BackendResult> {
    if (this.closed) return unansweredFailure("backend_closed", "The llamacpp backend was closed.", false);
    const engine = await this.ensureEngine();
    if (!(engine instanceof EngineProcessHandle)) return engine;
    return engine.request(
      request.endpoint,
      request.body,
      request.signal,
      (exit) =>
        this.permanentFailure ??
        unansweredFailure(
          "engine_crashed",
          `model ${this.options.modelPath}: ${describeExit(exit)}; it will be restarted.`,
          true,
        ),
      () => unansweredFailure("aborted", "The request was aborted before it finished.", true),
    );
  }

  /** Validates and loads the model now; throws a DocketError (`model_load_failed`) if it cannot. */
  async start(): Promise<EngineInfo & { model: ModelSummary }> {
    const engine = await this.ensureEngine();
    if (!(engine instanceof EngineProcessHandle)) throw new DocketError(engine.code, engine.message, 500);
    return { ...this.engineInfo!, model: this.summary! };
  }

  /** node-llama-cpp's own token counters in the engine, or null when no engine is running. */
  async stats(): Promise<EngineStats | null> {
    return this.engine?.alive ? this.engine.stats() : null;
  }

  /** The engine child's process id while one runs (for operators and crash tests). */
  get enginePid(): number | null {
    return this.engine?.alive ? this.engine.pid : null;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.starting;
    await this.engine?.close();
    this.engine = null;
  }

  private ensureEngine(): Promise<EngineProcessHandle | BackendFailure> {
    if (this.permanentFailure) return Promise.resolve(this.permanentFailure);
    if (this.engine?.alive) return Promise.resolve(this.engine);
    this.starting ??= this.startEngine().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  private async startEngine(): Promise<EngineProcessHandle | BackendFailure> {
    const path = this.options.modelPath;
    try {
      this.summary ??= await validateModel(path);
      const entry = engineEntryPath();
      const handle = new EngineProcessHandle(
        entry,
        {
          modelPath: path,
          contexts: this.contexts,
          contextSize: this.options.contextSize ?? null,
          threadsPerContext: this.options.threadsPerContext ?? 1,
        },
        (exit, wasReady) => this.onEngineExit(handle, exit, wasReady),
      );
      this.engineInfo = await handle.ready;
      if (this.closed) {
        await handle.close();
        return unansweredFailure("backend_closed", "The llamacpp backend was closed.", false);
      }
      this.engine = handle;
      return handle;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const message = reason.startsWith(`model ${path}`)
        ? reason
        : `model ${path} could not be loaded: ${reason}`;
      const code =
        error instanceof DocketError && error.code === "engine_not_built" ? error.code : "model_load_failed";
      this.permanentFailure = unansweredFailure(code, message, false);
      return this.permanentFailure;
    }
  }

  /**
   * A loaded engine died. Restart on the next request, unless it keeps dying: then the model (or
   * the machine) is the problem and every request fails at once instead of looping.
   */
  private onEngineExit(handle: EngineProcessHandle, exit: ChildExit, wasReady: boolean): void {
    if (this.engine === handle) this.engine = null;
    if (this.closed || !wasReady) return;
    const now = Date.now();
    const window = this.options.crashWindowMs ?? 60_000;
    this.crashTimes = [...this.crashTimes.filter((t) => now - t < window), now];
    if (this.crashTimes.length > (this.options.maxRestarts ?? 3)) {
      this.permanentFailure = unansweredFailure(
        "engine_crashed",
        `model ${this.options.modelPath}: ${describeExit(exit)}; it crashed ${this.crashTimes.length} times ` +
          `within ${window / 1000} s, so this route is stopped until Docket restarts.`,
        false,
      );
    }
  }
}
