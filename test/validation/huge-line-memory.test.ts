import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { tsChildArgs } from "../support/ts-child/ts-child.js";

const CHILD = fileURLToPath(new URL("./huge-line-child.ts", import.meta.url));

/**
 * Issue 17's memory goal for one line: validating a file with a 100 MB line (and inserting its
 * record into SQLite) must not raise the resident set more than 400 MB above idle. Measured in
 * a child process from /proc (VmHWM, reset just before validation starts), so the test
 * runner's own heap does not count.
 */
describe("validating a 100 MB line", () => {
  it("keeps peak memory above idle under 400 MB, and queues the line", () => {
    const child = spawnSync(process.execPath, tsChildArgs(CHILD, [], ["--expose-gc"]), {
      env: { ...process.env, HUGE_LINE_MB: "100" },
      encoding: "utf8",
      timeout: 120_000,
    });
    const line = /RESULT (.*)/.exec(child.stdout)?.[1];
    if (!line) throw new Error(`child failed (${child.status}): ${child.stderr}`);
    const r = JSON.parse(line) as { lineBytes: number; aboveIdleKb: number; status: string; total: number };
    const aboveMb = r.aboveIdleKb / 1024;
    console.log(
      `100 MB line: peak RSS ${aboveMb.toFixed(0)} MB above idle (${(aboveMb / (r.lineBytes / 2 ** 20)).toFixed(2)}× the line)`,
    );
    expect(r.status).toBe("in_progress");
    expect(r.total).toBe(2);
    expect(aboveMb).toBeLessThan(400);
  }, 150_000);
});
