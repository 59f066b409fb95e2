import { DocketError } from "../../domain/errors.js";
import type { Job } from "../../domain/job.js";
import type { RequestContext } from "../deps.js";

/** Placeholder until the partial results work lands (issue 14 part 2). */
export async function sendPartialResults(_ctx: RequestContext, _job: Job): Promise<void> {
  throw new DocketError("not_implemented", "Partial results are not built yet.", 501);
}
