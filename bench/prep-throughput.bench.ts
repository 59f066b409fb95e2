import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { selectDialect } from "../src/prep/dialects/select-dialect.js";
import { JsonlFileWriter } from "../src/prep/jsonl-writer.js";
import { prepareDataset } from "../src/prep/prepare.js";
import { parseTemplateSpec } from "../src/prep/template/template-spec.js";

export interface PrepThroughputOptions {
  /** Size of the generated CSV; default 1 GB. */
  sizeBytes?: number;
  /** Each measured phase stops after this long and reports on what it got through. */
  timeLimitS?: number;
}

const AGENTS = ["Maya", "Tom", "Ines", "Ravi", "Lucia"];
const PHRASES = [
  "Customer: my broadband drops every evening around eight.",
  "Agent: I can see several line resets; I'll run a test now.",
  "Customer: I was charged twice for March, can you check?",
  'Agent: I\'ve refunded the duplicate, it takes 3 to 5 days, and noted it as "resolved".',
  "Customer: the parcel says delivered but it isn't here.",
  "Agent: I've opened a trace with the courier, we'll call back within 48 hours.",
];

/**
 * Throughput of `prepareDataset` (CSV → OpenAI batch file, estimate tokenizer) against a plain
 * streaming read of the same file, so the ratio shows what parsing, templating, counting and
 * writing cost on top of I/O. Peak RSS shows that memory stays bounded on a large file.
 */
export async function benchPrepThroughput(opts: PrepThroughputOptions = {}): Promise<void> {
  const sizeBytes = opts.sizeBytes ?? 1_000_000_000;
  const timeLimitMs = (opts.timeLimitS ?? 300) * 1000;
  const dir = await mkdtemp(join(tmpdir(), "docket-bench-prep-"));
  try {
    const dataset = join(dir, "calls.csv");
    const t0 = performance.now();
    await generateCsv(dataset, sizeBytes);
    const generatedS = (performance.now() - t0) / 1000;
    const fileBytes = (await stat(dataset)).size;

    const plain = await plainRead(dataset, timeLimitMs);
    const rss = trackPeakRss();
    const prep = await prepareToFile(dataset, join(dir, "requests.jsonl"), timeLimitMs);
    const peakRssMb = rss.stop() / 1024 / 1024;

    const plainMbS = plain.bytes / 1e6 / plain.seconds;
    const prepMbS = prep.bytes / 1e6 / prep.seconds;
    const rowsS = prep.rows / prep.seconds;
    console.log(
      `BENCH prep-throughput mb_per_s=${prepMbS.toFixed(1)} rows_per_s=${rowsS.toFixed(0)} ` +
        `peak_rss_mb=${peakRssMb.toFixed(0)} ratio_to_plain_read=${(prepMbS / plainMbS).toFixed(3)}`,
    );
    console.log(
      `prep-throughput: ${(fileBytes / 1e6).toFixed(0)} MB CSV generated in ${generatedS.toFixed(1)} s; ` +
        `plain read ${plainMbS.toFixed(0)} MB/s (${plain.lines.toLocaleString("en-US")} lines${plain.partial ? ", stopped at the time limit" : ""}); ` +
        `prepare → OpenAI batch file ${prepMbS.toFixed(1)} MB/s, ${rowsS.toFixed(0)} rows/s ` +
        `(${prep.rows.toLocaleString("en-US")} rows, ${(prep.outBytes / 1e6).toFixed(0)} MB written` +
        `${prep.partial ? ", stopped at the time limit" : ""}); peak RSS ${peakRssMb.toFixed(0)} MB.`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Rows of realistic shape (~400 B, a third multi-line and quoted) until the size is reached. */
async function generateCsv(path: string, sizeBytes: number): Promise<void> {
  const out = createWriteStream(path);
  let written = 0;
  let row = 0;
  out.write("call_id,agent,customer,transcript\n");
  while (written < sizeBytes) {
    let block = "";
    while (block.length < 1 << 20) {
      row++;
      const turns = PHRASES.slice(row % 3, 3 + (row % 4)).join(row % 3 === 0 ? "\n" : " ");
      const cell = `"${turns.replaceAll('"', '""')} Reference ${row}."`;
      block += `CALL-${row},${AGENTS[row % AGENTS.length]},Customer ${row % 9973},${cell}\n`;
    }
    written += Buffer.byteLength(block);
    if (!out.write(block)) await once(out, "drain");
  }
  out.end();
  await once(out, "close");
}

async function plainRead(path: string, timeLimitMs: number) {
  const start = performance.now();
  let bytes = 0;
  let lines = 0;
  let partial = false;
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
    if (performance.now() - start > timeLimitMs) {
      partial = true;
      break;
    }
  }
  return { bytes, lines, partial, seconds: (performance.now() - start) / 1000 };
}

async function prepareToFile(dataset: string, out: string, timeLimitMs: number) {
  const template = parseTemplateSpec(
    {
      model: "local-dummy",
      system: "You summarise customer service calls.",
      user: "Summarise this call between {{agent}} and {{customer}} in two sentences.\n\n{{transcript}}",
      max_tokens: 48,
    },
    "bench",
  );
  const signal = AbortSignal.timeout(timeLimitMs);
  const start = performance.now();
  // Generated ids: `--id-field` adds a set of every id seen (for duplicate checks), which grows with the row count.
  const prepared = prepareDataset({ dataset, template, tokenizer: "estimate", signal });
  const dialect = selectDialect("openai");
  const writer = await JsonlFileWriter.create(out);
  let partial = false;
  try {
    for await (const item of prepared) {
      if (item.kind === "request") await writer.write(dialect.toLine(item));
    }
  } catch (e) {
    if (!signal.aborted) throw e;
    partial = true;
  }
  await writer.commit();
  const seconds = (performance.now() - start) / 1000;
  return {
    bytes: prepared.summary.bytesRead,
    rows: prepared.summary.prepared,
    outBytes: (await stat(out)).size,
    partial,
    seconds,
  };
}

function trackPeakRss(): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}
