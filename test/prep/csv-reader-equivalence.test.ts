import { afterAll, describe, expect, it } from "vitest";
import { readCsv } from "../../src/prep/readers/csv-reader.js";
import type { ReaderItem, ReaderOptions } from "../../src/prep/readers/dataset-row.js";
import { readCsvWithCsvParse } from "./legacy-csv-reader.js";
import { tempDir } from "./temp-files.js";

const dir = tempDir();
afterAll(() => dir.remove());

async function collect(items: AsyncIterable<ReaderItem>): Promise<ReaderItem[]> {
  const out: ReaderItem[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** What must not change: the rows (fields, numbers, starting lines) and where problems are. */
const essence = (items: ReaderItem[]) =>
  items.map((i) =>
    i.kind === "row" ? [i.rowNumber, i.line, i.fields] : [i.rowNumber, i.line, "problem", i.message],
  );

function random(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % n;
  };
}

const TEXTS = ["call", "Agent: hi", "a,b", "x;y", "ünï", "😀", "\uFEFF", "\u0085", " ", "", "tab\there", "7"];
const LINE_BREAKS = ["\n", "\r\n", "\r"];

/** Well-formed cells: quoted ones may hold quotes, delimiters and any line break (CRLF too). */
function goodCell(next: (n: number) => number, eol: string): string {
  let text = "";
  for (let k = next(4); k > 0; k--) text += TEXTS[next(TEXTS.length)]!;
  const kind = next(5);
  if (kind === 0) text += `${LINE_BREAKS[next(3)]}${TEXTS[next(TEXTS.length)]}${eol}more`;
  if (kind === 1) text += '"quoted"';
  const needsQuotes = /[",;\r\n]/.test(text) || next(3) === 0;
  return needsQuotes ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Mistakes people make: stray quotes, text after a closing quote, wrong cell counts, blank lines. */
function badRow(next: (n: number) => number, cells: string[]): string[] {
  const kind = next(4);
  if (kind === 0) return [...cells, "extra"];
  if (kind === 1) return cells.slice(0, 1);
  if (kind === 2) return cells.map((c, i) => (i === 1 ? `To"m` : c));
  return cells.map((c, i) => (i === 1 ? `"bad"x` : c));
}

/** A CSV file, and the lines its bad rows start on. */
function trickyCsv(seed: number, delimiter: string, eol: string, withErrors: boolean) {
  const next = random(seed);
  const lines: string[] = [`${seed % 2 === 0 ? "\uFEFF" : ""}id${delimiter}agent${delimiter}text`];
  const badLines: number[] = [];
  const lineNow = () => lines.join(eol).split("\n").length + 1;
  for (let r = 0; r < 60; r++) {
    if (next(12) === 0) lines.push("");
    let cells = [`C${r}`, goodCell(next, eol), goodCell(next, eol)];
    if (withErrors && next(8) === 0) {
      cells = badRow(next, cells);
      badLines.push(lineNow());
    }
    lines.push(cells.join(delimiter));
  }
  return { text: lines.join(eol) + (next(2) === 0 ? eol : ""), badLines };
}

describe("the CSV reader against the csv-parse reader it replaced", () => {
  it("gives the same rows, fields and starting lines on well-formed tricky files, read in any chunk size", async () => {
    let files = 0;
    for (let seed = 1; seed <= 40; seed++) {
      for (const eol of ["\n", "\r\n"]) {
        const delimiter = seed % 3 === 0 ? ";" : ",";
        const file = dir.write(`good-${seed}.csv`, trickyCsv(seed, delimiter, eol, false).text);
        const expected = essence(await collect(readCsvWithCsvParse(file)));
        expect(expected.every((e) => e[2] !== "problem")).toBe(true);
        for (const readBytes of [undefined, 1, 7, 64]) {
          const options: ReaderOptions = { readBytes };
          expect(essence(await collect(readCsv(file, options))), `seed ${seed}`).toEqual(expected);
        }
        files++;
      }
    }
    expect(files).toBe(80);
  });

  it("keeps the same good rows around bad ones, and reports each bad row on the line it starts on", async () => {
    let problems = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const eol = seed % 2 === 0 ? "\r\n" : "\n";
      const csv = trickyCsv(seed, ",", eol, true);
      const file = dir.write(`bad-${seed}.csv`, csv.text);
      const before = await collect(readCsvWithCsvParse(file));
      const after = await collect(readCsv(file, { readBytes: seed % 3 === 0 ? 5 : undefined }));
      const rows = (items: ReaderItem[]) => essence(items.filter((i) => i.kind === "row"));
      expect(rows(after), `seed ${seed}`).toEqual(rows(before));
      // A bad closing quote swallows the rows up to the next quote, so several bad rows can be one problem.
      const problemLines = after.filter((i) => i.kind === "parse_problem").map((p) => p.line);
      expect(
        problemLines.filter((l) => !csv.badLines.includes(l)),
        `seed ${seed}`,
      ).toEqual([]);
      expect(problemLines[0], `seed ${seed}`).toBe(csv.badLines[0]);
      const oldLines = before.filter((i) => i.kind === "parse_problem").map((p) => p.line);
      expect(problemLines, `seed ${seed}`).toEqual(oldLines);
      problems += problemLines.length;
    }
    expect(problems).toBeGreaterThan(20);
  });
});
