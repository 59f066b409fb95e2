import type { Counts } from "../api/types.js";
import { formatCount, progressParts } from "../format.js";

/**
 * Done/failed/total as one bar: succeeded and failed segments side by side, the number as text
 * beside it (colour is never the only carrier), exposed to assistive tech as a progressbar.
 */
export function ProgressBar({ counts, label }: { counts: Counts; label: string }) {
  const p = progressParts(counts);
  return (
    <div class="progress">
      <div
        class="progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={p.donePct}
        aria-valuetext={`${p.donePct}%: ${formatCount(counts.completed)} succeeded, ${formatCount(counts.failed)} failed of ${formatCount(counts.total)}`}
      >
        <div class="progress-ok" style={{ width: `${p.completedPct}%` }} />
        <div class="progress-failed" style={{ width: `${p.failedPct}%` }} />
      </div>
      <span class="progress-text">
        <span class="progress-pct">{p.donePct}%</span> {formatCount(counts.completed + counts.failed)}/
        {formatCount(counts.total)}
        {counts.failed > 0 ? <span class="failed-count"> ({formatCount(counts.failed)} failed)</span> : null}
      </span>
    </div>
  );
}
