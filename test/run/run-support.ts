import { registerExportCommand } from "../../src/cli/commands/export.js";
import { registerRunCommand } from "../../src/cli/commands/run.js";
import { readDataset } from "../../src/prep/readers/open-dataset.js";
import { type CliResult, runCliInProcess } from "../support/in-process-cli.js";

/** Runs `docket run|export <args>` in process. */
export const docket = (...args: string[]): Promise<CliResult> =>
  runCliInProcess([registerRunCommand, registerExportCommand], args);

/** Reads an exported CSV or JSONL back with Docket's own readers. */
export async function readExport(path: string): Promise<Array<Record<string, unknown>>> {
  const rows: Array<Record<string, unknown>> = [];
  for await (const item of readDataset(path)) {
    if (item.kind !== "row") throw new Error(`export line ${item.line} does not parse: ${item.message}`);
    rows.push(item.fields);
  }
  return rows;
}
