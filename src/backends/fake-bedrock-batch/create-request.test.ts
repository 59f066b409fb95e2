import { describe, expect, it } from "vitest";
import { isAwsError } from "../fake-bedrock/aws-error.js";
import { readCreateRequest } from "./create-request.js";

const VALID = {
  jobName: "docket-pj-1",
  roleArn: "arn:aws:iam::123456789012:role/R",
  clientRequestToken: "pj-1",
  modelId: "anthropic.claude-3-haiku-20240307-v1:0",
  inputDataConfig: { s3InputDataConfig: { s3Uri: "s3://bucket/a/input.jsonl" } },
  outputDataConfig: { s3OutputDataConfig: { s3Uri: "s3://bucket/a/out/" } },
};

describe("readCreateRequest", () => {
  it("reads a valid request with Bedrock's defaults", () => {
    expect(readCreateRequest(VALID)).toEqual({
      jobName: "docket-pj-1",
      roleArn: VALID.roleArn,
      clientRequestToken: "pj-1",
      modelId: VALID.modelId,
      inputUri: "s3://bucket/a/input.jsonl",
      outputUri: "s3://bucket/a/out/",
      invocationType: "InvokeModel",
      timeoutDurationInHours: 168,
    });
  });

  it("refuses what Bedrock's API model refuses, naming the field", () => {
    const bad = (patch: Record<string, unknown>) => {
      const r = readCreateRequest({ ...VALID, ...patch });
      return isAwsError(r) ? r.message : "accepted";
    };
    expect(bad({ jobName: "a_b" })).toMatch("jobName");
    expect(bad({ jobName: "x".repeat(64) })).toMatch("jobName");
    expect(bad({ clientRequestToken: "pj_1" })).toMatch("clientRequestToken");
    expect(bad({ roleArn: "role" })).toMatch("roleArn");
    expect(bad({ inputDataConfig: { s3InputDataConfig: { s3Uri: "http://x/y" } } })).toMatch(
      "inputDataConfig",
    );
    expect(bad({ timeoutDurationInHours: 12 })).toMatch("timeoutDurationInHours");
    expect(bad({ modelInvocationType: "Chat" })).toMatch("modelInvocationType");
  });
});
