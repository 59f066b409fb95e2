import type { BadFile } from "./bad-files.js";
import type { BatchOutcome } from "./batch-driver.js";
import type { Findings, Owner } from "./findings.js";

/** Invariants checked on every bad file (names double as the test titles' keys). */
export const INV = {
  hang: "0 hangs",
  fails: "bad input fails its batch",
  line: "every line error names its line",
  detail: "line errors say what the team decided (param, code, byte offset)",
  falsePositive: "no valid line reported as bad",
  bounded: "bounded error lists",
  fileLevel: "empty files fail with a file-level error",
} as const;

/** Line errors every list may carry without a line: the bounded list's summary entries. */
const SUMMARY_CODE = /too_many|summary|more_errors|truncat/i;
export const MAX_ERROR_ENTRIES = 110;
export const MAX_MESSAGE_BYTES = 1024;

function ownerOf(kind: string): Owner {
  // stream:true and the BOM are issue 17's conformance items; every other line rule is validation.
  return kind === "stream-true" ? "C conformance" : "A validation/raw bytes";
}

export function checkBadFile(file: BadFile, o: BatchOutcome | undefined, f: Findings): void {
  const id = file.caseId;
  const kinds = file.bad.map((b) => `${b.kind}@${b.line}`).join(",") || (file.opaque ? "gzip" : "empty");
  if (!o || o.clientError) {
    f.add(INV.hang, "B http", id, `a request failed or hung: ${o?.clientError ?? "no outcome"} [${kinds}]`);
    return;
  }
  if (o.refused) {
    // An empty upload may be refused outright; anything else must reach validation to name its lines.
    if (!file.fileLevel)
      f.add(
        INV.fails,
        "B http",
        id,
        `upload/create refused (${o.refused.status}): ${o.refused.message} [${kinds}]`,
      );
    return;
  }
  const batch = o.batch!;
  if (o.hung) {
    f.add(
      INV.hang,
      "A validation/raw bytes",
      id,
      `batch ${batch.id} still '${batch.status}' after the bound [${kinds}]`,
    );
    return;
  }
  if (batch.status !== "failed") {
    const owner =
      file.bad.some((b) => b.kind === "stream-true") && file.bad.length === 1
        ? "C conformance"
        : "A validation/raw bytes";
    f.add(
      INV.fails,
      owner,
      id,
      `batch ended '${batch.status}' (${JSON.stringify(batch.request_counts)}) [${kinds}]`,
    );
    return;
  }
  const errors = batch.errors?.data ?? [];
  for (const e of errors) {
    const bytes = Buffer.byteLength(e.message ?? "");
    if (bytes > MAX_MESSAGE_BYTES)
      f.add(
        INV.bounded,
        "A validation/raw bytes",
        id,
        `error message of ${bytes} bytes (code ${e.code}, line ${e.line})`,
      );
  }
  if (errors.length > MAX_ERROR_ENTRIES)
    f.add(INV.bounded, "A validation/raw bytes", id, `${errors.length} error entries`);
  if (file.problemCount !== undefined) {
    const listed = errors.filter((e) => e.line != null).length;
    const counted = errors.some((e) => (e.message ?? "").includes(String(file.problemCount)));
    if (listed < file.problemCount && !counted) {
      f.add(
        INV.bounded,
        "A validation/raw bytes",
        id,
        `${file.problemCount} problems but the list neither holds nor counts them`,
      );
    }
  }
  if (file.fileLevel) {
    if (!errors.some((e) => file.fileLevel!.test(e.code ?? ""))) {
      f.add(
        INV.fileLevel,
        "A validation/raw bytes",
        id,
        `no file-level error; got ${JSON.stringify(errors.map((e) => e.code))}`,
      );
    }
    return;
  }
  for (const e of errors) {
    if (e.line == null && !SUMMARY_CODE.test(e.code ?? "")) {
      f.add(
        INV.line,
        "A validation/raw bytes",
        id,
        `error without a line: ${e.code}: ${clip(e.message)} [${kinds}]`,
      );
    }
  }
  if (file.opaque) {
    if (!errors.some((e) => e.line === 1))
      f.add(INV.line, "A validation/raw bytes", id, `gzip bytes: no error on line 1`);
    return;
  }
  const byLine = new Map<number, typeof errors>();
  for (const e of errors) if (e.line != null) byLine.set(e.line, [...(byLine.get(e.line) ?? []), e]);
  file.bad.forEach((bad, index) => {
    const onLine = byLine.get(bad.line);
    if (!onLine) {
      // A bounded list may leave out problems past its limit, never the first ones.
      if (file.problemCount === undefined || index < 50) {
        f.add(
          INV.line,
          ownerOf(bad.kind),
          `${id}.l${bad.line}`,
          `${bad.kind}: no error names line ${bad.line}; errors: ${summarize(errors)}`,
        );
      }
      return;
    }
    if (bad.param && !onLine.some((e) => e.param === bad.param)) {
      f.add(
        INV.detail,
        ownerOf(bad.kind),
        `${id}.l${bad.line}`,
        `${bad.kind}: expected param '${bad.param}', got ${summarize(onLine)}`,
      );
    }
    if (bad.code && !onLine.some((e) => bad.code!.test(e.code ?? ""))) {
      f.add(
        INV.detail,
        ownerOf(bad.kind),
        `${id}.l${bad.line}`,
        `${bad.kind}: expected code ${bad.code}, got ${summarize(onLine)}`,
      );
    }
    if (bad.badBytes && !onLine.some((e) => namesOffset(e.message ?? "", bad))) {
      f.add(
        INV.detail,
        ownerOf(bad.kind),
        `${id}.l${bad.line}`,
        `${bad.kind}: message does not name the byte offset ${bad.badBytes.first} (line) / ${bad.lineStart + bad.badBytes.first} (file): ${summarize(onLine)}`,
      );
    }
  });
  for (const line of file.goodLines) {
    const wrong = byLine.get(line);
    if (wrong)
      f.add(
        INV.falsePositive,
        "A validation/raw bytes",
        `${id}.l${line}`,
        `valid line ${line} reported: ${summarize(wrong)} [${kinds}]`,
      );
  }
}

/**
 * Invalid UTF-8 must be reported with its byte offset. Whether it counts from the line or the
 * file, from 0 or 1, and names the sequence's first or last byte is the implementer's choice:
 * any of those numbers next to the word "byte" or "offset" passes.
 */
function namesOffset(message: string, bad: BadFile["bad"][number]): boolean {
  if (!/byte|offset/i.test(message)) return false;
  const { first, last } = bad.badBytes!;
  const ok = new Set<number>();
  for (const base of [0, bad.lineStart, ...(bad.bom ? [3] : [])])
    for (let n = first; n <= last + 1; n++) ok.add(base + n);
  return (message.match(/\d+/g) ?? []).some((d) => ok.has(Number(d)));
}

function clip(s: string | undefined): string {
  const t = s ?? "";
  return t.length > 160 ? `${t.slice(0, 160)}…` : t;
}

function summarize(
  errors: Array<{ code?: string; line?: number | null; param?: string | null; message?: string }>,
): string {
  const shown = errors
    .slice(0, 4)
    .map((e) => `{${e.code} line=${e.line} param=${e.param} "${clip(e.message)}"}`);
  return `${shown.join(" ")}${errors.length > 4 ? ` …${errors.length} total` : ""}`;
}
