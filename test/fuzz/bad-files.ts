import { gzipSync } from "node:zlib";
import { BAD_LINES, type BadLine, EXPENSIVE_KINDS, sameLongIdLine } from "./bad-lines.js";
import { caseRand, type Rand } from "./fuzz-seed.js";
import { goodLine } from "./good-lines.js";

/** A generated input file and the line errors the team decided it must produce. */
export interface BadFile {
  caseId: string;
  filename: string;
  bytes: Buffer;
  /** Line-level problems: each must be reported on exactly this line. */
  bad: Array<BadLine & { line: number; lineStart: number; bom: boolean }>;
  /** Lines that are valid: no error may name them. */
  goodLines: number[];
  /** File-level expectation (empty files): an error whose code matches, no line needed. */
  fileLevel?: RegExp;
  /** gzip bytes: which lines are bad depends on the compressor; every error must still name a line. */
  opaque?: boolean;
  /** The error list must stay bounded and still say how many problems there were. */
  problemCount?: number;
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const CHEAP_KINDS = Object.keys(BAD_LINES).filter((k) => !EXPENSIVE_KINDS.has(k));

interface Slot {
  kind: "good" | "bad" | "blank";
  badKind?: string;
}

/**
 * Builds a file of good lines with bad ones mixed in at random places, random line endings
 * (LF, CRLF), blank lines, an optional BOM and an optional missing final newline.
 */
function compose(
  r: Rand,
  caseId: string,
  fileNo: number,
  slots: Slot[],
  o: { bom?: boolean; padFirst?: number } = {},
): BadFile {
  const eol = r.pick(["\n", "\r\n", "mixed"]);
  const bom = o.bom ?? r.chance(0.15);
  const chunks: Buffer[] = bom ? [BOM] : [];
  let offset = chunks.length ? 3 : 0;
  const file: BadFile = {
    caseId,
    filename: `${caseId}.jsonl`,
    bytes: Buffer.alloc(0),
    bad: [],
    goodLines: [],
  };
  const earlierIds: string[] = [];
  let line = 0;
  const finalNewline = r.chance(0.8);
  slots.forEach((slot, i) => {
    line++;
    let bytes: Buffer;
    if (slot.kind === "blank") bytes = Buffer.from(r.pick(["", "  ", "\t"]));
    else {
      const makeGood = () =>
        goodLine(r, { prefix: "FZB", file: fileNo, line }, { padBytes: line === 1 ? (o.padFirst ?? 0) : 0 });
      let bad: BadLine | null = null;
      if (slot.kind === "bad") {
        const ctx = { line, good: makeGood, earlierIds };
        bad =
          slot.badKind === "same-long-custom-id" ? sameLongIdLine(ctx) : BAD_LINES[slot.badKind!]!(r, ctx);
        // A kind that needs context it lacks here (a duplicate with no earlier id) falls back.
        for (let tries = 0; bad === null && tries < 20; tries++)
          bad = BAD_LINES[r.pick(CHEAP_KINDS)]!(r, ctx);
      }
      if (bad) {
        file.bad.push({ ...bad, line, lineStart: offset, bom: bom && line === 1 });
        bytes = bad.bytes;
      } else {
        const g = makeGood();
        earlierIds.push(g.rawId);
        file.goodLines.push(line);
        bytes = Buffer.from(g.text);
      }
    }
    const last = i === slots.length - 1;
    const end = last && !finalNewline ? "" : eol === "mixed" ? r.pick(["\n", "\r\n"]) : eol;
    chunks.push(bytes, Buffer.from(end));
    offset += bytes.length + end.length;
  });
  file.bytes = Buffer.concat(chunks);
  return file;
}

function slotsWith(r: Rand, primary: string): Slot[] {
  const n = r.int(1, 10);
  const slots: Slot[] = Array.from({ length: n }, () => ({ kind: r.chance(0.1) ? "blank" : "good" }) as Slot);
  slots.splice(r.int(0, n), 0, { kind: "bad", badKind: primary });
  if (r.chance(0.3)) {
    for (let k = r.int(1, 2); k > 0; k--)
      slots.splice(r.int(0, slots.length), 0, { kind: "bad", badKind: r.pick(CHEAP_KINDS) });
  }
  return slots;
}

/** The regular bad files: every cheap kind in turn as the primary problem, expensive ones rarely. */
export function regularBadFile(seed: number, index: number): BadFile {
  const r = caseRand(seed, "bad", index);
  const primary =
    index % 97 === 13
      ? "long-custom-id"
      : index % 331 === 29
        ? "huge-truncated"
        : CHEAP_KINDS[index % CHEAP_KINDS.length]!;
  return compose(r, `f${String(index).padStart(4, "0")}`, index, slotsWith(r, primary));
}

/** Files whose problem is the file, not a line. */
export function specialBadFiles(seed: number): BadFile[] {
  const files: BadFile[] = [];
  const empty = (id: string, bytes: Buffer) =>
    files.push({
      caseId: id,
      filename: `${id}.jsonl`,
      bytes,
      bad: [],
      goodLines: [],
      fileLevel: /empty|no_requests|no requests/i,
    });
  empty("s-empty", Buffer.alloc(0));
  empty("s-empty-lf", Buffer.from("\n\n\n"));
  empty("s-empty-crlf", Buffer.from("\r\n\r\n"));
  empty("s-empty-bom", BOM);
  empty("s-empty-blank", Buffer.from("  \n\t\n \r\n"));

  for (let k = 0; k < 4; k++) {
    const r = caseRand(seed, "gzip", k);
    const text = Array.from(
      { length: r.int(3, 40) },
      (_, i) => goodLine(r, { prefix: "FZB", file: 9000 + k, line: i + 1 }).text,
    );
    const id = `s-gzip-${k}`;
    files.push({
      caseId: id,
      filename: `${id}.jsonl`,
      bytes: gzipSync(`${text.join("\n")}\n`),
      bad: [],
      goodLines: [],
      opaque: true,
    });
  }

  {
    // More bad lines than any bounded list should carry: the count must still be given.
    const r = caseRand(seed, "many", 0);
    const slots: Slot[] = [];
    for (let i = 0; i < 300; i++)
      slots.push({ kind: "bad", badKind: r.pick(["wrong-method", "wrong-url", "wrong-model", "truncated"]) });
    for (let i = 0; i < 20; i++) slots.splice(r.int(0, slots.length), 0, { kind: "good" });
    files.push({ ...compose(r, "s-many-errors", 9100, slots, { bom: false }), problemCount: 300 });
  }
  {
    // 24 lines with the same 1 MB custom_id: every error message must elide it (≤ 1 KB each),
    // or 24 MB of ids would land in the batch object.
    const r = caseRand(seed, "long-ids", 0);
    const slots: Slot[] = Array.from(
      { length: 24 },
      () => ({ kind: "bad", badKind: "same-long-custom-id" }) as Slot,
    );
    files.push({ ...compose(r, "s-long-ids", 9200, slots, { bom: false }), problemCount: 24 });
  }
  for (let k = 0; k < 3; k++) {
    // Over 1 MB (the size where the old reader switched line rules): a lone CR joins two lines
    // into one bad line, and the line numbers after it still count only LF.
    const r = caseRand(seed, "big-cr", k);
    const slots: Slot[] = [
      { kind: "good" },
      { kind: "good" },
      { kind: "bad", badKind: "lone-cr" },
      { kind: "good" },
      { kind: "bad", badKind: r.pick(["wrong-method", "stream-true", "utf8-overlong"]) },
      { kind: "good" },
    ];
    files.push(compose(r, `s-big-cr-${k}`, 9300 + k, slots, { padFirst: 1_200_000 }));
  }
  return files;
}
