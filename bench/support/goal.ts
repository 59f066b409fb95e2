/**
 * One figure of issue 18 checked against its goal. `atLeast`/`atMost` set the goal; with
 * neither, the figure is only reported (e.g. PostgreSQL's cost per record, which the issue asks
 * to print, not to bound).
 */
export interface Goal {
  /** Stable name, `scenario.figure` (grep-able across runs). */
  name: string;
  value: number;
  atLeast?: number;
  atMost?: number;
  /** Unit printed after the value in the summary table (e.g. "ms", "×"). */
  unit?: string;
  /** What the figure is, in words, for the summary table. */
  what?: string;
}

export type Verdict = "yes" | "no" | "reported";

interface Checked extends Goal {
  met: Verdict;
}

const checked: Checked[] = [];

export function verdict(g: Pick<Goal, "value" | "atLeast" | "atMost">): Verdict {
  if (g.atLeast === undefined && g.atMost === undefined) return "reported";
  // NaN (a figure the run could not measure) never meets a goal.
  if (!Number.isFinite(g.value)) return "no";
  if (g.atLeast !== undefined && !(g.value >= g.atLeast)) return "no";
  if (g.atMost !== undefined && !(g.value <= g.atMost)) return "no";
  return "yes";
}

export function goalText(g: Pick<Goal, "atLeast" | "atMost">): string {
  const parts: string[] = [];
  if (g.atLeast !== undefined) parts.push(`>=${g.atLeast}`);
  if (g.atMost !== undefined) parts.push(`<=${g.atMost}`);
  return parts.length ? parts.join(",") : "none";
}

/** Prints `GOAL <name> value=… goal=… met=yes|no|reported` and keeps it for the summary. */
export function goal(g: Goal): Verdict {
  const met = verdict(g);
  checked.push({ ...g, met });
  console.log(`GOAL ${g.name} value=${round(g.value)} goal=${goalText(g)} met=${met}`);
  return met;
}

/** Every goal checked so far, as a table; call once at the end of a run. */
export function printGoalSummary(): void {
  if (checked.length === 0) return;
  const rows = checked.map((g) => [
    g.name,
    `${round(g.value)}${g.unit ? ` ${g.unit}` : ""}`,
    goalText(g),
    g.met,
    g.what ?? "",
  ]);
  const head = ["goal", "value", "target", "met", "what"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  console.log("\n=== goals ===");
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  const bounded = checked.filter((g) => g.met !== "reported");
  const met = bounded.filter((g) => g.met === "yes").length;
  console.log(`${met} of ${bounded.length} goals met; ${checked.length - bounded.length} figures reported`);
}

/** Figures at a precision that reads well: integers as they are, 3 significant-ish digits else. */
export function round(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toFixed(3);
}
