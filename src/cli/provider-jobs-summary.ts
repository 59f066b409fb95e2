/** `GET /v1/batches/{id}/provider_jobs` as `docket status` reads it (src/http/handlers/provider-jobs.ts). */
export interface ProviderJobsView {
  data: Array<{
    id: string;
    route: string;
    status: string;
    provider_job_id: string | null;
    records: number;
    ingested: number;
    requeued: number;
    error: string | null;
    this_batch: { records: number; succeeded: number };
  }>;
  cost: { on_demand_usd: number; batch_usd: number; total_usd: number; saved_usd: number } | null;
}

/** Lines for `docket status`: one per provider job that ran some of the batch, then the cost split. */
export function describeProviderJobs(v: ProviderJobsView): string[] {
  if (v.data.length === 0) return [];
  const lines = ["provider batch jobs:"];
  for (const p of v.data) {
    const at = p.provider_job_id ? ` as ${p.provider_job_id}` : "";
    const again = p.requeued > 0 ? `, ${p.requeued} sent again` : "";
    const err = p.error ? ` (${p.error})` : "";
    lines.push(
      `  ${p.id} ${p.status.padEnd(10)} ${p.route}${at}: ${p.this_batch.records} of this batch, ${p.this_batch.succeeded} succeeded${again}${err}`,
    );
  }
  if (v.cost) {
    const usd = (n: number) => `$${n.toFixed(2)}`;
    lines.push(
      `cost: ${usd(v.cost.total_usd)} (on-demand ${usd(v.cost.on_demand_usd)}, batch ${usd(v.cost.batch_usd)}; saved ${usd(v.cost.saved_usd)})`,
    );
  }
  return lines;
}
