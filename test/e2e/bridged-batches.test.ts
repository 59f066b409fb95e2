import { createReadStream } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  type FakeAnthropic,
  startFakeAnthropic,
} from "../../src/backends/fake-anthropic/fake-anthropic-server.js";
import { type FakeBedrock, startFakeBedrock } from "../../src/backends/fake-bedrock/fake-bedrock-server.js";
import { parseJsonl, writeLines } from "../support/batch-files.js";
import { pollBatch, startTestDocket, type TestDocket } from "../support/test-docket.js";

// biome-ignore lint/suspicious/noExplicitAny: answers are read loosely, field by field, as a client would.
type Json = Record<string, any>;
interface OutputLine {
  custom_id: string;
  response: { status_code: number; body: Json } | null;
  error: { code: string; message: string } | null;
}

/**
 * Bridging end to end: records in one dialect run on a backend that speaks another, through the
 * real backends against fakes that speak the real wire formats (the AWS SDK against the Bedrock
 * fake by endpoint override), and the answers come back in the dialect the user submitted.
 */
describe("bridged batches", () => {
  let t: TestDocket;
  let other: FakeAnthropic | FakeBedrock | undefined;
  afterEach(async () => {
    await t?.close();
    await other?.close();
    other = undefined;
  });

  async function submit(lines: string[], endpoint: string) {
    const path = writeLines(join(t.dataDir, `input-${Date.now()}.jsonl`), lines);
    const file = await t.openai.files.create({ file: createReadStream(path), purpose: "batch" });
    return t.openai.batches.create({
      input_file_id: file.id,
      endpoint: endpoint as "/v1/chat/completions",
      completion_window: "24h",
    });
  }

  async function output(id: string | null | undefined): Promise<OutputLine[]> {
    if (!id) return [];
    return parseJsonl<OutputLine>(await (await t.openai.files.content(id)).text());
  }

  /** The usage the backend reported, summed over the successful answers the fake recorded (retried attempts were errors). */
  function reportedUsage(
    bodies: Array<{ status: number | null; response: string | null }>,
    read: (u: Json) => [number, number],
  ) {
    let input = 0;
    let outputTokens = 0;
    for (const b of bodies) {
      if (b.status !== 200 || !b.response) continue;
      const [i, o] = read(JSON.parse(b.response).usage);
      input += i;
      outputTokens += o;
    }
    return { input, output: outputTokens };
  }

  const messagesLine = (i: number) =>
    JSON.stringify({
      custom_id: `m-${i}`,
      method: "POST",
      url: "/v1/messages",
      body: {
        model: "fake-model",
        // Half the records are capped below the fake's 16 output tokens: stop_reason max_tokens.
        max_tokens: i % 2 === 0 ? 4 : 200,
        system: "You answer in a few words.",
        messages: [
          { role: "user", content: `Question ${i}` },
          { role: "assistant", content: "Thinking." },
          { role: "user", content: [{ type: "text", text: `Go on with ${i}` }] },
        ],
      },
    });

  it("runs Anthropic Messages records on an OpenAI-compatible route and answers in Messages shape", async () => {
    t = await startTestDocket({ fake: { recordBodies: true } });
    const created = await submit(
      Array.from({ length: 200 }, (_, i) => messagesLine(i)),
      "/v1/messages",
    );
    const done = await pollBatch(t.openai, created.id, ["completed", "failed"]);
    expect(done.request_counts).toEqual({ total: 200, completed: 200, failed: 0 });
    const stats = t.fake.stats();
    expect(stats.byPath).toEqual({ "/v1/chat/completions": 200 });
    const sent = JSON.parse(stats.bodies![0]!.request);
    expect(sent.messages[0]).toEqual({ role: "system", content: "You answer in a few words." });

    const lines = await output(done.output_file_id);
    expect(lines).toHaveLength(200);
    let input = 0;
    let out = 0;
    for (const line of lines) {
      const i = Number(line.custom_id.slice(2));
      const m = line.response!.body;
      expect(m).toMatchObject({
        type: "message",
        role: "assistant",
        model: "fake-model",
        stop_sequence: null,
      });
      expect(m.id).toMatch(/^chatcmpl-/);
      expect(m.content).toEqual([{ type: "text", text: expect.any(String) }]);
      expect(m.stop_reason).toBe(i % 2 === 0 ? "max_tokens" : "end_turn");
      expect(m.usage.output_tokens).toBe(i % 2 === 0 ? 4 : 16);
      input += m.usage.input_tokens;
      out += m.usage.output_tokens;
    }
    const reported = reportedUsage(stats.bodies!, (u) => [u.prompt_tokens, u.completion_tokens]);
    expect({ input, output: out }).toEqual(reported);
    expect(done.usage).toMatchObject({ input_tokens: reported.input, output_tokens: reported.output });
  });

  it("fails a batch at validation, sending nothing, when a line holds a field the route cannot express", async () => {
    t = await startTestDocket();
    const bad = JSON.parse(messagesLine(2));
    bad.body.top_k = 5;
    const created = await submit([messagesLine(1), JSON.stringify(bad), messagesLine(3)], "/v1/messages");
    const done = await pollBatch(t.openai, created.id, ["completed", "failed"]);
    expect(done.status).toBe("failed");
    expect(done.errors?.data).toEqual([
      expect.objectContaining({ code: "unsupported_by_route", line: 2, param: "body.top_k" }),
    ]);
    expect(done.errors?.data?.[0]?.message).toContain("route 'fake'");
    expect(t.fake.stats().requests).toBe(0);
  });

  it("keeps the backend's failure bodies as they came (only successes are translated)", async () => {
    t = await startTestDocket({ fake: { recordBodies: true, fail400Marker: "REJECT-ME" } });
    const bad = JSON.parse(messagesLine(1));
    bad.body.messages[0].content = "REJECT-ME please";
    const created = await submit([messagesLine(0), JSON.stringify(bad)], "/v1/messages");
    const done = await pollBatch(t.openai, created.id, ["completed", "failed"]);
    expect(done.request_counts).toEqual({ total: 2, completed: 1, failed: 1 });
    const [failure] = await output(done.error_file_id);
    const answered = t.fake.stats().bodies!.find((b) => b.status === 400)!;
    expect(failure?.custom_id).toBe("m-1");
    expect(failure?.response?.status_code).toBe(400);
    expect(failure?.response?.body).toEqual(JSON.parse(answered.response!));
    expect(failure?.response?.body).toMatchObject({ error: { type: "invalid_request_error" } });
  });

  it("sends a body byte for byte when the route speaks its dialect", async () => {
    t = await startTestDocket({ fake: { recordBodies: true } });
    const body =
      '{ "model" : "fake-model", "max_tokens": 3, "temperature": 1.0, "messages": [{"role":"user","content":"caf\\u00e9"}] }';
    const line = `{"custom_id":"x","method":"POST","url":"/v1/chat/completions","body":${body}}`;
    const done = await pollBatch(t.openai, (await submit([line], "/v1/chat/completions")).id, [
      "completed",
      "failed",
    ]);
    expect(done.request_counts?.completed).toBe(1);
    expect(t.fake.stats().bodies![0]!.request).toBe(body);
  });

  /**
   * The done-means: 1,000 OpenAI chat requests (tool calls, JSON-schema answers,
   * capped answers, multi-turn with tool results) on a route of another dialect, through 20%
   * throttling/overload, all complete in OpenAI's shape with mapped finish reasons and the
   * exact token counts the backend reported.
   */
  const chatLine = (i: number) => {
    const kind = i % 4;
    const body: Json = {
      model: "fake-model",
      messages: [
        { role: "system", content: "Answer briefly." },
        { role: "user", content: `Request ${i}` },
      ],
    };
    if (kind === 0) {
      body.tools = [
        {
          type: "function",
          function: {
            name: "get_weather",
            description: "Weather for a city",
            parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
          },
        },
      ];
      body.tool_choice = "required";
    } else if (kind === 1) {
      body.response_format = {
        type: "json_schema",
        json_schema: {
          name: "verdict",
          strict: true,
          schema: {
            type: "object",
            properties: { answer: { type: "string" }, score: { type: "integer" } },
            required: ["answer", "score"],
          },
        },
      };
    } else if (kind === 2) {
      body.max_tokens = 3;
    } else {
      body.messages.push(
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: `call_${i}`, type: "function", function: { name: "lookup", arguments: '{"q":"x"}' } },
          ],
        },
        { role: "tool", tool_call_id: `call_${i}`, content: "result text" },
      );
      body.tools = [
        {
          type: "function",
          function: { name: "lookup", parameters: { type: "object", properties: { q: { type: "string" } } } },
        },
      ];
      body.max_completion_tokens = 300;
      body.temperature = 0.2;
      body.stop = ["\n\n\n"];
    }
    return JSON.stringify({ custom_id: `c-${i}`, method: "POST", url: "/v1/chat/completions", body });
  };

  function checkChatAnswers(lines: OutputLine[]) {
    expect(lines).toHaveLength(1000);
    let input = 0;
    let out = 0;
    for (const line of lines) {
      const kind = Number(line.custom_id.slice(2)) % 4;
      const c = line.response!.body;
      expect(c).toMatchObject({ object: "chat.completion", model: "fake-model" });
      const choice = c.choices[0];
      if (kind === 0) {
        expect(choice.finish_reason).toBe("tool_calls");
        expect(choice.message.tool_calls[0]).toMatchObject({
          type: "function",
          function: { name: "get_weather" },
        });
        expect(typeof JSON.parse(choice.message.tool_calls[0].function.arguments).city).toBe("string");
      } else if (kind === 1) {
        expect(choice.finish_reason).toBe("stop");
        const answer = JSON.parse(choice.message.content);
        expect(typeof answer.answer).toBe("string");
        expect(Number.isInteger(answer.score)).toBe(true);
      } else if (kind === 2) {
        expect(choice.finish_reason).toBe("length");
        expect(c.usage.completion_tokens).toBe(3);
      } else {
        expect(choice.finish_reason).toBe("stop");
        expect(typeof choice.message.content).toBe("string");
      }
      expect(c.usage.total_tokens).toBe(c.usage.prompt_tokens + c.usage.completion_tokens);
      input += c.usage.prompt_tokens;
      out += c.usage.completion_tokens;
    }
    return { input, output: out };
  }

  it("runs 1,000 OpenAI chat requests on an Anthropic route through 20% 429/529, 0 failed", async () => {
    const anthropic = await startFakeAnthropic({
      recordBodies: true,
      rate429: 0.1,
      rate529: 0.1,
      retryAfterSeconds: 0,
      seed: 3,
    });
    other = anthropic;
    t = await startTestDocket({
      route: { backend: { type: "anthropic", baseUrl: anthropic.url, apiKey: "test-key" } },
    });
    const created = await submit(
      Array.from({ length: 1000 }, (_, i) => chatLine(i)),
      "/v1/chat/completions",
    );
    const done = await pollBatch(t.openai, created.id, ["completed", "failed"], 120_000);
    expect(done.request_counts).toEqual({ total: 1000, completed: 1000, failed: 0 });
    const stats = anthropic.stats();
    expect((stats.byStatus[429] ?? 0) + (stats.byStatus[529] ?? 0)).toBeGreaterThan(100);
    const summed = checkChatAnswers(await output(done.output_file_id));
    const reported = reportedUsage(stats.bodies!, (u) => [
      u.input_tokens + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0),
      u.output_tokens,
    ]);
    expect(summed).toEqual(reported);
    expect(done.usage).toMatchObject({ input_tokens: reported.input, output_tokens: reported.output });
  }, 180_000);

  it("runs 1,000 OpenAI chat requests on a Bedrock route (AWS SDK, Converse) through 20% throttling, 0 failed", async () => {
    const bedrock = await startFakeBedrock({
      recordBodies: true,
      rate429: 0.1,
      rate503: 0.1,
      retryAfterSeconds: 0,
      seed: 5,
    });
    other = bedrock;
    const modelId = "anthropic.claude-3-haiku-20240307-v1:0";
    t = await startTestDocket({
      route: {
        backend: {
          type: "bedrock",
          region: "us-east-1",
          endpoint: bedrock.url,
          accessKeyId: "AKIDEXAMPLE",
          secretAccessKey: "secret",
          modelId,
        },
      },
    });
    const created = await submit(
      Array.from({ length: 1000 }, (_, i) => chatLine(i)),
      "/v1/chat/completions",
    );
    const done = await pollBatch(t.openai, created.id, ["completed", "failed"], 120_000);
    expect(done.request_counts).toEqual({ total: 1000, completed: 1000, failed: 0 });
    const stats = bedrock.stats();
    expect(Object.keys(stats.byPath)).toEqual([`/model/${encodeURIComponent(modelId)}/converse`]);
    expect((stats.byStatus[429] ?? 0) + (stats.byStatus[503] ?? 0)).toBeGreaterThan(100);
    const summed = checkChatAnswers(await output(done.output_file_id));
    const reported = reportedUsage(stats.bodies!, (u) => [
      u.inputTokens + (u.cacheReadInputTokens ?? 0) + (u.cacheWriteInputTokens ?? 0),
      u.outputTokens,
    ]);
    expect(summed).toEqual(reported);
    expect(done.usage).toMatchObject({ input_tokens: reported.input, output_tokens: reported.output });
  }, 180_000);
});
