import { describe, expect, it } from "vitest";
import type { FinishedRecord } from "../domain/record.js";
import { anthropicResultLine } from "./anthropic-results.js";
import { bedrockLineAround } from "./bedrock-output.js";
import { outputLine } from "./result-lines.js";
import { servedMarker } from "./served-marker.js";

const answer =
  '{"id":"chatcmpl-1","choices":[{"message":{"content":"hi \\u00e9"}}],"n":12345678901234567891}';
const record = (servedFrom?: FinishedRecord["servedFrom"]): FinishedRecord => ({
  id: 7,
  position: 0,
  customId: "a",
  state: "succeeded",
  response: { statusCode: 200, requestId: "req_1", body: answer },
  error: null,
  ...(servedFrom === undefined ? {} : { servedFrom }),
});

describe("served marker", () => {
  it("marks cached and deduplicated answers and leaves other lines as they were", () => {
    expect(servedMarker(record())).toBe("");
    expect(servedMarker(record(null))).toBe("");
    expect(servedMarker(record("cache"))).toBe(',"docket":{"cached":true}');
    expect(servedMarker(record("leader"))).toBe(',"docket":{"deduplicated":true}');
  });

  it("ends each dialect's line with it, the stored answer spliced in byte for byte", () => {
    const plain = outputLine(record());
    const cached = outputLine(record("cache"));
    expect(cached).toBe(`${plain.slice(0, -2)},"docket":{"cached":true}}\n`);
    expect(cached).toContain(`"body":${answer}`);
    expect(JSON.parse(cached).docket).toEqual({ cached: true });

    const anthropic = anthropicResultLine(record("leader"));
    expect(anthropic).toContain(`"message":${answer}`);
    expect(JSON.parse(anthropic).docket).toEqual({ deduplicated: true });

    const [head, tail] = bedrockLineAround(record("cache"));
    const bedrock = JSON.parse(`${head}{}${tail}`);
    expect(bedrock.docket).toEqual({ cached: true });
    expect(tail).toContain(`"modelOutput":${answer}`);
    expect(bedrockLineAround(record())[1]).toBe(`,"modelOutput":${answer}}\n`);
  });
});
