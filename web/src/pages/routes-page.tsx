import { useEffect, useState } from "preact/hooks";
import { followEvents, getJson } from "../api/client.js";
import type { RouteList, RouteView } from "../api/types.js";
import { TimeChart } from "../components/chart.js";
import { ErrorNote, Loading } from "../components/messages.js";
import { formatCount, formatRate, formatTime } from "../format.js";
import { throttle } from "../live.js";

/**
 * Routes: configured limits and, where a worker runs in this process, live in-flight and
 * adaptive concurrency over the last minutes. There is no per-route event stream; the figures
 * move when records finish, which is exactly when `/v1/dashboard/events` speaks, so the page
 * refetches on those events (at most once a second) instead of polling.
 */
export function RoutesPage() {
  const [routes, setRoutes] = useState<RouteList | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const ctl = new AbortController();
    const load = () =>
      getJson<RouteList>("v1/dashboard/routes", undefined, ctl.signal)
        .then((r) => {
          setRoutes(r);
          setError(null);
        })
        .catch((e) => ctl.signal.aborted || setError(e));
    const refetch = throttle(load, 1000);
    void load();
    followEvents("v1/dashboard/events", () => refetch.call(), ctl.signal).catch(
      (e) => ctl.signal.aborted || setError(e),
    );
    return () => {
      ctl.abort();
      refetch.cancel();
    };
  }, []);

  return (
    <section aria-labelledby="routes-title">
      <h1 id="routes-title">Routes</h1>
      <ErrorNote error={error} />
      {routes === null ? (
        <Loading what="routes" />
      ) : (
        <>
          {routes.worker_stats === "none" ? (
            <p class="note">
              This process runs no worker (<code>docket api</code>): only the configured limits are shown.
              Live figures are in each worker's <code>/metrics</code>.
            </p>
          ) : null}
          {routes.data.length === 0 ? <p>No routes are configured.</p> : null}
          {routes.data.map((r) => (
            <RouteCard route={r} key={r.name} />
          ))}
        </>
      )}
    </section>
  );
}

function RouteCard({ route }: { route: RouteView }) {
  const live = route.live;
  const times = route.history.map((h) => h.at);
  const pausedUntil = live?.paused_until ?? null;
  const errorRate = (n: number) =>
    live && live.attempts.total > 0 ? `${((n / live.attempts.total) * 100).toFixed(1)}%` : "—";
  return (
    <article class="card" aria-labelledby={`route-${route.name}`}>
      <h2 id={`route-${route.name}`}>
        {route.name} <span class="muted small">{route.backend_type}</span>
      </h2>
      <p class="muted">
        Models:{" "}
        {route.models.map((m) => (
          <code key={m}>{m} </code>
        ))}
      </p>
      <dl class="stats">
        <Stat
          name="Concurrency limit"
          value={
            route.adaptive ? `adaptive (≤ ${route.concurrency ?? "—"})` : String(route.concurrency ?? "—")
          }
        />
        <Stat name="RPM" value={route.rpm === null ? "no limit" : formatCount(route.rpm)} />
        <Stat name="TPM" value={route.tpm === null ? "no limit" : formatCount(route.tpm)} />
        {route.batch ? <Stat name="Batch slots in use" value={slotsText(route.batch)} /> : null}
        {live ? (
          <>
            <Stat name="In flight" value={formatCount(live.in_flight)} />
            <Stat name="Queued" value={formatCount(live.queued)} />
            <Stat name="Current concurrency" value={formatCount(live.current_concurrency)} />
            <Stat
              name="Attempts"
              value={`${formatCount(live.attempts.total)} (${formatRate(live.rates_per_s.attempts)})`}
            />
            <Stat
              name="429s"
              value={`${formatCount(live.attempts.status_429)} · ${errorRate(live.attempts.status_429)}`}
            />
            <Stat
              name="5xx"
              value={`${formatCount(live.attempts.status_5xx)} · ${errorRate(live.attempts.status_5xx)}`}
            />
            <Stat
              name="Retry-After pause"
              value={pausedUntil ? `until ${formatTime(Math.ceil(pausedUntil))}` : "none"}
            />
          </>
        ) : null}
      </dl>
      {route.history.length > 1 ? (
        <div class="charts">
          <TimeChart
            title="In flight and concurrency"
            summary={`now ${live?.in_flight ?? 0} in flight of ${live?.current_concurrency ?? 0}`}
            times={times}
            series={[
              { label: "in flight", colorVar: "--accent", values: route.history.map((h) => h.in_flight) },
              {
                label: "concurrency",
                colorVar: "--fg-muted",
                values: route.history.map((h) => h.concurrency),
                stepped: true,
              },
            ]}
          />
          <TimeChart
            title="Attempts, 429s and 5xx per second"
            summary={`${route.history.reduce((n, h) => n + h.status_429, 0)} 429s and ${route.history.reduce((n, h) => n + h.status_5xx, 0)} 5xx in the last ${route.history.length} s; ${route.history.filter((h) => h.paused).length} s paused`}
            times={times}
            series={[
              { label: "attempts", colorVar: "--ok", values: route.history.map((h) => h.attempts) },
              { label: "429", colorVar: "--warn", values: route.history.map((h) => h.status_429) },
              { label: "5xx", colorVar: "--bad", values: route.history.map((h) => h.status_5xx) },
            ]}
          />
        </div>
      ) : null}
    </article>
  );
}

/** Provider jobs holding one of the route's `maxJobsInFlight` slots, and which states they are in. */
function slotsText(b: NonNullable<RouteView["batch"]>): string {
  if (b.in_use === null) return `${formatCount(b.max_jobs_in_flight)} slots`;
  const states = Object.entries(b.by_state ?? {})
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${formatCount(n)} ${s}`);
  return `${formatCount(b.in_use)} of ${formatCount(b.max_jobs_in_flight)}${states.length ? ` (${states.join(", ")})` : ""}`;
}

function Stat({ name, value }: { name: string; value: string }) {
  return (
    <div>
      <dt>{name}</dt>
      <dd>{value}</dd>
    </div>
  );
}
