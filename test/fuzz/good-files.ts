import { caseRand } from "./fuzz-seed.js";
import { type GoodLine, goodLine } from "./good-lines.js";

/** A generated valid input file (`fileNo` makes its markers unique in the run): every line must reach the backend byte for byte. */
export interface GoodFile {
  caseId: string;
  filename: string;
  bytes: Buffer;
  lines: GoodLine[];
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Valid lines with every framing the team accepts: a BOM at the start, LF or CRLF (mixed), a
 * CR that is JSON whitespace inside a line or right before CRLF (never a line break), blank
 * lines, no final newline. `padFirst` makes the first line large, so the file crosses 1 MB.
 */
function goodFile(
  seed: number,
  suite: string,
  index: number,
  o: { caseId: string; fileNo: number; padFirst?: number; ids?: string[]; minLines?: number },
): GoodFile {
  const r = caseRand(seed, suite, index);
  const n = o.ids?.length ?? r.int(o.minLines ?? 1, 12);
  const bom = r.chance(0.3);
  const eol = r.pick(["\n", "\r\n", "mixed"]);
  const chunks: Buffer[] = bom ? [BOM] : [];
  const lines: GoodLine[] = [];
  let lineNo = 0;
  for (let i = 0; i < n; i++) {
    if (r.chance(0.1)) {
      lineNo++;
      chunks.push(Buffer.from(`${r.pick(["", "  "])}${r.pick(["\n", "\r\n"])}`));
    }
    lineNo++;
    const g = goodLine(
      r,
      { prefix: "FZG", file: o.fileNo, line: lineNo },
      { padBytes: i === 0 ? (o.padFirst ?? 0) : 0, ...(o.ids ? { rawId: o.ids[i] } : {}) },
    );
    lines.push(g);
    const last = i === n - 1;
    let end = eol === "mixed" ? r.pick(["\n", "\r\n"]) : eol;
    if (r.chance(0.05)) end = `\r${end}`;
    if (last && r.chance(0.3)) end = "";
    chunks.push(Buffer.from(g.text + end));
  }
  return { caseId: o.caseId, filename: `${o.caseId}.jsonl`, bytes: Buffer.concat(chunks), lines };
}

export function goodFiles(seed: number, count: number): GoodFile[] {
  const files = Array.from({ length: count }, (_, i) =>
    goodFile(seed, "good", i, { caseId: `g${String(i).padStart(3, "0")}`, fileNo: i }),
  );
  // Ids that differ only in a lone surrogate: if Docket decoded and re-encoded them they would
  // collapse into one U+FFFD id. (Spellings of the *same* string would be duplicates: not here.)
  files.push(
    goodFile(seed, "good-pair", 0, {
      caseId: "g-surrogate-ids",
      fileNo: 9000,
      ids: [
        `"pair-\\ud800"`,
        `"pair-\\ud801"`,
        `"pair-\\uDC00"`,
        `"pair-\\udbff\\udfff"`,
        `"pair-\\udfff\\udbff"`,
        `"pair-😀"`,
      ],
    }),
  );
  // Over 1 MB: the same line rules as small files (the old reader split on lone CRs there).
  for (let k = 0; k < 3; k++) {
    files.push(
      goodFile(seed, "good-big", k, {
        caseId: `g-big-${k}`,
        fileNo: 9100 + k,
        padFirst: 1_200_000,
        minLines: 6,
      }),
    );
  }
  return files;
}
