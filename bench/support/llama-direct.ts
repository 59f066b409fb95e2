import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { resolve } from "node:path";

export interface Completion {
  prompt: string;
  tokens: number;
  seed: number;
}

export interface DirectLlama {
  /** Runs every completion, each on the next free context; returns tokens sampled and seconds. */
  run(completions: Completion[]): Promise<{ tokens: number; seconds: number }>;
  close(): Promise<void>;
}

const CHILD = resolve(import.meta.dirname, "llama-direct-child.mjs");

/**
 * node-llama-cpp driven directly, in a child process like Docket's engine, with the same
 * contexts (llama-direct-child.mjs says what is the same and what is left out).
 */
export async function openDirectLlama(modelPath: string, contexts: number): Promise<DirectLlama> {
  // execArgv: [] so vite-node's loader flags do not reach the child (as the engine does).
  const child: ChildProcess = fork(CHILD, [], {
    execArgv: [],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const ask = async (message: object): Promise<{ tokens?: number; error?: string }> => {
    const answer = once(child, "message") as Promise<[{ tokens?: number; error?: string }]>;
    child.send(message);
    const [reply] = await Promise.race([
      answer,
      once(child, "exit").then(([code]) => {
        throw new Error(`the direct node-llama-cpp child exited with ${code}`);
      }),
    ]);
    if (reply.error) throw new Error(`direct node-llama-cpp: ${reply.error}`);
    return reply;
  };
  try {
    await ask({ modelPath, contexts });
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  }
  return {
    async run(completions) {
      const started = performance.now();
      const { tokens } = await ask({ completions });
      return { tokens: tokens ?? 0, seconds: (performance.now() - started) / 1000 };
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.disconnect();
      await exited;
    },
  };
}
