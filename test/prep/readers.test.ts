import { afterAll, describe, expect, it } from "vitest";
import { DocketError } from "../../src/domain/errors.js";
import type { ReaderItem, ReaderOptions } from "../../src/prep/readers/dataset-row.js";
import { readDataset } from "../../src/prep/readers/open-dataset.js";
import { tempDir } from "./temp-files.js";

const dir = tempDir();
afterAll(() => dir.remove());

async function collect(path: string, options: ReaderOptions = {}): Promise<ReaderItem[]> {
  const items: ReaderItem[] = [];
  for await (const item of readDataset(path, undefined, options)) items.push(item);
  return items;
}

// Physical lines, numbered from 1. Rows on lines 4, 9 and 12 cannot be parsed.
const CSV_LINES = [
  "\uFEFFcall_id,agent,transcript", // 1 (with a BOM)
  'C1,Maya,"Customer: my bill is wrong.', // 2
  'Agent: I have corrected it."', // 3
  "C2,Tom,too,many,columns", // 4
  "C3,Ines,Short single-line call.", // 5
  "", // 6 (blank: skipped, not a row)
  'C4,Ravi,"Three', // 7
  'lines, with a comma"', // 8
  "C5,only two", // 9
  'C6,"Lucia","Quoted ""name"" and text"', // 10
  "C7,Maya,Last good one before a stray quote.", // 11
  'C8,To"m,a quote inside an unquoted field', // 12
  "C9,Tom,Final row without a trailing newline", // 13
];

describe("readCsv", () => {
  for (const [name, eol] of [
    ["LF", "\n"],
    ["CRLF", "\r\n"],
  ] as const) {
    it(`reads quoted multi-line cells and reports bad rows by line (${name})`, async () => {
      const file = dir.write(`calls-${name}.csv`, CSV_LINES.join(eol));
      const items = await collect(file);
      const rows = items.filter((i) => i.kind === "row");
      const problems = items.filter((i) => i.kind === "parse_problem");
      expect(rows.map((r) => [r.line, r.fields.call_id])).toEqual([
        [2, "C1"],
        [5, "C3"],
        [7, "C4"],
        [10, "C6"],
        [11, "C7"],
        [13, "C9"],
      ]);
      expect(problems.map((p) => p.line)).toEqual([4, 9, 12]);
      expect(problems.every((p) => p.endLine === p.line)).toBe(true);
      expect(items.map((i) => i.rowNumber)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      const c1 = rows[0]!.fields;
      expect(Object.keys(c1)).toEqual(["call_id", "agent", "transcript"]); // BOM stripped from the header
      expect(c1.transcript).toBe(`Customer: my bill is wrong.${eol}Agent: I have corrected it.`);
      expect(rows[3]!.fields.agent).toBe("Lucia");
      expect(rows[3]!.fields.transcript).toBe('Quoted "name" and text');
    });
  }

  it("detects ; tab and | from the header, or takes the delimiter given", async () => {
    for (const d of [";", "\t", "|"]) {
      const file = dir.write("d.csv", `id${d}text\n1${d}"a${d}b"\n`);
      const [row] = await collect(file);
      expect(row).toMatchObject({ kind: "row", line: 2, fields: { id: "1", text: `a${d}b` } });
    }
    const file = dir.write("forced.csv", "id;text\n1;a\n");
    const [row] = await collect(file, { delimiter: "," });
    expect(row).toMatchObject({ kind: "row", fields: { "id;text": "1;a" } });
  });

  it("marks the lines a bad closing quote swallows", async () => {
    const file = dir.write(
      "swallow.csv",
      ["id,text", '1,"bad"x', "2,eaten", '3,"closes"', "4,fine"].join("\n"),
    );
    const items = await collect(file);
    expect(items.map((i) => [i.kind, i.line, i.kind === "parse_problem" ? i.endLine : i.line])).toEqual([
      ["parse_problem", 2, 4],
      ["row", 5, 5],
    ]);
  });

  it("stops with a clear error on a row larger than the limit (an unclosed quote)", async () => {
    const file = dir.write("unclosed.csv", `id,text\n1,ok\n2,"never closed\n${"x,y\n".repeat(5000)}`);
    await expect(collect(file, { maxRowBytes: 4096 })).rejects.toThrow(DocketError);
    await expect(collect(file, { maxRowBytes: 4096 })).rejects.toThrow(/larger than 4096 bytes/);
  });

  it("rejects a header with a duplicate or empty column name", async () => {
    await expect(collect(dir.write("dup.csv", "id,id\n1,2\n"))).rejects.toThrow(/'id' twice/);
    await expect(collect(dir.write("empty.csv", "id,,x\n1,2,3\n"))).rejects.toThrow(/column 2 has no name/);
  });

  it("counts bytes read for progress", async () => {
    const text = "id,text\n1,a\n2,b\n";
    const progress = { bytesRead: 0 };
    await collect(dir.write("p.csv", text), { progress });
    expect(progress.bytesRead).toBe(Buffer.byteLength(text));
  });
});

describe("readJsonl", () => {
  it("parses objects line by line and reports bad lines", async () => {
    const file = dir.write(
      "rows.jsonl",
      [
        '\uFEFF{"id":"a","text":"one"}',
        "",
        '{"id":"b","text":"two",}',
        "[1,2]",
        '{"id":"c","nested":{"x":1}}\r',
        "   ",
        '{"id":"d"}',
      ].join("\n"),
    );
    const items = await collect(file);
    expect(items.map((i) => [i.kind, i.line, i.rowNumber])).toEqual([
      ["row", 1, 1],
      ["parse_problem", 3, 2],
      ["parse_problem", 4, 3],
      ["row", 5, 4],
      ["row", 7, 5],
    ]);
    expect(items[3]).toMatchObject({ fields: { id: "c", nested: { x: 1 } } });
    expect(items[2]).toMatchObject({ message: "Expected a JSON object on this line." });
  });

  it("skips a line over the size limit and goes on", async () => {
    const file = dir.write("long.jsonl", `{"a":1}\n{"b":"${"x".repeat(2000)}"}\n{"c":3}\n`);
    const items = await collect(file, { maxRowBytes: 500 });
    expect(items.map((i) => [i.kind, i.line])).toEqual([
      ["row", 1],
      ["parse_problem", 2],
      ["row", 3],
    ]);
  });
});
