import { Command } from "commander";
import { reportCliError } from "./cli-errors.js";
import { registerApiCommand } from "./commands/api.js";
import { registerBatchCommands } from "./commands/batches.js";
import { registerDemoCommand } from "./commands/demo.js";
import { registerEstimateCommand } from "./commands/estimate.js";
import { registerExportCommand } from "./commands/export.js";
import { registerFakeBackendCommand } from "./commands/fake-backend.js";
import { registerInvokeCommand } from "./commands/invoke.js";
import { registerKeysCommands } from "./commands/keys.js";
import { registerModelCommand } from "./commands/model.js";
import { registerPrepareCommand } from "./commands/prepare.js";
import { registerRetryCommand } from "./commands/retry.js";
import { registerRunCommand } from "./commands/run.js";
import { registerServeCommand } from "./commands/serve.js";
import { registerWorkerCommand } from "./commands/worker.js";
import { packageVersion } from "./package-version.js";

export async function main(argv: string[]): Promise<void> {
  const program = new Command("docket")
    .description("Asynchronous and batch inference for generative AI models")
    .version(packageVersion(), "-V, --version", "print Docket's version")
    .showHelpAfterError();
  registerServeCommand(program);
  registerApiCommand(program);
  registerWorkerCommand(program);
  registerBatchCommands(program);
  registerRetryCommand(program);
  registerInvokeCommand(program);
  registerFakeBackendCommand(program);
  registerModelCommand(program);
  registerDemoCommand(program);
  registerPrepareCommand(program);
  registerEstimateCommand(program);
  registerRunCommand(program);
  registerExportCommand(program);
  registerKeysCommands(program);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    // Commands that run a server report start-up errors here; client commands report their
    // own (runCliAction), with the same messages and exit codes.
    const code = reportCliError(err);
    if (code === null) throw err;
    process.exit(code);
  }
}
