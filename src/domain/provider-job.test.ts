import { describe, expect, it } from "vitest";
import {
  canMoveProviderJob,
  isTerminalProviderJob,
  OPEN_PROVIDER_JOB_STATES,
  type ProviderJobState,
  providerJobOwner,
  TERMINAL_PROVIDER_JOB_STATES,
} from "./provider-job.js";

describe("provider job transitions", () => {
  it("walks the happy path one step at a time", () => {
    const path: ProviderJobState[] = ["packing", "uploading", "submitting", "running", "ingesting", "done"];
    for (let i = 0; i + 1 < path.length; i++) expect(canMoveProviderJob(path[i]!, path[i + 1]!)).toBe(true);
  });

  it("never skips the intent: nothing reaches the provider before uploading is recorded", () => {
    expect(canMoveProviderJob("packing", "running")).toBe(false);
    expect(canMoveProviderJob("packing", "submitting")).toBe(false);
    // A client that uploads and creates in one idempotent call goes straight on.
    expect(canMoveProviderJob("uploading", "running")).toBe(true);
  });

  it("never leaves a terminal state", () => {
    for (const from of TERMINAL_PROVIDER_JOB_STATES) {
      for (const to of [...OPEN_PROVIDER_JOB_STATES, ...TERMINAL_PROVIDER_JOB_STATES]) {
        expect(canMoveProviderJob(from, to)).toBe(false);
      }
      expect(isTerminalProviderJob(from)).toBe(true);
    }
    for (const s of OPEN_PROVIDER_JOB_STATES) expect(isTerminalProviderJob(s)).toBe(false);
  });

  it("ingests a running job whatever its end, so partial results are kept", () => {
    expect(canMoveProviderJob("running", "ingesting")).toBe(true);
    expect(canMoveProviderJob("running", "expired")).toBe(false);
    expect(canMoveProviderJob("ingesting", "expired")).toBe(true);
  });

  it("names the lease owner after the provider job", () => {
    expect(providerJobOwner("pj_abc")).toBe("pj:pj_abc");
  });
});
