import { describe, expect, it } from "vitest";
import { bedrockEndpoint, parseBedrockEndpoint } from "./bedrock-endpoint.js";

describe("parseBedrockEndpoint", () => {
  it("reads the operation and decodes the model id", () => {
    expect(parseBedrockEndpoint("/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke")).toEqual({
      operation: "invoke",
      modelId: "anthropic.claude-3-haiku-20240307-v1:0",
    });
    const arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.meta.llama3-1-8b-instruct-v1:0";
    expect(parseBedrockEndpoint(bedrockEndpoint("converse", arn))).toEqual({
      operation: "converse",
      modelId: arn,
    });
  });

  it("refuses other paths, unencoded slashes and bad escapes", () => {
    expect(parseBedrockEndpoint("/v1/chat/completions")).toBeNull();
    expect(parseBedrockEndpoint("/model/a/b/invoke")).toBeNull();
    expect(parseBedrockEndpoint("/model//invoke")).toBeNull();
    expect(parseBedrockEndpoint("/model/x%E0/invoke")).toBeNull();
    expect(parseBedrockEndpoint("/model/x/invoke-with-response-stream")).toBeNull();
  });
});
