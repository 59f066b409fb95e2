import type { JobFormat } from "../domain/job.js";
import type { FinishedRecord } from "../domain/record.js";
import { anthropicResultLine } from "../output/anthropic-results.js";
import { bedrockLineAround } from "../output/bedrock-output.js";
import { outputLine } from "../output/result-lines.js";
import type { Store } from "../store/store.js";
import type { Lineage } from "./lineage.js";
import { mergedRecords } from "./merged-records.js";
import { addBodyLine, ByteChunks } from "./record-bytes.js";

/**
 * Which lines of the merged results: `all`, one per id (its latest success, else its latest
 * error); `output`, only the ids with a success (what a merged output file holds); `errors`, only
 * those without one (a merged error file).
 */
export const MERGED_LINE_SETS = ["all", "output", "errors"] as const;
export type MergedLineSet = (typeof MERGED_LINE_SETS)[number];

/** Output bytes gathered before they are written in one piece. */
const FLUSH_BYTES = 256 * 1024;

/**
 * A lineage's merged results in the root's input order, each line exactly the line the chosen
 * record has in its own batch's result file: OpenAI's output/error line, Anthropic's result line,
 * Bedrock's `.out` line (its `modelInput` the body that record was sent with, streamed when
 * stored in parts). Every batch of the lineage must have ended.
 */
export async function* mergedLines(
  store: Pick<Store, "readFinished" | "capabilities">,
  lineage: Lineage,
  which: MergedLineSet,
): AsyncGenerator<Buffer> {
  const format: JobFormat = lineage.root.format;
  const bodies = format === "bedrock";
  const keep = (r: FinishedRecord) => which === "all" || (which === "output") === (r.state === "succeeded");
  const out = new ByteChunks(FLUSH_BYTES);
  for await (const r of mergedRecords(store, lineage.batches, { bodies })) {
    if (!keep(r)) continue;
    if (format === "openai") out.add(outputLine(r));
    else if (format === "anthropic") out.add(anthropicResultLine(r));
    else yield* addBodyLine(out, store, r, bedrockLineAround(r));
    if (out.full) yield out.take();
  }
  if (!out.empty) yield out.take();
}
