/**
 * The fake Bedrock batch control plane's knobs; every one can change while it runs
 * (`setOptions`). Counts of "the next N creates" are consumed as creates arrive.
 */
export interface FakeBedrockBatchOptions {
  /** From CreateModelInvocationJob to the job's end (default 200 ms); validation at a fifth. */
  turnaroundMs?: number;
  /** From StopModelInvocationJob (Stopping) to Stopped (default 50 ms). */
  stopMs?: number;
  /** Fraction of records answered with a retryable error line (429, throttled). */
  recordRetryableFailureRate?: number;
  /** Fraction of records answered with a final error line (400). */
  recordFailureRate?: number;
  /** A record whose modelInput contains this text is answered 400 (null: none). */
  failRecordMarker?: string | null;
  /** Jobs fail validation with this message (null: they pass). */
  failJobValidation?: string | null;
  /** The next N creates are answered 429 ThrottlingException. */
  throttleCreates?: number;
  /** The next N creates are answered 400 ServiceQuotaExceededException. */
  quotaExceededCreates?: number;
  /** Jobs end Expired with only the first half of their records done. */
  expireBeforeCompletion?: boolean;
  /** Jobs of one model in flight at once; a create beyond it is ServiceQuotaExceededException. */
  maxJobsInFlight?: number;
  /** A job with fewer records fails validation (Bedrock's is 100; the fake's default 1). */
  minRecordsPerJob?: number;
  /** Tokens in each made-up answer (default 16). */
  outputTokens?: number;
  /** Seed of the draws that pick failing records (default 1): the same seed, the same picks. */
  seed?: number;
}

export type ResolvedFakeBedrockBatchOptions = Required<FakeBedrockBatchOptions>;

export const FAKE_BEDROCK_BATCH_DEFAULTS: ResolvedFakeBedrockBatchOptions = {
  turnaroundMs: 200,
  stopMs: 50,
  recordRetryableFailureRate: 0,
  recordFailureRate: 0,
  failRecordMarker: null,
  failJobValidation: null,
  throttleCreates: 0,
  quotaExceededCreates: 0,
  expireBeforeCompletion: false,
  maxJobsInFlight: 10,
  minRecordsPerJob: 1,
  outputTokens: 16,
  seed: 1,
};

const FRACTIONS = ["recordRetryableFailureRate", "recordFailureRate"] as const;
const COUNTS = [
  "turnaroundMs",
  "stopMs",
  "throttleCreates",
  "quotaExceededCreates",
  "maxJobsInFlight",
  "minRecordsPerJob",
  "outputTokens",
  "seed",
] as const;

/** The current options with `update`'s known keys applied; a bad value throws, naming the knob. */
export function mergeFakeBedrockBatchOptions(
  current: ResolvedFakeBedrockBatchOptions,
  update: FakeBedrockBatchOptions,
): ResolvedFakeBedrockBatchOptions {
  const next = { ...current };
  for (const [key, value] of Object.entries(update)) {
    if (value === undefined) continue;
    if (!(key in FAKE_BEDROCK_BATCH_DEFAULTS)) throw new Error(`Fake Bedrock batch has no option '${key}'.`);
    if ((FRACTIONS as readonly string[]).includes(key)) {
      if (typeof value !== "number" || value < 0 || value > 1)
        throw new Error(`${key} must be a fraction in [0, 1].`);
    } else if ((COUNTS as readonly string[]).includes(key)) {
      if (!Number.isInteger(value) || (value as number) < 0)
        throw new Error(`${key} must be a whole number ≥ 0.`);
    } else if (key === "expireBeforeCompletion") {
      if (typeof value !== "boolean") throw new Error(`${key} must be true or false.`);
    } else if (value !== null && typeof value !== "string") {
      throw new Error(`${key} must be a string or null.`);
    }
    (next as Record<string, unknown>)[key] = value;
  }
  return next;
}

/** A small seeded generator (mulberry32): failure picks that a test can repeat. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
