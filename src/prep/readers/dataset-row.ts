/** One row of a dataset, whatever the file format. */
export interface DatasetRow {
  kind: "row";
  /** 1-based position among the dataset's rows (header and blank lines excluded). */
  rowNumber: number;
  /** 1-based physical line where the row starts. */
  line: number;
  fields: Record<string, unknown>;
}

/** A row the reader could not parse; reading goes on with the next one. */
export interface ParseProblem {
  kind: "parse_problem";
  rowNumber: number;
  line: number;
  /**
   * Last line skipped with this row, when more than its own: after a quoting error the reader
   * reads on to the next quote character, so the following rows are lost with this one.
   */
  endLine: number;
  message: string;
}

export type ReaderItem = DatasetRow | ParseProblem;

export interface ReaderProgress {
  /** Bytes of the file read so far (for progress bars and throughput). */
  bytesRead: number;
}

export type DatasetFormat = "csv" | "jsonl";

export interface ReaderOptions {
  /** One of `, ; \t |`; detected from the first line when absent. */
  delimiter?: string;
  /**
   * Largest row accepted, in bytes. A larger one is almost always an unclosed quote that would
   * otherwise swallow the rest of the file into memory, so reading stops with an error.
   */
  maxRowBytes?: number;
  signal?: AbortSignal;
  progress?: ReaderProgress;
  /** Bytes per read of the file; tests use tiny reads to cross chunk edges everywhere. */
  readBytes?: number;
}

export const DEFAULT_MAX_ROW_BYTES = 16 * 1024 * 1024;
