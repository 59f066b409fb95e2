import { stat } from "node:fs/promises";
import { type Command, InvalidArgumentError } from "commander";
import { validateModel } from "../../backends/llamacpp/validate-model.js";
import { DocketError } from "../../domain/errors.js";
import { createDummyModel } from "../../gguf/create-dummy-model.js";
import { DUMMY_MODEL_SIZES, type DummyModelSize, isDummyModelSize } from "../../gguf/dummy-model-sizes.js";

/**
 * `docket model create-dummy` writes a random-weights GGUF for trying the local engine without
 * downloading a model; `docket model inspect` checks a GGUF the way the engine will before
 * loading it.
 */
export function registerModelCommand(program: Command): void {
  const model = program.command("model").description("Local GGUF models for the llamacpp backend");

  model
    .command("create-dummy")
    .description(
      "Write a llama GGUF with random weights (it generates random tokens: for tests and benchmarks)",
    )
    .argument("<out>", "path of the .gguf file to write")
    .option("--size <size>", `one of ${DUMMY_MODEL_SIZES.join(", ")}`, size, "tiny" as DummyModelSize)
    .option("--seed <n>", "seed for the weights (same seed, same file)", integer, 1)
    .action(async (out: string, flags: { size: DummyModelSize; seed: number }) => {
      const started = Date.now();
      const info = await createDummyModel(out, { size: flags.size, seed: flags.seed });
      const bytes = (await stat(out)).size;
      const hp = info.hyperparameters;
      process.stdout.write(
        `wrote ${out}: ${flags.size}, ${(info.parameters / 1e6).toFixed(2)} M parameters, ` +
          `${(bytes / 1e6).toFixed(1)} MB, ${hp.blockCount} layers x ${hp.embeddingLength}, ` +
          `vocab ${info.vocabSize} (bytes), seed ${info.seed}, in ${Date.now() - started} ms\n` +
          "note: the weights are random, so this model generates random tokens; use it for tests and benchmarks.\n",
      );
    });

  model
    .command("inspect")
    .description("Validate a GGUF and print its metadata (what the llamacpp backend checks before loading)")
    .argument("<file>", "path of a .gguf file")
    .option("--json", "print JSON")
    .action(async (file: string, flags: { json?: boolean }) => {
      try {
        const s = await validateModel(file);
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
          return;
        }
        const rows: Array<[string, string | number]> = [
          ["file", s.path],
          ["name", s.name ?? "(none)"],
          ["architecture", s.architecture],
          ["parameters", `${(s.parameters / 1e6).toFixed(2)} M in ${s.tensorCount} tensors`],
          ["file size", `${(s.fileSize / 1e6).toFixed(1)} MB`],
          ["context length", s.contextLength],
          ["embedding length", s.embeddingLength],
          ["layers", s.blockCount],
          ["tokenizer", `${s.tokenizerModel}, ${s.vocabSize} tokens`],
          ["chat template", s.hasChatTemplate ? "yes" : "no (a generic one is used)"],
        ];
        if (s.description) rows.push(["description", s.description]);
        const width = Math.max(...rows.map(([k]) => k.length));
        process.stdout.write(`${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n")}\nvalid: yes\n`);
      } catch (error) {
        if (!(error instanceof DocketError)) throw error;
        process.stderr.write(`invalid: ${error.message} (${error.code})\n`);
        process.exitCode = 1;
      }
    });
}

function size(value: string): DummyModelSize {
  if (!isDummyModelSize(value))
    throw new InvalidArgumentError(`expected one of ${DUMMY_MODEL_SIZES.join(", ")}`);
  return value;
}

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError("expected a non-negative integer");
  return n;
}
