import {
  FAKE_DEFAULTS,
  type FakeBackendOptions,
  mergeWithOwnFractions,
  optionsObject,
  type ResolvedFakeOptions,
} from "../fake/fake-options.js";

/**
 * The OpenAI fake's knobs (latency, capacity, rpm/tpm, hangs, markers, recording, seed) with
 * Bedrock's names for its failures: `rate429` answers 429 ThrottlingException, `rate500` 500
 * InternalServerException, `fail400Marker` 400 ValidationException; Bedrock adds two of its own.
 */
export interface FakeBedrockOptions extends FakeBackendOptions {
  /** Fraction of requests answered 503 ServiceUnavailableException. */
  rate503?: number;
  /** Fraction of requests answered 429 ModelNotReadyException (a model still loading). */
  rateModelNotReady?: number;
}

export type ResolvedFakeBedrockOptions = ResolvedFakeOptions & { rate503: number; rateModelNotReady: number };

export const FAKE_BEDROCK_DEFAULTS: ResolvedFakeBedrockOptions = {
  ...FAKE_DEFAULTS,
  rate503: 0,
  rateModelNotReady: 0,
};

/** mergeFakeOptions for the shared knobs, the same checks for Bedrock's own two. */
export function mergeFakeBedrockOptions(
  current: ResolvedFakeBedrockOptions,
  update: unknown,
): ResolvedFakeBedrockOptions {
  return mergeWithOwnFractions(current, optionsObject(update, "Fake Bedrock"), [
    "rate503",
    "rateModelNotReady",
  ]);
}
