/**
 * Entry of the engine child process (forked by LlamaCppBackend). llama.cpp can abort the whole
 * process on a bad model or a native bug; living here, it takes down only this child and the
 * parent reports a clear error instead of dying.
 */
import { type BackendFailure, unansweredFailure } from "../backend.js";
import type { ChildMessage, ParentMessage } from "./engine-protocol.js";
import { LlamaEngine } from "./llama-engine.js";

let engine: LlamaEngine | null = null;
const inFlight = new Map<number, { aborted: boolean }>();

function send(message: ChildMessage): void {
  process.send?.(message);
}

process.on("message", (raw: ParentMessage) => {
  switch (raw.type) {
    case "init":
      LlamaEngine.load(raw.options).then(
        (loaded) => {
          engine = loaded;
          send({ type: "ready", info: loaded.info });
        },
        (error: unknown) => {
          send({ type: "init_failed", code: "model_load_failed", message: errorMessage(error) });
        },
      );
      return;
    case "request": {
      const current = engine;
      if (!current) {
        send({
          type: "result",
          id: raw.id,
          result: internalFailure("The engine received a request before loading."),
        });
        return;
      }
      const signal = { aborted: false };
      inFlight.set(raw.id, signal);
      current
        .handle(raw.endpoint, raw.body, signal)
        .catch((error: unknown) => internalFailure(errorMessage(error)))
        .then((result) => {
          inFlight.delete(raw.id);
          send({ type: "result", id: raw.id, result });
        });
      return;
    }
    case "cancel": {
      const signal = inFlight.get(raw.id);
      if (signal) signal.aborted = true;
      return;
    }
    case "stats":
      if (engine) send({ type: "stats", id: raw.id, stats: engine.stats() });
      return;
  }
});

// The parent went away (closed, or crashed): nothing left to serve.
process.on("disconnect", () => process.exit(0));

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An engine-side exception while serving one request: retried, it may well succeed. */
function internalFailure(message: string): BackendFailure {
  return unansweredFailure("engine_error", `The llama.cpp engine failed on this request: ${message}`, true);
}
