import { replayHint } from "./fuzz-seed.js";

/** Who most likely owns a failure (issue 17's split): validation/raw bytes, HTTP, conformance. */
export type Owner = "A validation/raw bytes" | "B http" | "C conformance" | "test";

export interface Finding {
  invariant: string;
  owner: Owner;
  caseId: string;
  detail: string;
}

/**
 * Violations gathered while a suite runs, so that one run reports every broken invariant with
 * the case ids to replay, instead of stopping at the first.
 */
export class Findings {
  readonly all: Finding[] = [];

  constructor(
    readonly seed: number,
    readonly testFile: string,
  ) {}

  add(invariant: string, owner: Owner, caseId: string, detail: string): void {
    this.all.push({
      invariant,
      owner,
      caseId,
      detail: detail.length > 400 ? `${detail.slice(0, 400)}…` : detail,
    });
  }

  of(invariant: string): Finding[] {
    return this.all.filter((f) => f.invariant === invariant);
  }

  /** A failure message: counts, then up to `max` cases with what to run to replay one. */
  report(invariant: string, max = 25): string {
    const list = this.of(invariant);
    if (list.length === 0) return "";
    const byOwner = new Map<string, number>();
    for (const f of list) byOwner.set(f.owner, (byOwner.get(f.owner) ?? 0) + 1);
    const lines = [
      `${list.length} violation(s) of "${invariant}" (seed ${this.seed}; ${[...byOwner]
        .map(([o, n]) => `${o}: ${n}`)
        .join(", ")})`,
      ...list.slice(0, max).map((f) => `  [${f.caseId}] (${f.owner}) ${f.detail}`),
    ];
    if (list.length > max) lines.push(`  … and ${list.length - max} more`);
    lines.push(`  ${replayHint(this.seed, list[0]!.caseId, this.testFile)}`);
    return lines.join("\n");
  }

  /** One line per invariant, for the run log. */
  summary(): string {
    const counts = new Map<string, number>();
    for (const f of this.all) counts.set(f.invariant, (counts.get(f.invariant) ?? 0) + 1);
    return [...counts].map(([k, n]) => `${k}: ${n}`).join("; ") || "no violations";
  }
}
