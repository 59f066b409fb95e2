import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerBatchCommands } from "../../src/cli/commands/batches.js";
import { registerEstimateCommand } from "../../src/cli/commands/estimate.js";
import { registerExportCommand } from "../../src/cli/commands/export.js";
import { registerInvokeCommand } from "../../src/cli/commands/invoke.js";
import { registerPrepareCommand } from "../../src/cli/commands/prepare.js";
import { registerRunCommand } from "../../src/cli/commands/run.js";
import { tempDir } from "../prep/temp-files.js";
import { chatBatchLines, writeLines } from "../support/batch-files.js";
import { spawnDocket } from "../support/child-docket.js";
import { runCliInProcess } from "../support/in-process-cli.js";
import { startTestDocket, type TestDocket } from "../support/test-docket.js";

const SAMPLE = "examples/call-center/transcripts.csv";
const TEMPLATE = "examples/call-center/summarise.template.json";
const UNREACHABLE = /cannot reach Docket at (\S+) — is `docket serve` running\?/;

/** Runs a client command in process (every client command registered). */
const docket = (...args: string[]) =>
  runCliInProcess(
    [
      registerBatchCommands,
      registerInvokeCommand,
      registerRunCommand,
      registerExportCommand,
      registerPrepareCommand,
      registerEstimateCommand,
    ],
    args,
  );

/** Runs the built CLI (bin/docket.js) to its end. */
async function bin(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = await spawnDocket(args, { waitForUrl: false });
  const code = await child.exited;
  return { code, out: child.output() };
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

describe("CLI messages and exit codes", () => {
  const dir = tempDir();
  let deadUrl: string;
  beforeAll(async () => {
    deadUrl = `http://127.0.0.1:${await closedPort()}`;
  });
  afterAll(() => dir.remove());

  describe("the built binary", () => {
    it("prints its version from package.json", async () => {
      const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
      const r = await bin(["--version"]);
      expect(r.out.trim()).toBe(pkg.version);
      expect(r.code).toBe(0);
    });

    it("names a missing input file (exit 1) and says Docket is unreachable (exit 2)", async () => {
      const missing = await bin(["submit", "nothere.jsonl", "--url", deadUrl]);
      expect(missing.out).toMatch(/file not found: nothere\.jsonl/);
      expect(missing.out).not.toMatch(/ENOENT/);
      expect(missing.code).toBe(1);

      const file = writeLines(dir.path("one.jsonl"), chatBatchLines(1));
      const submit = await bin(["submit", file, "--url", deadUrl]);
      expect(submit.out).toMatch(UNREACHABLE);
      expect(UNREACHABLE.exec(submit.out)?.[1]).toBe(deadUrl);
      expect(submit.code).toBe(2);

      const run = await bin(["run", SAMPLE, "-t", TEMPLATE, "--url", deadUrl]);
      expect(run.out).toMatch(UNREACHABLE);
      expect(run.code).toBe(2);
    });

    it("serve explains a busy port and creates nothing", async () => {
      const busy: Server = createServer();
      await new Promise<void>((r) => busy.listen(0, "127.0.0.1", r));
      const { port } = busy.address() as { port: number };
      try {
        const dataDir = dir.path("never-created");
        const r = await bin(["serve", "--port", String(port), "--data-dir", dataDir]);
        expect(r.out).toContain(
          `port ${port} on 127.0.0.1 is already in use — stop the other process or pass --port`,
        );
        expect(r.out).not.toMatch(/EADDRINUSE/);
        expect(r.code).toBe(1);
        expect(existsSync(dataDir)).toBe(false);
      } finally {
        await new Promise((r) => busy.close(r));
      }
    });
  });

  it("maps an unreachable server to one message and exit 2 for every client command", async () => {
    const file = writeLines(dir.path("batch.jsonl"), chatBatchLines(1));
    const body = dir.write("body.json", JSON.stringify({ model: "fake-model", messages: [] }));
    const commands: string[][] = [
      ["submit", file],
      ["submit", file, "--wait"],
      ["status", "batch_x"],
      ["status", "batch_x", "--wait"],
      ["list"],
      ["results", "batch_x"],
      ["cancel", "batch_x"],
      ["export", "batch_x"],
      ["invoke", body],
      ["invoke", body, "--model", "fake-model", "--wait"],
      ["run", SAMPLE, "-t", TEMPLATE, "--id-field", "call_id"],
    ];
    for (const args of commands) {
      const r = await docket(...args, "--url", deadUrl);
      const what = args.join(" ");
      expect(r.err, what).toMatch(UNREACHABLE);
      expect(r.err.match(/cannot reach Docket/g), what).toHaveLength(1);
      expect(r.code, what).toBe(2);
    }
  });

  it("names every missing input file (exit 1)", async () => {
    const cases: Array<[string[], string]> = [
      [["submit", "nothere.jsonl"], "nothere.jsonl"],
      [["invoke", "nobody.json", "--model", "m"], "nobody.json"],
      [["run", "nodata.csv", "-t", TEMPLATE], "nodata.csv"],
      [["prepare", "nodata.csv", "-t", TEMPLATE], "nodata.csv"],
      [["estimate", "nodata.csv", "-t", TEMPLATE], "nodata.csv"],
      [["run", SAMPLE, "-t", "notemplate.json"], "notemplate.json"],
      [["prepare", SAMPLE, "-t", "notemplate.json"], "notemplate.json"],
      [["estimate", SAMPLE, "-t", "notemplate.json"], "notemplate.json"],
      [["estimate", SAMPLE, "-t", TEMPLATE, "--prices", "noprices.json"], "noprices.json"],
      [["run", SAMPLE, "-t", TEMPLATE, "--prices", "noprices.json"], "noprices.json"],
      [["export", "batch_x", "--join", "nojoin.csv"], "nojoin.csv"],
    ];
    for (const [args, path] of cases) {
      const r = await docket(
        ...args,
        ...(args[0] === "prepare" || args[0] === "estimate" ? [] : ["--url", deadUrl]),
      );
      expect(r.err, args.join(" ")).toContain(`file not found: ${path}`);
      expect(r.code, args.join(" ")).toBe(1);
    }
    const dirInput = await docket("submit", dir.path(""), "--url", deadUrl);
    expect(dirInput.err).toMatch(/not a file: /);
    expect(dirInput.code).toBe(1);
  });

  describe("against a real server", () => {
    let t: TestDocket;
    let failedId: string;
    beforeAll(async () => {
      t = await startTestDocket();
      // 30 bad lines: the batch fails validation with 30 problems.
      const bad = Array.from({ length: 30 }, (_, i) => (i % 2 ? `{"custom_id": "c${i}"` : "not json"));
      const r = await docket(
        "submit",
        writeLines(dir.path("bad.jsonl"), bad),
        "--url",
        t.docket.url,
        "--wait",
      );
      expect(r.code).toBe(3);
      failedId = /(batch_\w+) created/.exec(r.out)![1]!;
      // The default cap (20), without the line prefix twice.
      const problemLines = r.out.split("\n").filter((l) => /^ {2}line \d+: /.test(l));
      expect(problemLines).toHaveLength(20);
      expect(r.out).toMatch(/… and 10 more \(raise --max-problems to see them\)/);
    });
    afterAll(async () => {
      await t?.close();
    });

    it("prints validation problems once per line, capped by --max-problems", async () => {
      const r = await docket("status", failedId, "--url", t.docket.url, "--max-problems", "5");
      expect(r.code).toBe(0);
      const problemLines = r.out.split("\n").filter((l) => /^ {2}line \d+: /.test(l));
      expect(problemLines).toHaveLength(5);
      expect(problemLines[0]).toMatch(/^ {2}line 1: invalid_json: not valid JSON/);
      expect(r.out).not.toMatch(/line \d+:.*Line \d+:/i);
      expect(r.out).toMatch(/… and 25 more/);
      const all = await docket("status", failedId, "--url", t.docket.url, "--max-problems", "100");
      expect(all.out.split("\n").filter((l) => /^ {2}line \d+: /.test(l))).toHaveLength(30);
      expect(all.out).not.toMatch(/more \(raise/);
    });

    it("results on a failed batch says why there is no output (no 'yet'), exit 3", async () => {
      const r = await docket("results", failedId, "--url", t.docket.url, "--max-problems", "3");
      expect(r.err).toMatch(
        new RegExp(
          `batch ${failedId} failed validation, so no request was run and there is no output\\. 30 problems`,
        ),
      );
      expect(r.err).toMatch(/line 1: invalid_json: /);
      expect(r.err).toMatch(/… and 27 more/);
      expect(r.err).not.toMatch(/yet/);
      expect(r.code).toBe(3);
    });

    it("invoke takes the model from the body, and says so when there is none", async () => {
      const body = dir.write(
        "chat.json",
        JSON.stringify({ messages: [{ role: "user", content: "hi" }], max_tokens: 4, model: "fake-small" }),
      );
      const out = dir.path("answer.json");
      const ok = await docket("invoke", body, "--url", t.docket.url, "--wait", "--out", out);
      expect(ok.code).toBe(0);
      expect(JSON.parse(readFileSync(out, "utf8"))).toMatchObject({ model: "fake-small" });

      const anonymous = dir.write(
        "anon.json",
        JSON.stringify({ messages: [{ role: "user", content: "hi" }] }),
      );
      const refused = await docket("invoke", anonymous, "--url", t.docket.url);
      expect(refused.err).toContain(`${anonymous} names no "model" at its top level: pass --model NAME`);
      expect(refused.code).toBe(1);
      // --model still works for such a body.
      const named = await docket("invoke", anonymous, "--model", "fake-small", "--url", t.docket.url);
      expect(named.code).toBe(0);
    });

    it("run writes its export into the current directory by default", async () => {
      const data = dir.write("tickets.csv", "id,text\na,hello\nb,world\n");
      const template = dir.write(
        "t.template.json",
        JSON.stringify({ model: "fake-model", user: "Say: {{text}}", max_tokens: 5 }),
      );
      const cwd = process.cwd();
      const here = dir.path("cwd");
      mkdirSync(here);
      process.chdir(here);
      try {
        const r = await docket(
          "run",
          data,
          "-t",
          template,
          "--id-field",
          "id",
          "--url",
          t.docket.url,
          "--wait",
        );
        expect(r.out).toMatch(/Results: 2 rows: 2 succeeded; wrote tickets\.results\.csv/);
        expect(r.code).toBe(0);
      } finally {
        process.chdir(cwd);
      }
      expect(existsSync(join(here, "tickets.results.csv"))).toBe(true);
      expect(existsSync(dir.path("tickets.results.csv"))).toBe(false);
    });
  });
});
