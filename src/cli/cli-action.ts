import { reportCliError } from "./cli-errors.js";

/**
 * Runs a command's action and sets the exit code: the action's own,
 * or the one `reportCliError` gives an error a person can act on (1 usage/refused,
 * 2 unreachable). An unexpected error is rethrown, stack and all.
 */
export async function runCliAction(action: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await action();
  } catch (err) {
    const code = reportCliError(err);
    if (code === null) throw err;
    process.exitCode = code;
  }
}
