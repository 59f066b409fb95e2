import { describe, expect, it } from "vitest";
import {
  FAKE_BEDROCK_BATCH_DEFAULTS,
  mergeFakeBedrockBatchOptions,
  seededRandom,
} from "./fake-batch-options.js";

describe("fake Bedrock batch options", () => {
  it("applies known knobs and refuses bad values, naming the knob", () => {
    const next = mergeFakeBedrockBatchOptions(FAKE_BEDROCK_BATCH_DEFAULTS, {
      turnaroundMs: 5,
      recordFailureRate: 0.5,
      failJobValidation: "nope",
      expireBeforeCompletion: true,
    });
    expect(next).toMatchObject({
      turnaroundMs: 5,
      recordFailureRate: 0.5,
      failJobValidation: "nope",
      expireBeforeCompletion: true,
    });
    expect(next.maxJobsInFlight).toBe(FAKE_BEDROCK_BATCH_DEFAULTS.maxJobsInFlight);
    expect(() => mergeFakeBedrockBatchOptions(next, { recordFailureRate: 2 })).toThrow("recordFailureRate");
    expect(() => mergeFakeBedrockBatchOptions(next, { throttleCreates: -1 })).toThrow("throttleCreates");
    expect(() => mergeFakeBedrockBatchOptions(next, { nope: 1 } as never)).toThrow("no option 'nope'");
  });

  it("draws the same sequence for the same seed", () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const c = seededRandom(8);
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect(c()).not.toBe(first[0]);
    for (const x of first) expect(x >= 0 && x < 1).toBe(true);
  });
});
