import { Command } from "commander";
import { reportCliError } from "./cli-errors.js";
import { registerEstimateCommand } from "./commands/estimate.js";
import { registerPrepareCommand } from "./commands/prepare.js";

/** Commands this entry serves alone (`bin/docket.js` picks it by the first argument). */
export const PREP_COMMANDS: readonly string[] = ["prepare", "estimate"];

/**
 * `docket prepare` and `docket estimate` without loading every other command: the full CLI's
 * modules (servers, stores, SDKs) cost ~0.7 s of CPU and ~50 MB of RSS at start (measured:
 * 117 MB and 0.85 s for `docket --version`, 65 MB and 0.12 s for these two), a third of an
 * estimate run over 200 MB. The commands register themselves as in `main.ts`, so options, help
 * and exit codes are the same.
 */
export async function main(argv: string[]): Promise<void> {
  const program = new Command("docket")
    .description("Asynchronous and batch inference for generative AI models")
    .showHelpAfterError();
  registerPrepareCommand(program);
  registerEstimateCommand(program);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const code = reportCliError(err);
    if (code === null) throw err;
    process.exit(code);
  }
}
