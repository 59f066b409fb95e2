import { describe, expect, it } from "vitest";
import { modelFamily } from "./model-family.js";

describe("modelFamily", () => {
  it("reads model ids, inference profiles and ARNs", () => {
    expect(modelFamily("anthropic.claude-3-5-sonnet-20240620-v1:0")).toBe("anthropic");
    expect(modelFamily("eu.anthropic.claude-3-haiku-20240307-v1:0")).toBe("anthropic");
    expect(modelFamily("arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-8b-instruct-v1:0")).toBe(
      "llama",
    );
    expect(
      modelFamily("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-lite-v1:0"),
    ).toBe("nova");
    expect(modelFamily("amazon.titan-text-premier-v1:0")).toBe("titan-text");
  });

  it("answers unknown models as Bedrock does", () => {
    expect(modelFamily("cohere.command-r-v1:0")).toMatchObject({
      status: 404,
      name: "ResourceNotFoundException",
    });
    expect(modelFamily("gpt-4o mini")).toMatchObject({ status: 400, name: "ValidationException" });
  });
});
