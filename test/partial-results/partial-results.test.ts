import { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chatBatchLines } from "../support/batch-files.js";
import { pollBatch, startTestDocket, type TestDocket } from "../support/test-docket.js";
import { bedrockId, collectEvents, PartialFollower } from "./partial-reader.js";
import {
  expectPartialReadsMatchFinalFiles,
  fileBytes as fileBytesOf,
  RUN_OPTIONS,
  submitChatBatch,
} from "./run-and-follow.js";

/**
 * Results while the job runs (issue 14, part 2) on a real `docket serve` (SQLite): partial reads
 * every 200 ms during a 10,000-record run with latency, retries and failures are a
 * prefix-consistent subset of the final files (never a duplicate, never a line that changes), and
 * concatenated they are the final output and error files byte for byte; the same for Anthropic
 * Message Batches and Bedrock files; the SSE stream's `record` events chain up to the end.
 */
let t: TestDocket;

beforeAll(async () => {
  t = await startTestDocket({
    ...RUN_OPTIONS,
  });
});

afterAll(async () => {
  await t?.close();
});

const submit = (lines: string[]) => submitChatBatch(t, lines);
const fileBytes = (id: string | null | undefined) => fileBytesOf(t, id);

describe("partial results on SQLite", () => {
  it("reads a 10,000-record run every 200 ms into exactly its final output and error files", async () => {
    await expectPartialReadsMatchFinalFiles(t, 10_000);
  }, 180_000);

  it("serves an Anthropic Message Batch's results so far under its own prefix, errored lines included", async () => {
    const n = 600;
    const requests = Array.from({ length: n }, (_, i) => ({
      custom_id: `req-${i}`,
      params:
        i === 5
          ? {
              model: "fake-model",
              messages: [{ role: "user", content: "no max_tokens: errored at validation" }],
            }
          : {
              model: "fake-model",
              max_tokens: 16,
              messages: [{ role: "user", content: `${i % 50 === 7 ? "FAIL400 " : ""}call ${i}` }],
            },
    }));
    const res = await fetch(`${t.docket.url}/v1/messages/batches`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ requests }),
    });
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: string };
    const follower = new PartialFollower(`${t.docket.url}/v1/messages/batches/${id}/results`, { limit: 37 });
    await follower.followToEnd(200);
    const final = await fetch(`${t.docket.url}/v1/messages/batches/${id}/results`);
    const finalBytes = Buffer.from(await final.arrayBuffer());
    expect(follower.text().equals(finalBytes)).toBe(true);
    const types = follower
      .text()
      .toString()
      .trimEnd()
      .split("\n")
      .map((l) => (JSON.parse(l) as { result: { type: string } }).result.type);
    expect(types).toHaveLength(n);
    expect(types.filter((ty) => ty === "errored")).toHaveLength(13);
    // Record events resume from a cursor: an ended batch's stream says the rest in one event.
    const events = await collectEvents(
      `${t.docket.url}/v1/batches/${id}/events?records=true&records_after=500`,
    );
    expect(events.filter((e) => e.event === "record").map((e) => e.data)).toEqual([
      { object: "batch.records", cursor: "600", previous_cursor: "500", records: 100, complete: true },
    ]);
    // An Anthropic batch's errors are lines of its one results file: there is no error file.
    const errors = await fetch(`${t.docket.url}/v1/messages/batches/${id}/results?partial=true&errors=true`);
    expect(errors.status).toBe(400);
    expect(((await errors.json()) as { type: string; error: { type: string } }).error.type).toBe(
      "invalid_request_error",
    );
  }, 120_000);

  it("serves a Bedrock file's .out lines so far, a body stored in parts echoed byte for byte", async () => {
    const body = (i: number) =>
      `{"anthropic_version": "bedrock-2023-05-31", "max_tokens": 8, "temperature": 1.0, "messages": [{"role": "user", "content": "${i % 40 === 3 ? "FAIL400 " : ""}call ${i}"}]}`;
    const big = `{"anthropic_version": "bedrock-2023-05-31", "max_tokens": 5, "messages": [{"role": "user", "content": "${"é".repeat(1_200_000)}"}]}`;
    const lines = Array.from({ length: 300 }, (_, i) =>
      i === 150
        ? `{"recordId": "big", "modelInput": ${big}}`
        : `{"recordId": "r${i}", "modelInput": ${body(i)}}`,
    );
    const file = await t.openai.files.create({
      file: await toFile(Buffer.from(`${lines.join("\n")}\n`), "calls.jsonl"),
      purpose: "batch",
    });
    const res = await fetch(`${t.docket.url}/v1/batches`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        input_file_id: file.id,
        input_format: "bedrock",
        model: "fake-claude",
        completion_window: "24h",
      }),
    });
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: string };
    const follower = new PartialFollower(`${t.docket.url}/v1/batches/${id}/results`, {
      limit: 50,
      idOf: bedrockId,
    });
    await follower.followToEnd(200);
    const done = await pollBatch(t.openai, id, ["completed"], 10_000);
    expect(done.error_file_id).toBeNull();
    expect(follower.text().equals(await fileBytes(done.output_file_id))).toBe(true);
    expect(follower.text().toString()).toContain(`{"recordId":"big","modelInput":${big},`);
  }, 120_000);

  it("says a failed batch is complete with no lines, and refuses bad cursors and limits", async () => {
    const id = await submit(["{not json"]);
    await pollBatch(t.openai, id, ["failed"], 10_000);
    const res = await fetch(`${t.docket.url}/v1/batches/${id}/results?partial=true`);
    expect(res.status).toBe(200);
    expect(res.headers.get("docket-complete")).toBe("true");
    expect(res.headers.get("docket-next-cursor")).toBe("0");
    expect(await res.text()).toBe("");
    for (const q of ["after=-1", "after=x", "until=1.5", "limit=10001", "limit=0"]) {
      const bad = await fetch(`${t.docket.url}/v1/batches/${id}/results?partial=true&${q}`);
      expect(bad.status, q).toBe(400);
    }
    const events = await collectEvents(`${t.docket.url}/v1/batches/${id}/events?records=true`);
    expect(events.filter((e) => e.event === "record").map((e) => e.data)).toEqual([
      { object: "batch.records", cursor: "0", previous_cursor: "0", records: 0, complete: true },
    ]);
  }, 60_000);
});

describe("partial results of a batch that is cancelled or expires", () => {
  let slow: TestDocket;

  beforeAll(async () => {
    slow = await startTestDocket({
      fake: { latencyMs: 50, fail400Marker: "FAIL400" },
      route: { concurrency: 4 },
    });
  });

  afterAll(async () => {
    await slow?.close();
  });

  async function create(n: number, window: string): Promise<string> {
    const lines = chatBatchLines(n, { mark: (i) => (i % 10 === 3 ? "FAIL400 " : null) });
    const file = await slow.openai.files.create({
      file: await toFile(Buffer.from(`${lines.join("\n")}\n`), "in.jsonl"),
      purpose: "batch",
    });
    const b = await slow.openai.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: window as "24h",
    });
    return b.id;
  }

  async function expectFinalFiles(id: string, follower: PartialFollower, status: string) {
    const done = await pollBatch(slow.openai, id, [status], 10_000);
    const bytes = async (fileId: string | null | undefined) =>
      fileId ? Buffer.from(await (await slow.openai.files.content(fileId)).arrayBuffer()) : Buffer.alloc(0);
    expect(follower.text("output").equals(await bytes(done.output_file_id))).toBe(true);
    expect(follower.text("errors").equals(await bytes(done.error_file_id))).toBe(true);
    return follower.text("errors").toString();
  }

  it("serves the lines of a batch cancelled part-way, cancelled records included, as its final files", async () => {
    const id = await create(600, "24h");
    const follower = new PartialFollower(`${slow.docket.url}/v1/batches/${id}/results`, { errors: true });
    while ((await follower.poll()).moved === 0) await new Promise((r) => setTimeout(r, 100));
    await slow.openai.batches.cancel(id);
    await follower.followToEnd(200);
    expect(await expectFinalFiles(id, follower, "cancelled")).toContain('"code":"batch_cancelled"');
  }, 120_000);

  it("serves the lines of a batch whose window ends part-way, expired records included, as its final files", async () => {
    const id = await create(600, "3s");
    const follower = new PartialFollower(`${slow.docket.url}/v1/batches/${id}/results`, { errors: true });
    await follower.followToEnd(200);
    expect(follower.movedBeforeEnd).toBeGreaterThanOrEqual(1);
    expect(await expectFinalFiles(id, follower, "expired")).toContain('"code":"batch_expired"');
  }, 120_000);
});
