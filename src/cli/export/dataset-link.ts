import type { DatasetFormat } from "../../prep/readers/dataset-row.js";

/**
 * What `docket run` remembers about a job's input, in the batch's `metadata`, so that
 * `docket export JOB` can join results onto the dataset later without being told again.
 */
export interface DatasetLink {
  /** Absolute path of the dataset on the machine that ran `docket run`. */
  dataset: string;
  format?: DatasetFormat;
  delimiter?: string;
  idField?: string;
  /** Absolute path of the template (its JSON schema gives the `output.<field>` columns). */
  template?: string;
  /** Set on a `--sample N` job: how many rows it ran. */
  sample?: number;
}

const KEYS = {
  dataset: "docket_dataset",
  format: "docket_dataset_format",
  delimiter: "docket_delimiter",
  idField: "docket_id_field",
  template: "docket_template",
  sample: "docket_sample",
} as const;

/** OpenAI's metadata values are limited to 512 characters: longer ones are left out. */
const MAX_VALUE = 512;

export function linkToMetadata(link: DatasetLink): { metadata: Record<string, string>; dropped: string[] } {
  const metadata: Record<string, string> = {};
  const dropped: string[] = [];
  for (const [field, key] of Object.entries(KEYS) as Array<[keyof DatasetLink, string]>) {
    const value = link[field];
    if (value === undefined) continue;
    const text = String(value);
    if (text.length > MAX_VALUE) dropped.push(key);
    else metadata[key] = text;
  }
  return { metadata, dropped };
}

export function linkFromMetadata(metadata: Record<string, string> | null | undefined): DatasetLink | null {
  const dataset = metadata?.[KEYS.dataset];
  if (!metadata || !dataset) return null;
  const format = metadata[KEYS.format];
  const sample = Number(metadata[KEYS.sample]);
  return {
    dataset,
    ...(format === "csv" || format === "jsonl" ? { format } : {}),
    ...(metadata[KEYS.delimiter] ? { delimiter: metadata[KEYS.delimiter] } : {}),
    ...(metadata[KEYS.idField] ? { idField: metadata[KEYS.idField] } : {}),
    ...(metadata[KEYS.template] ? { template: metadata[KEYS.template] } : {}),
    ...(Number.isInteger(sample) && sample > 0 ? { sample } : {}),
  };
}
