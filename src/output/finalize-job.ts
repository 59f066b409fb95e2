import type { BlobStore } from "../blobs/blob-store.js";
import type { Job, JobFormat } from "../domain/job.js";
import type { EndStatus, Store } from "../store/store.js";
import { anthropicResultLine } from "./anthropic-results.js";
import { writeBedrockOutput } from "./bedrock-output.js";
import { finalizeWithFiles, type ResultFile, type ResultFiles } from "./finalize-files.js";
import { writeResultFile } from "./result-file.js";
import { isSuccess, outputLine } from "./result-lines.js";

/** Writes a finished job's result files in its format's shape. */
export type ResultWriter = (
  at: { store: Store; blobs: BlobStore; job: Job },
  file: ResultFile,
) => Promise<ResultFiles>;

/** OpenAI's: an output file (successes) and an error file (everything else), each in input order. */
const openaiFiles: ResultWriter = async ({ store, blobs, job }, file) => ({
  outputFile: await writeResultFile(
    store,
    blobs,
    job.id,
    { filename: `${job.id}_output.jsonl`, keep: isSuccess, line: outputLine },
    file,
  ),
  errorFile: await writeResultFile(
    store,
    blobs,
    job.id,
    { filename: `${job.id}_error.jsonl`, keep: (r) => !isSuccess(r), line: outputLine },
    file,
  ),
});

/**
 * Anthropic's: one results file, every request in input order (Anthropic promises no order; input
 * order is one), kept as the job's output file; `GET /v1/messages/batches/{id}/results` serves it.
 */
const anthropicFiles: ResultWriter = async ({ store, blobs, job }, file) => ({
  outputFile: await writeResultFile(
    store,
    blobs,
    job.id,
    { filename: `${job.id}_results.jsonl`, keep: () => true, line: anthropicResultLine },
    file,
  ),
  errorFile: null,
});

/**
 * Bedrock's: one `<input file name>.out` with every record in input order (its manifest is served
 * from the job's counters, `GET /v1/batches/{id}/manifest`), kept as the job's output file.
 */
const bedrockFiles: ResultWriter = async ({ store, blobs, job }, file) => ({
  outputFile: await writeBedrockOutput(store, blobs, job, file),
  errorFile: null,
});

/** Every format has its writer: a format added to `JobFormat` does not compile until it is here. */
const WRITERS: Record<JobFormat, ResultWriter> = {
  openai: openaiFiles,
  anthropic: anthropicFiles,
  bedrock: bedrockFiles,
};

/**
 * Writes a job's result files (in its format), streamed page by page from the store, then
 * records them and the end status in one store call. Safe to repeat after a crash: the job stays
 * `finalizing` until that call.
 */
export async function finalizeJob(
  store: Store,
  blobs: BlobStore,
  jobId: string,
  endStatus: EndStatus,
  outputRetentionMs: number | null,
): Promise<void> {
  const now = Date.now();
  const job = await store.getJob(jobId);
  if (!job) return;
  // A batch's own `output_expires_after` (seconds after the files are written) wins over the
  // configured retention.
  const seconds = job.outputExpiresAfterSeconds;
  const retentionMs = seconds !== null ? seconds * 1000 : outputRetentionMs;
  await finalizeWithFiles(
    store,
    jobId,
    endStatus,
    retentionMs,
    (file) => WRITERS[job.format]({ store, blobs, job }, file),
    now,
  );
}
