import { createHash } from "node:crypto";

/**
 * Names Bedrock accepts, made from Docket's provider-job token. `clientRequestToken` must match
 * `[a-zA-Z0-9]{1,256}(-*[a-zA-Z0-9]){0,256}` and `jobName` `[a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9\+\-\.]){0,63}`
 * (at most 63 characters): a token already in that form is used as it is (readable in the
 * console); any other is replaced by a hash of it, so two tokens never share a name.
 */
const SAFE = /^[a-zA-Z0-9]+(-+[a-zA-Z0-9]+)*$/;
const JOB_NAME_PREFIX = "docket-";
const MAX_JOB_NAME = 63;

/** The token's form in names and S3 keys. */
export function safeToken(token: string): string {
  if (SAFE.test(token) && JOB_NAME_PREFIX.length + token.length <= MAX_JOB_NAME) return token;
  return `h${createHash("sha256").update(token).digest("hex").slice(0, 40)}`;
}

export function jobNameOf(token: string): string {
  return JOB_NAME_PREFIX + safeToken(token);
}

export function clientRequestTokenOf(token: string): string {
  return safeToken(token);
}
