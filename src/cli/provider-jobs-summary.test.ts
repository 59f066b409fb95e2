import { describe, expect, it } from "vitest";
import { describeProviderJobs } from "./provider-jobs-summary.js";

describe("describeProviderJobs", () => {
  it("says nothing for a batch that never went to a provider", () => {
    expect(describeProviderJobs({ data: [], cost: null })).toEqual([]);
  });

  it("lists each provider job and the cost split", () => {
    const lines = describeProviderJobs({
      data: [
        {
          id: "pj_1",
          route: "claude-batch",
          status: "done",
          provider_job_id: "msgbatch_9",
          records: 50_000,
          ingested: 50_000,
          requeued: 12,
          error: null,
          this_batch: { records: 40_000, succeeded: 39_990 },
        },
      ],
      cost: { on_demand_usd: 1, batch_usd: 2.5, total_usd: 3.5, saved_usd: 2.5 },
    });
    expect(lines).toEqual([
      "provider batch jobs:",
      "  pj_1 done       claude-batch as msgbatch_9: 40000 of this batch, 39990 succeeded, 12 sent again",
      "cost: $3.50 (on-demand $1.00, batch $2.50; saved $2.50)",
    ]);
  });
});
