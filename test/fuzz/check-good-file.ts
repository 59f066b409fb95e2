import type { BatchOutcome } from "./batch-driver.js";
import type { Findings } from "./findings.js";
import type { GoodFile } from "./good-files.js";
import { rawMembers } from "./raw-json.js";

export const GOOD_INV = {
  hang: "0 hangs",
  completes: "valid files complete with every record",
  bodies: "0 lost or changed bodies (backend receives the raw body text)",
  ids: "output custom_ids byte-identical to the input literals",
} as const;

const A = "A validation/raw bytes" as const;

/** Raw bodies the backend received, by the marker inside them. */
export function bodiesByMarker(bodies: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const body of bodies) {
    for (const m of body.matchAll(/FZG:f\d{4}:l\d+:/g)) out.set(m[0], [...(out.get(m[0]) ?? []), body]);
  }
  return out;
}

export function checkGoodFile(
  file: GoodFile,
  o: BatchOutcome | undefined,
  received: Map<string, string[]>,
  outputs: { output: Buffer | null; error: Buffer | null },
  f: Findings,
): void {
  const id = file.caseId;
  if (!o || o.clientError || o.refused) {
    f.add(
      GOOD_INV.hang,
      "B http",
      id,
      `request failed: ${o?.clientError ?? JSON.stringify(o?.refused) ?? "no outcome"}`,
    );
    return;
  }
  const batch = o.batch!;
  if (o.hung) {
    f.add(GOOD_INV.hang, A, id, `batch ${batch.id} still '${batch.status}' after the bound`);
    return;
  }
  const n = file.lines.length;
  const counts = batch.request_counts;
  if (batch.status !== "completed" || counts?.total !== n || counts.completed !== n) {
    const errs = (batch.errors?.data ?? [])
      .slice(0, 3)
      .map((e) => `{${e.code} line=${e.line} ${e.message?.slice(0, 200)}}`);
    f.add(
      GOOD_INV.completes,
      A,
      id,
      `status '${batch.status}', counts ${JSON.stringify(counts)} for ${n} lines; errors ${errs.join(" ")}`,
    );
  }
  if (batch.status !== "completed") return;

  for (const line of file.lines) {
    const got = received.get(line.marker) ?? [];
    const caseId = `${id}.${line.marker.split(":")[2]}`;
    if (got.length === 0) {
      f.add(GOOD_INV.bodies, A, caseId, `the backend never received the body of line ${line.marker}`);
      continue;
    }
    const want = Buffer.from(line.rawBody);
    for (const body of got) {
      const have = Buffer.from(body);
      if (!have.equals(want)) f.add(GOOD_INV.bodies, A, caseId, firstDifference(want, have));
    }
  }

  const want = file.lines.map((l) => Buffer.from(l.rawId).toString("latin1"));
  const seen: string[] = [];
  for (const buf of [outputs.output, outputs.error]) {
    if (!buf) continue;
    for (const text of buf.toString("latin1").split("\n")) {
      if (text.trim() === "") continue;
      const members = rawMembers(text);
      const raw = members?.get("custom_id");
      if (raw === undefined)
        f.add(GOOD_INV.ids, A, id, `output line without a readable custom_id: ${text.slice(0, 200)}`);
      else seen.push(raw);
    }
  }
  const missing = multisetMinus(want, seen);
  const extra = multisetMinus(seen, want);
  if (missing.length || extra.length) {
    const show = (xs: string[]) =>
      xs
        .slice(0, 4)
        .map((x) => Buffer.from(x, "latin1").toString("utf8").slice(0, 80))
        .join(" ");
    f.add(
      GOOD_INV.ids,
      A,
      id,
      `custom_id literals written as [${show(missing)}] came back as [${show(extra)}]`,
    );
  }
}

function multisetMinus(a: string[], b: string[]): string[] {
  const left = new Map<string, number>();
  for (const x of b) left.set(x, (left.get(x) ?? 0) + 1);
  return a.filter((x) => {
    const n = left.get(x) ?? 0;
    if (n > 0) left.set(x, n - 1);
    return n === 0;
  });
}

function firstDifference(want: Buffer, have: Buffer): string {
  let i = 0;
  while (i < want.length && i < have.length && want[i] === have[i]) i++;
  const around = (b: Buffer) => JSON.stringify(b.subarray(Math.max(0, i - 30), i + 30).toString("utf8"));
  return `body differs at byte ${i} (sent ${want.length} bytes, received ${have.length}): wrote …${around(want)}… got …${around(have)}…`;
}
