import { afterEach, describe, expect, it } from "vitest";
import { checkBedrockBackend } from "./bedrock-backend-config.js";

const where = "routes[0].backend";
afterEach(() => {
  delete process.env.DOCKET_TEST_AWS_SECRET;
});

describe("checkBedrockBackend", () => {
  it("accepts the default chain and resolves env: credentials", () => {
    expect(checkBedrockBackend({ type: "bedrock" }, where)).toEqual({ type: "bedrock" });
    process.env.DOCKET_TEST_AWS_SECRET = "s3cret";
    expect(
      checkBedrockBackend(
        {
          type: "bedrock",
          region: "eu-west-1",
          accessKeyId: "AKID",
          secretAccessKey: "env:DOCKET_TEST_AWS_SECRET",
        },
        where,
      ),
    ).toEqual({ type: "bedrock", region: "eu-west-1", accessKeyId: "AKID", secretAccessKey: "s3cret" });
  });

  it("names the field at fault", () => {
    expect(() => checkBedrockBackend({ type: "bedrock", region: "US East" }, where)).toThrow(
      /routes\[0\]\.backend\.region/,
    );
    expect(() => checkBedrockBackend({ type: "bedrock", endpoint: "localhost:9000" }, where)).toThrow(
      /\.endpoint must be/,
    );
    expect(() => checkBedrockBackend({ type: "bedrock", accessKeyId: "AKID" }, where)).toThrow(/go together/);
    expect(() => checkBedrockBackend({ type: "bedrock", sessionToken: "t" }, where)).toThrow(
      /sessionToken needs/,
    );
    expect(() => checkBedrockBackend({ type: "bedrock", modelId: "" }, where)).toThrow(/\.modelId must be/);
    expect(() =>
      checkBedrockBackend(
        { type: "bedrock", accessKeyId: "AKID", secretAccessKey: "env:DOCKET_TEST_AWS_SECRET" },
        where,
      ),
    ).toThrow(/DOCKET_TEST_AWS_SECRET, which is not set/);
  });
});
