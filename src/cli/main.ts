import { Command } from "commander";
import { DocketError } from "../domain/errors.js";
import { ApiError } from "./api-client.js";
import { registerBatchCommands } from "./commands/batches.js";
import { registerDemoCommand } from "./commands/demo.js";
import { registerEstimateCommand } from "./commands/estimate.js";
import { registerFakeBackendCommand } from "./commands/fake-backend.js";
import { registerModelCommand } from "./commands/model.js";
import { registerPrepareCommand } from "./commands/prepare.js";
import { registerServeCommand } from "./commands/serve.js";

export async function main(argv: string[]): Promise<void> {
  const program = new Command("docket")
    .description("Asynchronous and batch inference for generative AI models")
    .showHelpAfterError();
  registerServeCommand(program);
  registerBatchCommands(program);
  registerFakeBackendCommand(program);
  registerModelCommand(program);
  registerDemoCommand(program);
  registerPrepareCommand(program);
  registerEstimateCommand(program);
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
