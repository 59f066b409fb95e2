/**
 * What a fake backend simulates. Everything is optional: the defaults answer at once, never
 * fail and have no limits, which makes a fast baseline for benchmarks.
 */
export interface FakeBackendOptions {
  /** Fixed service time per request, in ms. */
  latencyMs?: number;
  /** Extra service time per generated token, in ms (a decode step). */
  latencyPerOutputTokenMs?: number;
  /** Requests served at once; later ones wait in a FIFO queue, as on a saturated GPU server. */
  capacity?: number;
  /** Fraction of requests answered 429 with `Retry-After: retryAfterSeconds`. */
  rate429?: number;
  retryAfterSeconds?: number;
  /** Fraction of requests answered 500. */
  rate500?: number;
  /** Fraction of requests never answered, until the client gives up. */
  rateHang?: number;
  /** A request whose body contains this string gets a 400 invalid_request_error. */
  fail400Marker?: string | null;
  /** Requests per minute over a sliding 60 s window; beyond it, 429 with an exact Retry-After. */
  rpm?: number;
  /** Tokens per minute, estimated as prompt chars / 4 + max_tokens (or outputTokens). */
  tpm?: number;
  /** Tokens generated per completion when the request's max_tokens does not cap it lower. */
  outputTokens?: number;
  embeddingDim?: number;
  /** Seed for the random fractions, so a run is repeatable. */
  seed?: number;
  /** Regular expression (source text); every match in a request body is counted in stats().markers. */
  markerPattern?: string | null;
  /** Keep every request and response body in stats().bodies (tests only: memory grows). */
  recordBodies?: boolean;
  /**
   * Keep the arrival time of every API request in stats().arrivals (tests only: memory grows),
   * so a test can prove that nothing reached the backend after a given moment (cancel, budget).
   */
  recordArrivals?: boolean;
  /**
   * Bodies longer than this many characters are counted and thrown away rather than parsed (a
   * 300 MB invocation must not be held here); the model is read from the kept prefix and the
   * request answered as one with an empty prompt. 0 or absent: never.
   */
  discardBodiesOver?: number;
}

export type ResolvedFakeOptions = Required<Omit<FakeBackendOptions, "fail400Marker" | "markerPattern">> & {
  fail400Marker: string | null;
  markerPattern: string | null;
};

export const FAKE_DEFAULTS: ResolvedFakeOptions = {
  latencyMs: 0,
  latencyPerOutputTokenMs: 0,
  capacity: Number.POSITIVE_INFINITY,
  rate429: 0,
  retryAfterSeconds: 1,
  rate500: 0,
  rateHang: 0,
  fail400Marker: null,
  rpm: Number.POSITIVE_INFINITY,
  tpm: Number.POSITIVE_INFINITY,
  outputTokens: 16,
  embeddingDim: 8,
  seed: 1,
  markerPattern: null,
  recordBodies: false,
  recordArrivals: false,
  discardBodiesOver: Number.POSITIVE_INFINITY,
};

const NUMBER_KEYS = [
  "latencyMs",
  "latencyPerOutputTokenMs",
  "capacity",
  "rate429",
  "retryAfterSeconds",
  "rate500",
  "rateHang",
  "rpm",
  "tpm",
  "outputTokens",
  "embeddingDim",
  "seed",
  "discardBodiesOver",
] as const;
const FRACTION_KEYS = new Set<string>(["rate429", "rate500", "rateHang"]);
/** Zero means "no limit" for these, the way a CLI flag left at 0 reads. */
const LIMIT_KEYS = new Set<string>(["capacity", "rpm", "tpm", "discardBodiesOver"]);

export class FakeOptionsError extends Error {
  readonly code = "invalid_fake_backend_option";
}

/**
 * Applies a partial update (from code, the CLI or `POST /control`, so untyped input is checked
 * here) and returns the new options; throws FakeOptionsError naming the bad field.
 */
export function mergeFakeOptions(current: ResolvedFakeOptions, update: unknown): ResolvedFakeOptions {
  const input = optionsObject(update, "Fake backend");
  const next: ResolvedFakeOptions = { ...current };
  for (const key of Object.keys(input)) {
    const value = input[key];
    if (value === undefined) continue;
    if ((NUMBER_KEYS as readonly string[]).includes(key)) {
      const n = value === null && LIMIT_KEYS.has(key) ? 0 : value;
      if (typeof n !== "number" || Number.isNaN(n) || n < 0) {
        throw new FakeOptionsError(`Option '${key}' must be a number ≥ 0, got ${JSON.stringify(value)}.`);
      }
      if (FRACTION_KEYS.has(key) && n > 1) {
        throw new FakeOptionsError(`Option '${key}' is a fraction and must be between 0 and 1, got ${n}.`);
      }
      next[key as (typeof NUMBER_KEYS)[number]] =
        LIMIT_KEYS.has(key) && n === 0 ? Number.POSITIVE_INFINITY : n;
    } else if (key === "fail400Marker" || key === "markerPattern") {
      if (value !== null && (typeof value !== "string" || value === "")) {
        throw new FakeOptionsError(`Option '${key}' must be a non-empty string or null.`);
      }
      if (key === "markerPattern" && typeof value === "string") compileMarkerPattern(value);
      next[key] = value as string | null;
    } else if (key === "recordBodies" || key === "recordArrivals") {
      if (typeof value !== "boolean") throw new FakeOptionsError(`Option '${key}' must be true or false.`);
      next[key] = value;
    } else {
      throw new FakeOptionsError(`Unknown fake backend option '${key}'.`);
    }
  }
  if (next.rate429 + next.rate500 + next.rateHang > 1) {
    throw new FakeOptionsError("rate429 + rate500 + rateHang must not exceed 1.");
  }
  return next;
}

/** The update as an object of options; else FakeOptionsError saying whose options they are. */
export function optionsObject(update: unknown, whose: string): Record<string, unknown> {
  if (typeof update !== "object" || update === null || Array.isArray(update)) {
    throw new FakeOptionsError(`${whose} options must be a JSON object.`);
  }
  return update as Record<string, unknown>;
}

/**
 * mergeFakeOptions for a fake that answers more kinds of failure: the shared knobs as there,
 * then its own fractions `own` (each between 0 and 1), with all failure fractions together at
 * most 1. A fake's other own options are its to merge.
 */
export function mergeWithOwnFractions<K extends string, O extends ResolvedFakeOptions & Record<K, number>>(
  current: O,
  update: Record<string, unknown>,
  own: readonly K[],
): O {
  const shared = { ...update };
  for (const key of own) delete shared[key];
  const next = { ...current, ...mergeFakeOptions(current, shared) };
  let total = next.rate429 + next.rate500 + next.rateHang;
  for (const key of own) {
    const value = update[key];
    if (value !== undefined) {
      if (typeof value !== "number" || !(value >= 0 && value <= 1)) {
        throw new FakeOptionsError(
          `Option '${key}' is a fraction and must be between 0 and 1, got ${JSON.stringify(value)}.`,
        );
      }
      (next as Record<K, number>)[key] = value;
    }
    total += next[key];
  }
  if (total > 1) {
    throw new FakeOptionsError(
      `${["rate429", "rate500", "rateHang", ...own].join(" + ")} must not exceed 1.`,
    );
  }
  return next;
}

export function compileMarkerPattern(source: string): RegExp {
  try {
    return new RegExp(source, "g");
  } catch (error) {
    throw new FakeOptionsError(
      `markerPattern is not a valid regular expression: ${(error as Error).message}`,
    );
  }
}
