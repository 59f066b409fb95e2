import { createReadStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import type { FakeAnthropicOptions } from "../../src/backends/fake-anthropic/fake-anthropic-options.js";
import {
  type FakeAnthropic,
  startFakeAnthropic,
} from "../../src/backends/fake-anthropic/fake-anthropic-server.js";
import { defaultConfig } from "../../src/config/config.js";
import { type RunningDocket, startEmbedded } from "../../src/runtime/embedded.js";
import { parseJsonl, writeLines } from "../support/batch-files.js";
import { pollBatch } from "../support/test-docket.js";

interface OutputLine {
  custom_id: string;
  response: { status_code: number; request_id: string | null; body: Record<string, unknown> } | null;
  error: { code: string; message: string } | null;
}

const KEY = "sk-ant-e2e";
let fake: FakeAnthropic | null = null;
let docket: RunningDocket | null = null;
let dataDir: string | null = null;
afterEach(async () => {
  await docket?.close({ graceMs: 1000 });
  await fake?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  docket = fake = dataDir = null;
});

/** `docket serve` on SQLite with one `anthropic` route pointing at the fake, and the openai SDK on it. */
async function start(options: FakeAnthropicOptions): Promise<OpenAI> {
  fake = await startFakeAnthropic({ apiKey: KEY, recordBodies: true, ...options });
  dataDir = mkdtempSync(join(tmpdir(), "docket-anthropic-"));
  const config = defaultConfig();
  config.dataDir = dataDir;
  config.server.port = 0;
  config.worker.maintenanceMs = 100;
  config.worker.pollMs = 200;
  config.routes = [
    {
      name: "anthropic",
      models: ["claude-*"],
      backend: { type: "anthropic", baseUrl: fake.url, apiKey: KEY },
      concurrency: 16,
      timeoutMs: 10_000,
      maxAttempts: 12,
    },
  ];
  docket = await startEmbedded(config);
  return new OpenAI({ baseURL: `${docket.url}/v1`, apiKey: "test", maxRetries: 0 });
}

/** Messages lines: plain questions, every 10th with a cached system prompt, every 7th forcing a tool. */
function messagesLines(n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const body: Record<string, unknown> = {
      model: "claude-fake",
      max_tokens: 32,
      messages: [{ role: "user", content: `Question ${i}: what is ${i} + ${i}? café 🙂` }],
    };
    if (i % 10 === 0)
      body.system = [
        { type: "text", text: "Shared rules. ".repeat(80), cache_control: { type: "ephemeral" } },
      ];
    if (i % 7 === 0) {
      body.tools = [
        {
          name: "add",
          input_schema: { type: "object", properties: { a: { type: "integer" } }, required: ["a"] },
        },
      ];
      body.tool_choice = { type: "any" };
    }
    return JSON.stringify({ custom_id: `m-${i}`, method: "POST", url: "/v1/messages", body });
  });
}

describe("a /v1/messages batch on an anthropic route", () => {
  it("comes back in Messages shape with the fake's exact token counts, riding out 20% 429/529", async () => {
    const openai = await start({ rate429: 0.1, rate529: 0.1, retryAfterSeconds: 0, seed: 5 });
    const lines = messagesLines(300);
    const path = writeLines(join(dataDir!, "messages.jsonl"), lines);
    const file = await openai.files.create({ file: createReadStream(path), purpose: "batch" });
    const created = await openai.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/messages" as "/v1/chat/completions",
      completion_window: "24h",
    });
    const done = await pollBatch(openai, created.id, ["completed", "failed"], 120_000);
    expect(done.status).toBe("completed");
    expect(done.request_counts).toEqual({ total: 300, completed: 300, failed: 0 });

    const stats = fake!.stats();
    expect(stats.byStatus[429]).toBeGreaterThan(10);
    expect(stats.byStatus[529]).toBeGreaterThan(10);
    const answered = (stats.bodies ?? []).filter((b) => b.status === 200);
    expect(answered).toHaveLength(300);

    // Each output body is exactly the fake's answer to that line's body, sent byte for byte.
    const responseTo = new Map(answered.map((b) => [b.request, b.response!]));
    const output = parseJsonl<OutputLine>(await (await openai.files.content(done.output_file_id!)).text());
    expect(output.map((l) => l.custom_id)).toEqual(lines.map((l) => JSON.parse(l).custom_id));
    const stopReasons = new Set<string>();
    for (const [i, line] of output.entries()) {
      const sent = JSON.stringify(JSON.parse(lines[i]!).body);
      expect(line.error).toBeNull();
      expect(line.response?.status_code).toBe(200);
      expect(line.response?.request_id).toMatch(/^req_/);
      expect(line.response?.body).toEqual(JSON.parse(responseTo.get(sent)!));
      expect(line.response?.body.type).toBe("message");
      stopReasons.add(line.response?.body.stop_reason as string);
    }
    expect(stopReasons).toEqual(new Set(["end_turn", "tool_use"]));

    // The job's tokens are the fake's: input + cache writes + cache reads, and output.
    let input = 0;
    let outputTokens = 0;
    let cacheRead = 0;
    for (const b of answered) {
      const usage = JSON.parse(b.response!).usage;
      input += usage.input_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens;
      cacheRead += usage.cache_read_input_tokens;
      outputTokens += usage.output_tokens;
    }
    expect(cacheRead).toBeGreaterThan(0);
    expect(done.usage).toMatchObject({ input_tokens: input, output_tokens: outputTokens });
  });
});
