import { Command } from "commander";
import { vi } from "vitest";

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/**
 * Runs `docket <args>` in process with the given commands registered, capturing what it prints
 * (console and commander's own output; the progress bar's stderr is silenced) and its exit code.
 */
export async function runCliInProcess(
  register: Array<(program: Command) => void>,
  args: string[],
): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
  vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
  vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  const program = new Command("docket").exitOverride().configureOutput({
    writeErr: (s) => void err.push(s),
    writeOut: (s) => void out.push(s),
  });
  for (const r of register) r(program);
  process.exitCode = undefined;
  let code: number;
  try {
    await program.parseAsync(["node", "docket", ...args]);
    code = Number(process.exitCode ?? 0);
  } catch (e) {
    code = (e as { exitCode?: number }).exitCode ?? -1;
    if (code === -1) err.push(String(e));
  } finally {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  }
  return { code, out: out.join("\n"), err: err.join("\n") };
}
