import { type AwsError, awsError } from "./aws-error.js";

/**
 * `Authorization: AWS4-HMAC-SHA256 Credential=<key id>/<yyyymmdd>/<region>/bedrock/aws4_request,
 * SignedHeaders=<a;b;c>, Signature=<64 hex>` — the form of a SigV4-signed Bedrock request.
 */
const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/\s,]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, ?SignedHeaders=([a-z0-9;:-]+), ?Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^\d{8}T\d{6}Z$/;

export interface SignedBy {
  accessKeyId: string;
  region: string;
}

/**
 * Accepts a request that is signed the way the AWS SDK signs for Bedrock, without checking the
 * signature itself (the fake holds no secrets); refuses unsigned or oddly signed requests with
 * the 403s AWS gives, so a client that forgot to sign, or signed for another service, finds out.
 */
export function checkSigV4(headers: Record<string, string | string[] | undefined>): SignedBy | AwsError {
  const authorization = headers.authorization;
  if (typeof authorization !== "string" || authorization === "") {
    return awsError(403, "MissingAuthenticationTokenException", "Missing Authentication Token");
  }
  const match = AUTHORIZATION.exec(authorization);
  if (!match) {
    return awsError(
      403,
      "InvalidSignatureException",
      "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters of an AWS4-HMAC-SHA256 signature.",
    );
  }
  const [, accessKeyId, date, region, service, signedHeaders] = match;
  if (service !== "bedrock") {
    return awsError(
      403,
      "InvalidSignatureException",
      `Credential should be scoped to correct service: 'bedrock'. (got '${service}')`,
    );
  }
  const amzDate = headers["x-amz-date"];
  if (typeof amzDate !== "string" || !AMZ_DATE.test(amzDate) || !amzDate.startsWith(date!)) {
    return awsError(
      403,
      "InvalidSignatureException",
      "Missing or malformed X-Amz-Date header: it must be yyyyMMddTHHmmssZ, on the date of the credential scope.",
    );
  }
  // Over HTTP/2 the SDK signs the `:authority` pseudo-header in place of `host`.
  const signed = signedHeaders!.split(";");
  if (!signed.includes("host") && !signed.includes(":authority")) {
    return awsError(403, "InvalidSignatureException", "'Host' must be a signed header.");
  }
  return { accessKeyId: accessKeyId!, region: region! };
}
