import { fileURLToPath } from "node:url";

const REGISTER = fileURLToPath(new URL("./register.mjs", import.meta.url));

/**
 * Arguments for `spawn(process.execPath, …)` that run the TypeScript file `script` in a child
 * Node process (the tests' children: fake CLIs, processes killed mid-job), with `args` after it.
 * The child runs on the same Node as the suite, so CI's Node 24 run covers them too.
 */
export function tsChildArgs(script: string, args: string[] = [], nodeOptions: string[] = []): string[] {
  return [...nodeOptions, "--import", REGISTER, script, ...args];
}
