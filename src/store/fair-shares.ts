import type { ProjectWeights } from "../config/projects-config.js";

/** A project's first-pass slice of one claim, and each of its jobs' slice within it. */
export interface ProjectShare {
  projectSlice: number;
  jobSlice: number;
}

/**
 * The first pass of a claim (both engines; PostgreSQL computes the same in claim-records-sql.ts):
 * each project with an active job gets `limit × its weight ÷ the weights of all of them`, at
 * least 1, so a project with a thousand jobs gets no more than one with a single job; within a
 * project, each job gets an equal part (at least 1), taken in job order until the project's
 * slice is spent. The fill pass then hands out what is left in job order, so nothing is idle.
 *
 * `jobsPerProject`: project id → its active jobs. Rounding up means a first pass may take a
 * little more than `limit` in slices; the claim itself never takes more than `limit`.
 */
export function projectShares(
  jobsPerProject: ReadonlyMap<string, number>,
  limit: number,
  weights: ProjectWeights | undefined,
): Map<string, ProjectShare> {
  const weightOf = (id: string) => weights?.byProject[id] ?? weights?.defaultWeight ?? 1;
  let total = 0;
  for (const id of jobsPerProject.keys()) total += weightOf(id);
  const shares = new Map<string, ProjectShare>();
  for (const [id, jobs] of jobsPerProject) {
    const projectSlice = Math.max(1, Math.ceil((limit * weightOf(id)) / total));
    shares.set(id, { projectSlice, jobSlice: Math.max(1, Math.ceil(projectSlice / Math.max(1, jobs))) });
  }
  return shares;
}
