import { describe, expect, it } from "vitest";
import { checkSigV4 } from "./sigv4-header.js";

const SIGNATURE = "a".repeat(64);
const signed = (credential: string, date = "20260101T120000Z") => ({
  authorization: `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=content-type;host;x-amz-date, Signature=${SIGNATURE}`,
  "x-amz-date": date,
});

describe("checkSigV4", () => {
  it("accepts a Bedrock-scoped signature and says who signed", () => {
    expect(checkSigV4(signed("AKIDEXAMPLE/20260101/us-west-2/bedrock/aws4_request"))).toEqual({
      accessKeyId: "AKIDEXAMPLE",
      region: "us-west-2",
    });
    const overHttp2 = {
      authorization: `AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/bedrock/aws4_request, SignedHeaders=:authority;x-amz-date, Signature=${SIGNATURE}`,
      "x-amz-date": "20260101T120000Z",
    };
    expect(checkSigV4(overHttp2)).toEqual({ accessKeyId: "AKID", region: "us-east-1" });
    expect(
      checkSigV4({ ...overHttp2, authorization: overHttp2.authorization.replace(":authority;", "") }),
    ).toMatchObject({
      message: "'Host' must be a signed header.",
    });
  });

  it("refuses missing, malformed and wrongly scoped signatures with AWS's 403s", () => {
    expect(checkSigV4({})).toMatchObject({ status: 403, name: "MissingAuthenticationTokenException" });
    expect(checkSigV4({ authorization: "Bearer abc" })).toMatchObject({ name: "InvalidSignatureException" });
    expect(checkSigV4(signed("AKID/20260101/us-west-2/s3/aws4_request"))).toMatchObject({
      name: "InvalidSignatureException",
      message: expect.stringContaining("'bedrock'"),
    });
    expect(
      checkSigV4(signed("AKID/20260101/us-west-2/bedrock/aws4_request", "20250101T120000Z")),
    ).toMatchObject({
      message: expect.stringContaining("X-Amz-Date"),
    });
    const { authorization } = signed("AKID/20260101/us-west-2/bedrock/aws4_request");
    expect(checkSigV4({ authorization })).toMatchObject({ name: "InvalidSignatureException" });
  });
});
