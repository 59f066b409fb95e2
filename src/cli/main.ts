import { Command } from "commander";
import { DocketError } from "../domain/errors.js";
import { ApiError } from "./api-client.js";
import { registerApiCommand } from "./commands/api.js";
import { registerBatchCommands } from "./commands/batches.js";
import { registerDemoCommand } from "./commands/demo.js";
import { registerEstimateCommand } from "./commands/estimate.js";
import { registerExportCommand } from "./commands/export.js";
import { registerFakeBackendCommand } from "./commands/fake-backend.js";
import { registerInvokeCommand } from "./commands/invoke.js";
import { registerModelCommand } from "./commands/model.js";
import { registerPrepareCommand } from "./commands/prepare.js";
import { registerRunCommand } from "./commands/run.js";
import { registerServeCommand } from "./commands/serve.js";
import { registerWorkerCommand } from "./commands/worker.js";

export async function main(argv: string[]): Promise<void> {
  const program = new Command("docket")
    .description("Asynchronous and batch inference for generative AI models")
    .showHelpAfterError();
  registerServeCommand(program);
  registerApiCommand(program);
  registerWorkerCommand(program);
  registerBatchCommands(program);
  registerInvokeCommand(program);
  registerFakeBackendCommand(program);
  registerModelCommand(program);
  registerDemoCommand(program);
  registerPrepareCommand(program);
  registerEstimateCommand(program);
  registerRunCommand(program);
  registerExportCommand(program);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof ApiError || err instanceof DocketError) {
      console.error(`error: ${err.message}`);
      process.exit(err instanceof ApiError && err.status === 0 ? 2 : 1);
    }
    throw err;
  }
}
