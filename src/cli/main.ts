import { Command } from "commander";
import { reportCliError } from "./cli-errors.js";
import { packageVersion } from "./package-version.js";

type Register = (program: Command) => void;

/**
 * Every command, by the top-level names it registers, and how to load it. Only the command
 * named on the command line is loaded: `docket serve` restarts after a crash, and each module
 * the other commands pull in (SDKs, exporters, the demo) is start-up time spent before work
 * resumes. Help, `--version` and unknown names load them all, so help still lists every command.
 */
export const COMMANDS: readonly { names: readonly string[]; load(): Promise<Register> }[] = [
  { names: ["serve"], load: async () => (await import("./commands/serve.js")).registerServeCommand },
  { names: ["api"], load: async () => (await import("./commands/api.js")).registerApiCommand },
  { names: ["worker"], load: async () => (await import("./commands/worker.js")).registerWorkerCommand },
  {
    names: ["submit", "status", "list", "results", "cancel"],
    load: async () => (await import("./commands/batches.js")).registerBatchCommands,
  },
  { names: ["retry"], load: async () => (await import("./commands/retry.js")).registerRetryCommand },
  { names: ["invoke"], load: async () => (await import("./commands/invoke.js")).registerInvokeCommand },
  {
    names: ["fake-backend"],
    load: async () => (await import("./commands/fake-backend.js")).registerFakeBackendCommand,
  },
  { names: ["model"], load: async () => (await import("./commands/model.js")).registerModelCommand },
  { names: ["demo"], load: async () => (await import("./commands/demo.js")).registerDemoCommand },
  { names: ["prepare"], load: async () => (await import("./commands/prepare.js")).registerPrepareCommand },
  { names: ["estimate"], load: async () => (await import("./commands/estimate.js")).registerEstimateCommand },
  { names: ["run"], load: async () => (await import("./commands/run.js")).registerRunCommand },
  { names: ["export"], load: async () => (await import("./commands/export.js")).registerExportCommand },
  { names: ["keys"], load: async () => (await import("./commands/keys.js")).registerKeysCommands },
];

/** The commands to register for this command line: the one it names, else all (in help's order). */
export function commandsFor(argv: readonly string[]): readonly { load(): Promise<Register> }[] {
  const name = argv[2];
  const named = COMMANDS.find((c) => name !== undefined && c.names.includes(name));
  return named ? [named] : COMMANDS;
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command("docket")
    .description("Asynchronous and batch inference for generative AI models")
    .version(packageVersion(), "-V, --version", "print Docket's version")
    .showHelpAfterError();
  const registers = await Promise.all(commandsFor(argv).map((c) => c.load()));
  for (const register of registers) register(program);
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
