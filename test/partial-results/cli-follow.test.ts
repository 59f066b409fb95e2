import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chatBatchLines } from "../support/batch-files.js";
import { pollBatch, startTestDocket, type TestDocket } from "../support/test-docket.js";
import { fileBytes, submitChatBatch } from "./run-and-follow.js";

const BIN = resolve(import.meta.dirname, "../../bin/docket.js");

interface Run {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** The built CLI (`bin/docket.js`) as a child process; `interruptWhen` sends it SIGINT once true. */
function docket(args: string[], interruptWhen?: () => boolean): Promise<Run> {
  const proc = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const out: Buffer[] = [];
  let stderr = "";
  proc.stdout.on("data", (d: Buffer) => out.push(d));
  proc.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const timer = interruptWhen
    ? setInterval(() => {
        if (interruptWhen()) {
          proc.kill("SIGINT");
          clearInterval(timer);
        }
      }, 50)
    : undefined;
  return new Promise((done) =>
    proc.on("exit", (code) => {
      clearInterval(timer);
      done({ code, stdout: Buffer.concat(out), stderr });
    }),
  );
}

const cursorIn = (stderr: string) => Number(/cursor (\d+)/.exec(stderr)?.[1]);

/**
 * `docket results --partial / --follow` as a user runs it (the built CLI, a child process): a
 * copy taken while the batch runs, resumed with --after, interrupted with Ctrl-C and resumed
 * again, ends as the batch's final output and error files byte for byte, with no line twice.
 */
describe("docket results --partial / --follow", () => {
  let t: TestDocket;
  let dir: string;

  beforeAll(async () => {
    t = await startTestDocket({
      fake: { latencyMs: 40, rate500: 0.05, fail400Marker: "FAIL400", seed: 5 },
      route: { concurrency: 16 },
    });
    dir = mkdtempSync(join(tmpdir(), "docket-follow-"));
  });

  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("copies a running batch in pieces, resumed from its cursors, into exactly its final files", async () => {
    const n = 3_000;
    const id = await submitChatBatch(
      t,
      chatBatchLines(n, { mark: (i) => (i % 83 === 2 ? "FAIL400 " : null) }),
    );
    const out = join(dir, "out.jsonl");
    const errors = join(dir, "errors.jsonl");
    const files = ["--out", out, "--errors", errors, "--url", t.docket.url];
    // Wait until some records have ended, then take what is final so far.
    const deadline = Date.now() + 60_000;
    while ((await t.openai.batches.retrieve(id)).request_counts!.completed < 300) {
      if (Date.now() > deadline) throw new Error("the batch did not start");
      await new Promise((r) => setTimeout(r, 100));
    }
    const first = await docket(["results", id, "--partial", ...files]);
    expect(first.code, first.stderr).toBe(0);
    const c1 = cursorIn(first.stderr);
    expect(c1).toBeGreaterThan(0);
    expect(c1).toBeLessThan(n);
    expect(first.stderr).toContain(`--after ${c1}`);

    // Follow from there, interrupted once more lines have come (Ctrl-C stops between pages).
    const size = statSync(out).size;
    const second = await docket(
      ["results", id, "--follow", "--after", String(c1), "--interval", "200", ...files],
      () => statSync(out).size > size,
    );
    let cursor = cursorIn(second.stderr);
    if (second.code === 130) {
      expect(cursor).toBeGreaterThan(c1);
      expect(second.stderr).toContain(`--after ${cursor}`);
      const third = await docket([
        "results",
        id,
        "--follow",
        "--after",
        String(cursor),
        "--interval",
        "200",
        ...files,
      ]);
      expect(third.code, third.stderr).toBe(0);
      cursor = cursorIn(third.stderr);
      expect(third.stderr).toContain("has ended and every line is written");
    } else {
      // The batch ended before the interrupt landed: the follow ran to the end itself.
      expect(second.code, second.stderr).toBe(0);
    }
    expect(cursor).toBe(n);

    const done = await pollBatch(t.openai, id, ["completed"], 10_000);
    expect(done.request_counts).toMatchObject({ total: n, failed: 37 });
    expect(readFileSync(out).equals(await fileBytes(t, done.output_file_id))).toBe(true);
    expect(readFileSync(errors).equals(await fileBytes(t, done.error_file_id))).toBe(true);

    // Without --out the lines go to stdout; once the batch has ended, --partial writes them all.
    const all = await docket(["results", id, "--partial", "--url", t.docket.url]);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout.equals(await fileBytes(t, done.output_file_id))).toBe(true);
  }, 180_000);
});
