import { describe, expect, it } from "vitest";
import { isDeterministic } from "./request-determinism.js";

const chat = (fields: string) => `{"model":"m","messages":[{"role":"user","content":"hi"}]${fields}}`;

describe("isDeterministic", () => {
  it("takes temperature 0 in any spelling, or an integer seed", () => {
    for (const t of ["0", "0.0", "-0", "0e5", "0E-3"])
      expect(isDeterministic("/v1/chat/completions", chat(`,"temperature":${t}`))).toBe(true);
    expect(isDeterministic("/v1/chat/completions", chat(',"seed":42'))).toBe(true);
    expect(isDeterministic("/v1/chat/completions", chat(',"temperature":1,"seed":7'))).toBe(true);
    expect(isDeterministic("/v1/messages", chat(',"temperature":0'))).toBe(true);
    expect(isDeterministic("/v1/responses", chat(',"temperature":0'))).toBe(true);
  });

  it("never takes temperature 1 (or none) without a seed", () => {
    expect(isDeterministic("/v1/chat/completions", chat(',"temperature":1'))).toBe(false);
    expect(isDeterministic("/v1/chat/completions", chat(""))).toBe(false);
    expect(isDeterministic("/v1/chat/completions", chat(',"temperature":0.01'))).toBe(false);
    expect(isDeterministic("/v1/chat/completions", chat(',"temperature":"0"'))).toBe(false);
    expect(isDeterministic("/v1/chat/completions", chat(',"seed":null'))).toBe(false);
    expect(isDeterministic("/v1/chat/completions", chat(',"seed":1.5'))).toBe(false);
    expect(isDeterministic("/v1/chat/completions", chat(',"seed":"42"'))).toBe(false);
    expect(isDeterministic("/v1/chat/completions", "[0]")).toBe(false);
    expect(isDeterministic("/v1/chat/completions", "not json")).toBe(false);
  });

  it("reads Bedrock's nested inference settings and treats embeddings as deterministic", () => {
    const invoke = "/model/amazon.nova-lite-v1%3A0/invoke" as const;
    expect(isDeterministic(invoke, '{"inferenceConfig":{"temperature":0}}')).toBe(true);
    expect(isDeterministic(invoke, '{"textGenerationConfig":{"temperature":0,"topP":1}}')).toBe(true);
    expect(isDeterministic(invoke, '{"inferenceConfig":{"temperature":0.7}}')).toBe(false);
    expect(isDeterministic("/v1/embeddings", '{"model":"e","input":"x"}')).toBe(true);
  });
});
