import { createReadStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type OpenAI from "openai";
import type { DedupUsageView } from "../../src/views/dedup-usage.js";
import { parseJsonl } from "../support/batch-files.js";
import { pollBatch } from "../support/test-docket.js";

/** One output or error line of an OpenAI batch, with Docket's extension member. */
export interface ResultLine {
  custom_id: string;
  response: { status_code: number; request_id: string | null; body: unknown } | null;
  error: { code: string; message: string } | null;
  docket?: { cached?: true; deduplicated?: true };
}

/**
 * `n` chat requests whose bodies repeat every `distinct` lines (question `i % distinct`), custom
 * ids `r0…`. `sampling` is spliced into each body: `"temperature":0` makes them deterministic.
 */
export function repeatedLines(
  n: number,
  distinct: number,
  sampling = '"temperature":0',
  model = "fake-model",
) {
  return Array.from(
    { length: n },
    (_, i) =>
      `{"custom_id":"r${i}","method":"POST","url":"/v1/chat/completions","body":{"model":"${model}",${sampling},"max_tokens":8,"messages":[{"role":"user","content":"question ${i % distinct}"}]}}`,
  );
}

/** The Docket extension member of a batch (`dedup`), as the API returns it. */
export type DedupView = DedupUsageView;

/**
 * Uploads `lines`, creates a batch with `extra` Docket fields (the SDK sends members it has no
 * type for as given), waits for it to end and reads its output and error lines.
 */
export async function runBatch(
  openai: OpenAI,
  lines: string[],
  extra: Record<string, unknown> = {},
  timeoutMs = 120_000,
) {
  const dir = mkdtempSync(join(tmpdir(), "docket-dedup-"));
  try {
    const path = join(dir, "in.jsonl");
    writeFileSync(path, `${lines.join("\n")}\n`);
    const file = await openai.files.create({ file: createReadStream(path), purpose: "batch" });
    const params = {
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
      ...extra,
    };
    const created = await openai.batches.create(params as OpenAI.Batches.BatchCreateParams);
    const batch = await pollBatch(
      openai,
      created.id,
      ["completed", "failed", "expired", "cancelled"],
      timeoutMs,
    );
    const read = async (id: string | null | undefined) =>
      id ? parseJsonl<ResultLine>(await (await openai.files.content(id)).text()) : [];
    return {
      batch: batch as typeof batch & { dedup?: DedupView },
      output: await read(batch.output_file_id),
      errors: await read(batch.error_file_id),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Each line's response body by custom id (the bytes as the output line spliced them). */
export function bodiesById(lines: ResultLine[]): Map<string, string> {
  return new Map(lines.map((l) => [l.custom_id, JSON.stringify(l.response?.body)]));
}
