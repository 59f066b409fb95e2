import { BedrockRuntimeClient, InvokeModelCommand } from "@aws-sdk/client-bedrock-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { afterEach, describe, expect, it } from "vitest";
import { killFakeClis, runFakeCli } from "../support/fake-cli.js";

afterEach(killFakeClis);

describe("docket fake-backend --api bedrock", () => {
  it("serves Bedrock Runtime with Bedrock's own failure knobs", async () => {
    const cli = runFakeCli(["--api", "bedrock", "--port", "0", "--rate-503", "1"]);
    const url = await cli.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const client = new BedrockRuntimeClient({
      region: "us-east-1",
      endpoint: url,
      credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: "fake-secret" },
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler(),
    });
    try {
      const call = client.send(
        new InvokeModelCommand({ modelId: "meta.llama3-8b-instruct-v1:0", body: '{"prompt":"hi"}' }),
      );
      await expect(call).rejects.toMatchObject({
        name: "ServiceUnavailableException",
        $metadata: { httpStatusCode: 503 },
      });
    } finally {
      client.destroy();
    }
  }, 30_000);

  it("refuses Bedrock's knobs for the other wire formats", async () => {
    const misplaced = runFakeCli(["--port", "0", "--rate-503", "0.1"]);
    await expect(misplaced.url).rejects.toThrow(
      /exited [1-9]\d*: [\s\S]*--rate-503 and --rate-model-not-ready need --api bedrock\./,
    );
  }, 30_000);
});
