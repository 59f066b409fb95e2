import { readFileSync } from "node:fs";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { registerEstimateCommand } from "../../src/cli/commands/estimate.js";
import { registerPrepareCommand } from "../../src/cli/commands/prepare.js";
import { runCliInProcess } from "../support/in-process-cli.js";
import { tempDir } from "./temp-files.js";

const dir = tempDir();
afterAll(() => dir.remove());
afterEach(() => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

const SAMPLE = "examples/call-center/transcripts.csv";
const TEMPLATE = "examples/call-center/summarise.template.json";

/** Runs `docket prepare|estimate <args>` in process. */
const docket = (...args: string[]) =>
  runCliInProcess([registerPrepareCommand, registerEstimateCommand], args);

describe("docket prepare", () => {
  it("turns the shipped sample into the shipped OpenAI batch file", async () => {
    const out = dir.path("requests.jsonl");
    const r = await docket("prepare", SAMPLE, "--template", TEMPLATE, "--id-field", "call_id", "--out", out);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/50 rows read, 50 prepared/);
    const written = readFileSync(out, "utf8");
    expect(written).toBe(readFileSync("examples/call-center/requests.jsonl", "utf8"));
    const lines = written
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(50);
    expect(lines[0]).toMatchObject({
      custom_id: "CALL-0001",
      method: "POST",
      url: "/v1/chat/completions",
      body: { model: "local-dummy", max_tokens: 48 },
    });
  });

  it("writes the good rows, lists problems by line, and exits 2", async () => {
    const dataset = dir.write("calls.csv", 'id,transcript\n1,fine\n2,"too",many\n3,"also\nfine"\n');
    const template = dir.write(
      "t.json",
      JSON.stringify({ model: "claude-haiku-4-5", user: "Summarise: {{transcript}}", max_tokens: 20 }),
    );
    const out = dir.path("partial.jsonl");
    const r = await docket(
      "prepare",
      dataset,
      "-t",
      template,
      "--id-field",
      "id",
      "-o",
      out,
      "--dialect",
      "anthropic",
    );
    expect(r.code).toBe(4);
    expect(r.out).toMatch(/line 3 \(row 2\): \[unparseable_row\]/);
    const lines = readFileSync(out, "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.custom_id)).toEqual(["1", "3"]);
    expect(lines[1].params.messages[0].content).toContain("also\nfine");
  });

  it("exits 1 on usage errors without writing a file", async () => {
    const out = dir.path("never.jsonl");
    const missing = await docket("prepare", dir.path("nope.csv"), "-t", TEMPLATE, "-o", out);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/dataset_not_found/);
    const badPolicy = await docket("prepare", SAMPLE, "-t", TEMPLATE, "--on-overflow", "shrink", "-o", out);
    expect(badPolicy.code).toBe(1);
    expect(badPolicy.err).toMatch(/Unknown overflow policy/);
    const noTemplate = await docket("prepare", SAMPLE);
    expect(noTemplate.code).toBe(1);
    expect(() => readFileSync(out)).toThrow();
  });
});

describe("docket estimate", () => {
  it("prints tokens, cost and duration as JSON", async () => {
    const r = await docket(
      "estimate",
      SAMPLE,
      "-t",
      TEMPLATE,
      "--model",
      "gpt-4o-mini",
      "--avg-output-tokens",
      "40",
      "--rpm",
      "30",
      "--json",
    );
    expect(r.code).toBe(0);
    const { summary, estimate } = JSON.parse(r.out);
    expect(summary.prepared).toBe(50);
    expect(estimate.requests).toBe(50);
    expect(estimate.inputTokens).toBe(summary.inputTokens);
    expect(estimate.outputTokens).toBe(50 * 40);
    const usd = (summary.inputTokens * 0.15 + 50 * 40 * 0.6) / 1e6;
    expect(estimate.cost.onDemandUsd).toBeCloseTo(usd, 12);
    expect(estimate.cost.batchUsd).toBeCloseTo(usd / 2, 12);
    expect(estimate.duration).toEqual({ seconds: 100, limitedBy: "requests_per_minute" });
  });

  it("averages output tokens from a sample of results", async () => {
    const sample = dir.write(
      "results.jsonl",
      [
        JSON.stringify({
          custom_id: "a",
          response: { status_code: 200, body: { usage: { completion_tokens: 30 } } },
        }),
        JSON.stringify({
          custom_id: "b",
          response: { status_code: 200, body: { usage: { completion_tokens: 50 } } },
        }),
        JSON.stringify({ custom_id: "c", error: { message: "failed" } }),
      ].join("\n"),
    );
    const r = await docket("estimate", SAMPLE, "-t", TEMPLATE, "--observed-output", sample, "--json");
    expect(r.code).toBe(0);
    const { estimate, observedAverage, price } = JSON.parse(r.out);
    expect(observedAverage).toBe(40);
    expect(estimate.outputTokens).toBe(50 * 40);
    expect(price).toBeNull();
    expect(estimate.cost).toBeNull();
  });
});
