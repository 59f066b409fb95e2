import { useEffect, useState } from "preact/hooks";
import { followEvents, getJson } from "../api/client.js";
import type { WebhookDelivery, WebhookList } from "../api/types.js";
import { ErrorNote, Loading } from "../components/messages.js";
import { formatMs, formatTime } from "../format.js";
import { throttle } from "../live.js";
import { hrefWithQuery, jobHref } from "../router.js";

/**
 * Webhook deliveries, newest first, optionally for one job. Deliveries follow job events
 * (a batch ending queues one), so the page refetches on `/v1/dashboard/events`.
 */
export function WebhooksPage({ query }: { query: URLSearchParams }) {
  const job = query.get("job") ?? "";
  const after = query.get("after") ?? "";
  const [list, setList] = useState<WebhookList | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [jobInput, setJobInput] = useState(job);
  useEffect(() => setJobInput(job), [job]);

  useEffect(() => {
    const ctl = new AbortController();
    const load = () =>
      getJson<WebhookList>("v1/dashboard/webhooks", { job, after, limit: 50 }, ctl.signal)
        .then((l) => {
          setList(l);
          setError(null);
        })
        .catch((e) => ctl.signal.aborted || setError(e));
    const refetch = throttle(load, 2000);
    setList(null);
    void load();
    followEvents("v1/dashboard/events", () => refetch.call(), ctl.signal).catch(
      (e) => ctl.signal.aborted || setError(e),
    );
    return () => {
      ctl.abort();
      refetch.cancel();
    };
  }, [job, after]);

  return (
    <section aria-labelledby="webhooks-title">
      <h1 id="webhooks-title">Webhook deliveries</h1>
      <form
        class="filters"
        aria-label="Filter deliveries"
        onSubmit={(e) => {
          e.preventDefault();
          window.location.hash = hrefWithQuery("/webhooks", { job: jobInput.trim() });
        }}
      >
        <label>
          Job id
          <input type="search" value={jobInput} onInput={(e) => setJobInput(e.currentTarget.value)} />
        </label>
        <button type="submit">Show</button>
      </form>
      <ErrorNote error={error} />
      {list === null ? (
        error ? null : (
          <Loading what="deliveries" />
        )
      ) : list.data.length === 0 ? (
        <p>No deliveries{job ? " for this job" : ""}.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Webhook deliveries, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Created</th>
                <th scope="col">Job</th>
                <th scope="col">Event</th>
                <th scope="col">URL</th>
                <th scope="col">State</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last attempt</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((d) => (
                <DeliveryRow d={d} key={d.id} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list?.has_more && list.last_id ? (
        <nav class="pager" aria-label="Delivery pages">
          <a class="button" href={hrefWithQuery("/webhooks", { job, after: list.last_id })}>
            Older →
          </a>
        </nav>
      ) : null}
    </section>
  );
}

function DeliveryRow({ d }: { d: WebhookDelivery }) {
  const last = d.log[d.log.length - 1];
  return (
    <tr>
      <td class="nowrap">{formatTime(d.created_at)}</td>
      <td>
        <a class="mono" href={jobHref(d.job_id)}>
          {d.job_id}
        </a>
      </td>
      <td>{d.event}</td>
      <td class="mono small wrap">{d.url}</td>
      <td>
        <span class={`badge badge-${d.state}`}>{d.state}</span>
        {d.state === "pending" && d.next_attempt_at ? (
          <div class="muted small">next {formatTime(d.next_attempt_at)}</div>
        ) : null}
      </td>
      <td class="num">{d.attempts}</td>
      <td class="small">
        {last
          ? `${formatTime(last.at)} · ${last.status ?? last.error ?? "no answer"}${last.duration_ms !== null ? ` · ${formatMs(last.duration_ms)}` : ""}`
          : "—"}
      </td>
    </tr>
  );
}
