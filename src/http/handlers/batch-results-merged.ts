import { DocketError } from "../../domain/errors.js";
import type { Job } from "../../domain/job.js";
import type { RequestContext } from "../deps.js";

/** Placeholder until the lineage work lands (issue 14 part 1). */
export async function sendMergedResults(
  _ctx: RequestContext,
  _job: Job,
  _o: { partial: boolean },
): Promise<void> {
  throw new DocketError("not_implemented", "Merged results are not built yet.", 501);
}
