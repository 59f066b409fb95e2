import { useEffect, useState } from "preact/hooks";
import { getJson } from "../api/client.js";
import type { ProviderJobList, ProviderJobView } from "../api/types.js";
import { formatCost, formatCount, formatTime } from "../format.js";

/**
 * A batch's provider jobs (issue 13: records offloaded to a provider's batch API) and what that
 * saved, from `GET /v1/batches/:id/provider_jobs`. Shown only when the batch has any. `version`
 * changes whenever the job page reloads its detail (throttled to once a second by the page), so
 * this follows the job without a loop of its own.
 */
export function ProviderJobs({ jobId, version }: { jobId: string; version: unknown }) {
  const [list, setList] = useState<ProviderJobList | null>(null);

  useEffect(() => {
    const ctl = new AbortController();
    getJson<ProviderJobList>(`v1/batches/${encodeURIComponent(jobId)}/provider_jobs`, undefined, ctl.signal)
      .then(setList)
      // Optional detail: a server without offload, or a key that cannot read it, just shows none.
      .catch(() => undefined);
    return () => ctl.abort();
  }, [jobId, version]);

  if (!list || list.data.length === 0) return null;
  const cost = list.cost;
  return (
    <section aria-labelledby="provider-jobs-title">
      <h2 id="provider-jobs-title">Provider jobs</h2>
      <div class="table-wrap">
        <table>
          <caption class="visually-hidden">
            Provider batch jobs that ran this batch's records, oldest first
          </caption>
          <thead>
            <tr>
              <th scope="col">Provider job</th>
              <th scope="col">Provider's id</th>
              <th scope="col">State</th>
              <th scope="col">Records (this batch / all)</th>
              <th scope="col">Submitted</th>
              <th scope="col">Ended</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((p) => (
              <ProviderJobRow p={p} key={p.id} />
            ))}
          </tbody>
        </table>
      </div>
      <h3>Batch cost and savings</h3>
      <dl class="stats">
        <Stat name="Batch tokens (in / out)" value={tokens(list.usage.batch)} />
        <Stat name="On-demand tokens (in / out)" value={tokens(list.usage.on_demand)} />
        {cost ? (
          <>
            <Stat name="Batch cost" value={formatCost(cost.batch_usd)} />
            <Stat name="On-demand cost" value={formatCost(cost.on_demand_usd)} />
            <Stat name="Total cost" value={formatCost(cost.total_usd)} />
            <Stat name="Saved by batch" value={formatCost(cost.saved_usd)} />
          </>
        ) : (
          <Stat name="Cost" value="no price known for this model" />
        )}
      </dl>
    </section>
  );
}

function ProviderJobRow({ p }: { p: ProviderJobView }) {
  return (
    <tr data-provider-job-id={p.id}>
      <td>
        <span class="mono">{p.id}</span>
        <div class="muted small">
          route {p.route} · {p.model}
        </div>
      </td>
      <td class="mono">{p.provider_job_id ?? "—"}</td>
      <td>
        {p.status}
        {p.error ? <div class="muted small wrap">{p.error}</div> : null}
      </td>
      <td class="num">
        {formatCount(p.this_batch.records)} / {formatCount(p.records)}
        <div class="muted small">{formatCount(p.this_batch.succeeded)} succeeded</div>
      </td>
      <td class="nowrap">{formatTime(p.submitted_at)}</td>
      <td class="nowrap">{formatTime(p.ended_at)}</td>
    </tr>
  );
}

function tokens(u: { input_tokens: number; output_tokens: number }): string {
  return `${formatCount(u.input_tokens)} / ${formatCount(u.output_tokens)}`;
}

function Stat({ name, value }: { name: string; value: string }) {
  return (
    <div>
      <dt>{name}</dt>
      <dd>{value}</dd>
    </div>
  );
}
