import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { JsonlFileWriter } from "../../prep/jsonl-writer.js";
import { OutputTally } from "../../prep/output-tally.js";
import { type PreparedDataset, type PrepareOptions, prepareDataset } from "../../prep/prepare.js";
import type { Problem } from "../../prep/problem.js";

export interface PreparedFile {
  prepared: PreparedDataset;
  /** The OpenAI batch file of every good row, in input order. */
  path: string;
  requests: number;
  inputTokens: number;
  outputs: OutputTally;
  /** The first `maxProblems` problems (the summary counts them all). */
  problems: Problem[];
}

/** Prepares a dataset into an OpenAI batch file, keeping what the estimate and a sample need. */
export async function prepareToFile(
  options: PrepareOptions,
  path: string,
  maxProblems: number,
): Promise<PreparedFile> {
  const prepared = prepareDataset({ ...options, dialect: "openai" });
  const writer = await JsonlFileWriter.create(path);
  const result: PreparedFile = {
    prepared,
    path,
    requests: 0,
    inputTokens: 0,
    outputs: new OutputTally(),
    problems: [],
  };
  try {
    for await (const item of prepared) {
      if (item.kind === "problem") {
        if (result.problems.length < maxProblems) result.problems.push(item);
        continue;
      }
      await writer.write(prepared.dialect.toLine(item));
      result.requests++;
      result.inputTokens += item.inputTokens;
      result.outputs.add(item);
    }
    await writer.commit();
  } catch (e) {
    await writer.abort();
    throw e;
  }
  return result;
}

/** Copies the lines at `indices` (increasing) of a JSONL file to another, streaming. */
export async function writeLines(source: string, indices: readonly number[], dest: string): Promise<void> {
  const writer = await JsonlFileWriter.create(dest);
  let want = 0;
  let index = 0;
  const lines = createInterface({ input: createReadStream(source), crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const line of lines) {
      if (want >= indices.length) break;
      if (index++ !== indices[want]) continue;
      want++;
      await writer.write(JSON.parse(line) as object);
    }
    await writer.commit();
  } catch (e) {
    await writer.abort();
    throw e;
  } finally {
    lines.close();
  }
}
