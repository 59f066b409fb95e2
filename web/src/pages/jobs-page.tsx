import { useEffect, useMemo, useState } from "preact/hooks";
import { followEvents, getJson } from "../api/client.js";
import { JOB_STATUSES, type JobList, type JobSummary, type JobsChanged } from "../api/types.js";
import { ErrorNote, Loading } from "../components/messages.js";
import { ProgressBar } from "../components/progress-bar.js";
import { StatusBadge } from "../components/status-badge.js";
import { formatCost, formatCount, formatDuration, formatRate, formatTime } from "../format.js";
import { throttle, useLatest } from "../live.js";
import { hrefWithQuery, jobHref } from "../router.js";

const PAGE_SIZE = 50;
const FILTERS = ["status", "model", "kind", "format", "project"] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

/**
 * Jobs, newest first, filtered and paginated by the server (a cursor per page, never an offset),
 * kept live by `/v1/dashboard/events`: changed jobs are patched into the rows shown; a new job on
 * the first page reloads it.
 */
export function JobsPage({ query }: { query: URLSearchParams }) {
  const filters: Filters = {
    status: query.get("status") ?? "",
    model: query.get("model") ?? "",
    kind: query.get("kind") ?? "",
    format: query.get("format") ?? "",
    project: query.get("project") ?? "",
  };
  const after = query.get("after") ?? "";
  const filterKey = FILTERS.map((f) => filters[f]).join("\u0000");
  const [list, setList] = useState<JobList | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [reloads, setReloads] = useState(0);
  // Cursors of the pages before this one, so "Newer" can go back without an offset query.
  const [cursors, setCursors] = useState<string[]>([]);

  useEffect(() => {
    const ctl = new AbortController();
    getJson<JobList>("v1/dashboard/jobs", { ...filters, after, limit: PAGE_SIZE }, ctl.signal)
      .then((l) => {
        setList(l);
        setError(null);
      })
      .catch((e) => ctl.signal.aborted || setError(e));
    return () => ctl.abort();
  }, [filterKey, after, reloads]);

  const latest = useLatest({ list, filters, after });
  useEffect(() => {
    const ctl = new AbortController();
    const reload = throttle(() => setReloads((n) => n + 1), 1000);
    followEvents(
      "v1/dashboard/events",
      (event, data) => {
        if (event !== "jobs") return;
        const { list: current, filters: f, after: cursor } = latest.current;
        if (!current) return;
        const changed = (data as JobsChanged).changed;
        const byId = new Map(changed.map((j) => [j.id, j]));
        const shown = new Set(current.data.map((j) => j.id));
        // A job not shown belongs here only if it sorts into this page (newest first): a running
        // old job reported by the stream must not reload the first page.
        const oldest = current.data[current.data.length - 1];
        const isNewHere = changed.some(
          (j) =>
            !shown.has(j.id) &&
            matches(j, f) &&
            (!current.has_more || oldest === undefined || j.created_at >= oldest.created_at),
        );
        if (isNewHere && cursor === "") reload.call();
        setList({
          ...current,
          data: current.data.map((j) => {
            const next = byId.get(j.id);
            return next && matches(next, f) ? next : j;
          }),
          ...(f.model || f.kind || f.format || f.project ? {} : statusCountsOf(data as JobsChanged)),
        });
      },
      ctl.signal,
    ).catch((e) => ctl.signal.aborted || setError(e));
    return () => {
      ctl.abort();
      reload.cancel();
    };
  }, [latest]);

  const go = (next: Partial<Filters> & { after?: string }) => {
    window.location.hash = hrefWithQuery("/jobs", { ...filters, after: "", ...next });
  };

  return (
    <section aria-labelledby="jobs-title">
      <h1 id="jobs-title">Jobs</h1>
      <FilterForm
        filters={filters}
        list={list}
        onChange={(f) => {
          setCursors([]);
          go({ ...f, after: "" });
        }}
      />
      <ErrorNote error={error} />
      {list === null ? (
        <Loading what="jobs" />
      ) : (
        <>
          <p class="muted" aria-live="polite">
            {formatCount(list.total)} {list.total === 1 ? "job" : "jobs"}
            {filters.status
              ? `, ${formatCount(list.status_counts[filters.status as keyof typeof list.status_counts] ?? 0)} ${filters.status.replace("_", " ")}`
              : ""}
          </p>
          <JobsTable jobs={list.data} />
          <nav class="pager" aria-label="Job list pages">
            <button
              type="button"
              disabled={after === ""}
              onClick={() => {
                const prev = cursors.slice(0, -1);
                setCursors(prev);
                go({ after: cursors[cursors.length - 1] ?? "" });
              }}
            >
              ← Newer
            </button>
            <button
              type="button"
              disabled={!list.has_more || !list.last_id}
              onClick={() => {
                setCursors([...cursors, after]);
                go({ after: list.last_id ?? "" });
              }}
            >
              Older →
            </button>
          </nav>
        </>
      )}
    </section>
  );
}

function matches(job: JobSummary, f: Filters): boolean {
  return (
    (!f.status || job.status === f.status) &&
    (!f.model || job.model === f.model) &&
    (!f.kind || job.kind === f.kind) &&
    (!f.format || job.format === f.format) &&
    (!f.project || job.project_id === f.project)
  );
}

/** The event's counts cover every job, so they replace the chips only when no other filter is set. */
function statusCountsOf(e: JobsChanged): Pick<JobList, "status_counts" | "total"> {
  return { status_counts: e.status_counts, total: e.total };
}

function FilterForm({
  filters,
  list,
  onChange,
}: {
  filters: Filters;
  list: JobList | null;
  onChange: (f: Filters) => void;
}) {
  const [model, setModel] = useState(filters.model);
  useEffect(() => setModel(filters.model), [filters.model]);
  const [project, setProject] = useState(filters.project);
  useEffect(() => setProject(filters.project), [filters.project]);
  // Only an admin key sees more than its own project, so only an admin gets the filter (a member
  // naming another project would be refused); kept while a filter is set so it can be cleared.
  const showProject = list?.viewer?.all_projects === true || filters.project !== "";
  const set = (k: keyof Filters, v: string) => onChange({ ...filters, [k]: v });
  return (
    <form
      class="filters"
      aria-label="Filter jobs"
      onSubmit={(e) => {
        e.preventDefault();
        onChange({ ...filters, model: model.trim(), project: project.trim() });
      }}
    >
      <label>
        Status
        <select value={filters.status} onChange={(e) => set("status", e.currentTarget.value)}>
          <option value="">any</option>
          {JOB_STATUSES.map((s) => (
            <option value={s} key={s}>
              {s.replace("_", " ")}
              {list ? ` (${formatCount(list.status_counts[s] ?? 0)})` : ""}
            </option>
          ))}
        </select>
      </label>
      <label>
        Model
        <input
          type="search"
          value={model}
          placeholder="exact name"
          onInput={(e) => setModel(e.currentTarget.value)}
          onBlur={() => model.trim() !== filters.model && set("model", model.trim())}
        />
      </label>
      <label>
        Kind
        <select value={filters.kind} onChange={(e) => set("kind", e.currentTarget.value)}>
          <option value="">any</option>
          <option value="batch">batch</option>
          <option value="invocation">invocation</option>
        </select>
      </label>
      <label>
        Format
        <select value={filters.format} onChange={(e) => set("format", e.currentTarget.value)}>
          <option value="">any</option>
          <option value="openai">OpenAI</option>
          <option value="anthropic">Anthropic</option>
          <option value="bedrock">Bedrock</option>
        </select>
      </label>
      {showProject ? (
        <label>
          Project
          <input
            type="search"
            value={project}
            placeholder="any (exact id)"
            onInput={(e) => setProject(e.currentTarget.value)}
            onBlur={() => project.trim() !== filters.project && set("project", project.trim())}
          />
        </label>
      ) : null}
    </form>
  );
}

function JobsTable({ jobs }: { jobs: JobSummary[] }) {
  const rows = useMemo(() => jobs.map((j) => <JobRow job={j} key={j.id} />), [jobs]);
  if (jobs.length === 0) return <p>No jobs match.</p>;
  return (
    <div class="table-wrap">
      <table class="jobs">
        <caption class="visually-hidden">Jobs, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">Status</th>
            <th scope="col">Project</th>
            <th scope="col">Model</th>
            <th scope="col">Progress</th>
            <th scope="col">Rate</th>
            <th scope="col">ETA</th>
            <th scope="col">Cost so far</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>{rows}</tbody>
      </table>
    </div>
  );
}

function JobRow({ job }: { job: JobSummary }) {
  return (
    <tr data-job-id={job.id}>
      <td>
        <a href={jobHref(job.id)} class="mono">
          {job.id}
        </a>
        <div class="muted small">
          {job.kind} · {job.format} · {job.endpoint}
        </div>
      </td>
      <td>
        <StatusBadge status={job.status} />
      </td>
      <td>{job.project_id}</td>
      <td>{job.model ?? "—"}</td>
      <td class="progress-cell">
        <ProgressBar counts={job.counts} label={`Progress of ${job.id}`} />
      </td>
      <td class="num">{formatRate(job.rate_per_s)}</td>
      <td class="num">{formatDuration(job.eta_s)}</td>
      <td class="num">{formatCost(job.cost_usd)}</td>
      <td class="nowrap">{formatTime(job.created_at)}</td>
    </tr>
  );
}
