import type { BackendResult } from "../backend.js";

/**
 * Messages between LlamaCppBackend (parent) and the engine child process over Node's IPC
 * channel. Plain JSON: the child may be a different build of this file only if someone forgot to
 * rebuild, and then the shapes are at least inspectable.
 */
export interface EngineOptions {
  modelPath: string;
  contexts: number;
  /** null: min(2048, the model's training context). */
  contextSize: number | null;
  threadsPerContext: number;
}

export interface EngineInfo {
  modelName: string;
  contexts: number;
  contextSize: number;
  embeddingLength: number;
}

/** Counted by node-llama-cpp's own token meters, independent of our per-request counting. */
export interface EngineStats {
  /** Tokens the model sampled (generated), across every sequence. */
  sampledTokens: number;
  /** Tokens the model decoded (prompts plus generated tokens fed back), across every sequence. */
  decodedTokens: number;
  requests: number;
}

export type ParentMessage =
  | { type: "init"; options: EngineOptions }
  | { type: "request"; id: number; endpoint: string; body: string }
  | { type: "cancel"; id: number }
  | { type: "stats"; id: number };

export type ChildMessage =
  | { type: "ready"; info: EngineInfo }
  | { type: "init_failed"; code: string; message: string }
  | { type: "result"; id: number; result: BackendResult }
  | { type: "stats"; id: number; stats: EngineStats };
