import type { Job } from "../domain/job.js";

/**
 * Retry lineage (issue 14, docs/lineage.md): a batch made by a retry names its parent
 * (`Job.parentJobId`, set by `insertJob`), so the batches of one lineage form a tree rooted at the
 * batch made from a file. These reads walk that tree down; up is `getJob(parentJobId)` repeated.
 */
export interface LineageStore {
  /**
   * A batch's direct children, oldest first; `after` is the id of the last child of the previous
   * page. At most `limit`.
   */
  listChildJobs(parentId: string, query: { after?: string; limit: number }): Promise<Job[]>;
  /**
   * The batch and every batch below it (children, their children, …) in creation order, the
   * batch itself first; at most `limit` (ask for one more than you accept to learn that a
   * lineage is over it). Empty when the batch is unknown.
   */
  listLineage(rootId: string, limit: number): Promise<Job[]>;
}
