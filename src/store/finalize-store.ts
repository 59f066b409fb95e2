import type { StoredFile } from "../domain/file.js";
import type { EndStatus } from "../domain/job-transitions.js";
import type { FinishedRecord } from "../domain/record.js";

/** Finalize: a job whose records are all done becomes its output and error files. */
export interface FinalizeStore {
  /**
   * Jobs with every record terminal (or already finalizing, e.g. after a crash) are moved to
   * `finalizing` and returned with the status they will end in.
   */
  claimFinalizable(now: number): Promise<Array<{ id: string; endStatus: EndStatus }>>;
  /**
   * Finished records of a job in input order, paged by position; with `bodies`, each with its
   * request body (`input`), for output lines that echo it.
   */
  readFinished(
    jobId: string,
    afterPosition: number,
    limit: number,
    options?: ReadFinishedOptions,
  ): Promise<FinishedRecord[]>;
  /** finalizing → its end status, with the output/error files (already in the blob store). */
  completeFinalize(jobId: string, files: FinalFiles, now: number): Promise<void>;
}

export interface ReadFinishedOptions {
  bodies?: boolean;
}

export interface FinalFiles {
  endStatus: EndStatus;
  outputFile: StoredFile | null;
  errorFile: StoredFile | null;
}
