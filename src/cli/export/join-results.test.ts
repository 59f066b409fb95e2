import { describe, expect, it } from "vitest";
import type { ReaderItem } from "../../prep/readers/dataset-row.js";
import { type JoinStats, joinResults, mergeResults } from "./join-results.js";
import type { RecordResult } from "./result-line.js";

async function* from<T>(items: T[]): AsyncGenerator<T> {
  for (const i of items) yield i;
}

const row = (n: number, id: string): ReaderItem => ({
  kind: "row",
  rowNumber: n,
  line: n + 1,
  fields: { id },
});
const result = (
  customId: string,
  seq: number,
  status: RecordResult["status"] = "succeeded",
): RecordResult => ({
  customId,
  seq,
  status,
  errorCode: status === "succeeded" ? null : "boom",
  errorMessage: null,
  output: status === "succeeded" ? `out ${customId}` : null,
  inputTokens: 1,
  outputTokens: 2,
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe("joinResults", () => {
  it("puts each result on its row in input order; rows not run and unparseable rows say so", async () => {
    const rows: ReaderItem[] = [
      row(1, "a"),
      row(2, "b"),
      { kind: "parse_problem", rowNumber: 3, line: 4, endLine: 4, message: "Bad quoting." },
      row(4, "c"),
      row(5, "d"),
    ];
    const stats: JoinStats = { rows: 0, unmatched: 0 };
    const joined = await collect(
      joinResults(
        from(rows),
        (r) => String(r.fields.id),
        from([result("a", 1), result("d", 3)]),
        from([result("c", 2, "failed")]),
        stats,
      ),
    );
    expect(joined.map((j) => [j.fields?.id ?? null, j.outcome.status, j.outcome.errorCode])).toEqual([
      ["a", "succeeded", null],
      ["b", "not_run", null],
      [null, "not_run", "unparseable_row"],
      ["c", "failed", "boom"],
      ["d", "succeeded", null],
    ]);
    expect(joined[4]!.outcome.result?.output).toBe("out d");
    expect(stats).toEqual({ rows: 5, unmatched: 0 });
  });

  it("counts results no row claimed (a different input, or another order)", async () => {
    const stats: JoinStats = { rows: 0, unmatched: 0 };
    await collect(
      joinResults(
        from([row(1, "b"), row(2, "a")]),
        (r) => String(r.fields.id),
        from([result("a", 1), result("b", 2)]),
        from([]),
        stats,
      ),
    );
    expect(stats.unmatched).toBe(1);
  });
});

describe("mergeResults", () => {
  it("interleaves output and error lines back into record order", async () => {
    const stats: JoinStats = { rows: 0, unmatched: 0 };
    const merged = await collect(
      mergeResults(
        from([result("a", 1), result("c", 5)]),
        from([result("b", 2, "failed"), result("d", 9, "expired")]),
        stats,
      ),
    );
    expect(merged.map((m) => m.outcome.customId)).toEqual(["a", "b", "c", "d"]);
    expect(stats.rows).toBe(4);
  });
});
