import { useEffect, useState } from "preact/hooks";
import { ApiError, download, followEvents, getJson, postJson } from "../api/client.js";
import type { Counts, JobDetail, JobEventData, JobStatus, RecordSample, TextExcerpt } from "../api/types.js";
import { TimeChart } from "../components/chart.js";
import { ErrorNote, Loading } from "../components/messages.js";
import { ProgressBar } from "../components/progress-bar.js";
import { ProviderJobs } from "../components/provider-jobs.js";
import { StatusBadge } from "../components/status-badge.js";
import { formatCost, formatCount, formatDuration, formatMs, formatRate, formatTime } from "../format.js";
import { throttle } from "../live.js";
import { hrefWithQuery } from "../router.js";

const CANCELLABLE: ReadonlySet<string> = new Set(["validating", "in_progress"]);
const TERMINAL: ReadonlySet<string> = new Set(["completed", "failed", "expired", "cancelled"]);

/** What the job's event stream says, ahead of the next detail fetch. */
interface LiveState {
  status: JobStatus;
  counts: Counts | null;
  rate: number | null;
}

/**
 * One job: progress straight from its event stream (`/v1/events?job=`), and the heavier detail
 * (chart, percentiles, errors) refetched on those events at most once a second.
 */
export function JobPage({ id }: { id: string }) {
  const [detail, setDetail] = useState<JobDetail | null>(null);
  const [live, setLive] = useState<LiveState | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [cancelling, setCancelling] = useState(false);

  useEffect(() => {
    const ctl = new AbortController();
    const load = () =>
      getJson<JobDetail>(`v1/dashboard/jobs/${encodeURIComponent(id)}`, undefined, ctl.signal)
        .then((d) => {
          setDetail(d);
          setError(null);
        })
        .catch((e) => ctl.signal.aborted || setError(e));
    const refetch = throttle(load, 1000);
    setDetail(null);
    setLive(null);
    load().then(() =>
      followEvents(
        `v1/events?job=${encodeURIComponent(id)}`,
        (event, data) => {
          const d = data as JobEventData;
          if (event === "error") return;
          setLive({ status: d.status, counts: d.request_counts ?? null, rate: d.rate_per_second ?? null });
          if (event === "end") {
            refetch.cancel();
            void load();
          } else refetch.call();
        },
        ctl.signal,
      ).catch((e) => ctl.signal.aborted || (e instanceof ApiError && e.status === 404) || setError(e)),
    );
    return () => {
      ctl.abort();
      refetch.cancel();
    };
  }, [id]);

  if (!detail) {
    return (
      <section>
        <h1 class="mono">{id}</h1>
        <ErrorNote error={error} />
        {error ? null : <Loading what="the job" />}
      </section>
    );
  }

  const status = live?.status ?? detail.status;
  const counts = live?.counts ?? detail.counts;
  const rate = TERMINAL.has(status)
    ? null
    : (live?.rate ?? detail.throughput.recent_rate_per_s ?? detail.rate_per_s);
  const remaining = counts.total - counts.completed - counts.failed;
  const eta = rate && rate > 0 && remaining > 0 ? remaining / rate : null;
  const cancelUrl = detail.links.cancel;

  const cancel = async () => {
    if (!cancelUrl) return;
    setCancelling(true);
    setActionError(null);
    try {
      const job = await postJson<{ status: JobStatus }>(cancelUrl);
      setLive((l) => ({ status: job.status, counts: l?.counts ?? null, rate: null }));
    } catch (e) {
      setActionError(e);
    } finally {
      setCancelling(false);
    }
  };
  const save = (path: string, name: string) => download(path, name).catch(setActionError);

  return (
    <section aria-labelledby="job-title">
      <p>
        <a href="#/jobs">← All jobs</a>
      </p>
      <h1 id="job-title" class="mono">
        {detail.id}
      </h1>
      <p class="job-meta">
        <StatusBadge status={status} /> {detail.kind} · {detail.format} ·{" "}
        <span class="mono">{detail.endpoint}</span> · model {detail.model ?? "—"} · created{" "}
        {formatTime(detail.created_at)}
      </p>
      <div class="actions">
        {cancelUrl && CANCELLABLE.has(status) ? (
          <button type="button" class="danger" onClick={cancel} disabled={cancelling}>
            {cancelling ? "Cancelling…" : "Cancel job"}
          </button>
        ) : null}
        {detail.links.output_file ? (
          <button type="button" onClick={() => save(detail.links.output_file!, `${detail.id}.output.jsonl`)}>
            Download output
          </button>
        ) : null}
        {detail.links.error_file ? (
          <button type="button" onClick={() => save(detail.links.error_file!, `${detail.id}.errors.jsonl`)}>
            Download errors
          </button>
        ) : null}
        <a class="button" href={hrefWithQuery("/webhooks", { job: detail.id })}>
          Webhook deliveries
        </a>
      </div>
      <ErrorNote error={actionError ?? error} />

      <h2>Progress</h2>
      <ProgressBar counts={counts} label={`Progress of ${detail.id}`} />
      <dl class="stats">
        <Stat name="Succeeded" value={formatCount(counts.completed)} />
        <Stat name="Failed" value={formatCount(counts.failed)} />
        <Stat name="Total" value={formatCount(counts.total)} />
        <Stat name="Rate" value={formatRate(rate)} />
        <Stat name="ETA" value={formatDuration(eta)} />
        <Stat name="Input tokens" value={formatCount(detail.usage.input_tokens)} />
        <Stat name="Output tokens" value={formatCount(detail.usage.output_tokens)} />
        <Stat name="Cost so far" value={formatCost(detail.cost?.usd ?? detail.cost_usd)} />
        {detail.dedup ? (
          <>
            <Stat name="Not sent: identical" value={formatCount(detail.dedup.deduplicated_requests)} />
            <Stat name="Not sent: cached" value={formatCount(detail.dedup.cached_requests)} />
            <Stat name="Saved" value={formatCost(detail.dedup.saved_usd)} />
          </>
        ) : null}
      </dl>

      {detail.kind === "batch" ? <ProviderJobs jobId={detail.id} version={detail} /> : null}

      <Throughput detail={detail} />

      <h2>Latency</h2>
      <dl class="stats">
        <Stat name="p50" value={formatMs(detail.latency_ms.p50)} />
        <Stat name="p90" value={formatMs(detail.latency_ms.p90)} />
        <Stat name="p99" value={formatMs(detail.latency_ms.p99)} />
        <Stat name="Records measured" value={formatCount(detail.latency_ms.sample)} />
      </dl>

      <ErrorGroups detail={detail} />
    </section>
  );
}

function Stat({ name, value }: { name: string; value: string }) {
  return (
    <div>
      <dt>{name}</dt>
      <dd>{value}</dd>
    </div>
  );
}

function Throughput({ detail }: { detail: JobDetail }) {
  const { buckets, interval_s } = detail.throughput;
  // One point draws no line and uPlot would stretch the time axis around it; the stats say enough.
  if (buckets.length < 2) return null;
  const per = (n: number) => n / interval_s;
  const peak = Math.max(...buckets.map((b) => per(b.succeeded + b.failed)));
  return (
    <>
      <h2>Throughput</h2>
      <TimeChart
        title={`Records finished per second (${interval_s} s buckets)`}
        summary={`${buckets.length} intervals, peak ${formatRate(peak)}`}
        times={buckets.map((b) => b.start)}
        series={[
          { label: "succeeded/s", colorVar: "--ok", values: buckets.map((b) => per(b.succeeded)) },
          { label: "failed/s", colorVar: "--bad", values: buckets.map((b) => per(b.failed)) },
        ]}
      />
    </>
  );
}

function ErrorGroups({ detail }: { detail: JobDetail }) {
  const lineErrors = detail.errors?.data ?? [];
  if (detail.error_groups.length === 0 && lineErrors.length === 0) return null;
  return (
    <>
      <h2>Errors</h2>
      {lineErrors.length > 0 ? (
        <section aria-label="Validation errors">
          <h3>Input file problems</h3>
          <ul>
            {lineErrors.map((e, i) => (
              <li key={i}>
                {e.line !== null ? `line ${e.line}: ` : ""}
                <code>{e.code}</code> {e.message}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {detail.error_groups.map((g) => (
        <section class="error-group" key={g.code} aria-label={`Errors with code ${g.code}`}>
          <h3>
            <code>{g.code}</code> <span class="muted">× {formatCount(g.count)}</span>
          </h3>
          {g.samples.map((s) => (
            <Sample sample={s} key={`${s.custom_id}:${s.position}`} />
          ))}
        </section>
      ))}
    </>
  );
}

function Sample({ sample }: { sample: RecordSample }) {
  return (
    <details class="sample">
      <summary>
        <span class="mono">{sample.custom_id}</span>
        {sample.line !== null ? ` · line ${sample.line}` : ""} · {sample.state} after {sample.attempts}{" "}
        {sample.attempts === 1 ? "attempt" : "attempts"}
        {sample.error ? ` · ${sample.error.message}` : ""}
      </summary>
      <h4>Request body</h4>
      <Body excerpt={sample.request_body} />
      <h4>Response{sample.response ? ` (HTTP ${sample.response.status_code})` : ""}</h4>
      {sample.response ? (
        <Body excerpt={sample.response.body} />
      ) : (
        <p class="muted">No response: the backend never answered.</p>
      )}
    </details>
  );
}

function Body({ excerpt }: { excerpt: TextExcerpt | null }) {
  if (!excerpt) return <p class="muted">None.</p>;
  return (
    <>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1, axe scrollable-region-focusable) */}
      <pre class="body" tabIndex={0}>
        {excerpt.text}
      </pre>
      {excerpt.truncated ? (
        <p class="muted small">
          Cut at {formatCount(excerpt.text.length)} of {formatCount(excerpt.chars)} characters.
        </p>
      ) : null}
    </>
  );
}
