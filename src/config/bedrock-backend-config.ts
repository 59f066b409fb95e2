import { DocketError } from "../domain/errors.js";
import type { BedrockBackendConfig } from "./config.js";
import { resolveSecretRef } from "./secret-ref.js";

const SECRETS = ["accessKeyId", "secretAccessKey", "sessionToken"] as const;

/**
 * Checks a `bedrock` backend and resolves its credentials (`env:NAME`), naming the field at
 * fault. Static credentials come as a pair (a session token only with them); without them the
 * AWS default chain applies. `where` is the backend's config path, e.g. `routes[0].backend`.
 */
export function checkBedrockBackend(b: BedrockBackendConfig, where: string): BedrockBackendConfig {
  if (b.region !== undefined && (typeof b.region !== "string" || !/^[a-z0-9-]+$/.test(b.region))) {
    throw new DocketError("invalid_config", `${where}.region must be an AWS region such as "us-east-1".`);
  }
  if (b.endpoint !== undefined && (typeof b.endpoint !== "string" || !/^https?:\/\//.test(b.endpoint))) {
    throw new DocketError(
      "invalid_config",
      `${where}.endpoint must be an http(s) URL such as https://bedrock-runtime.us-east-1.amazonaws.com.`,
    );
  }
  if (b.modelId !== undefined && (typeof b.modelId !== "string" || b.modelId === "")) {
    throw new DocketError(
      "invalid_config",
      `${where}.modelId must be a Bedrock model id or ARN such as "anthropic.claude-3-haiku-20240307-v1:0".`,
    );
  }
  for (const key of SECRETS) {
    if (b[key] !== undefined && (typeof b[key] !== "string" || b[key] === "")) {
      throw new DocketError("invalid_config", `${where}.${key} must be a non-empty string (or "env:NAME").`);
    }
  }
  if ((b.accessKeyId === undefined) !== (b.secretAccessKey === undefined)) {
    throw new DocketError(
      "invalid_config",
      `${where}.accessKeyId and ${where}.secretAccessKey go together; leave both out to use the AWS default credential chain.`,
    );
  }
  if (b.sessionToken !== undefined && b.accessKeyId === undefined) {
    throw new DocketError("invalid_config", `${where}.sessionToken needs accessKeyId and secretAccessKey.`);
  }
  const resolved: BedrockBackendConfig = { ...b };
  for (const key of SECRETS) {
    const value = b[key];
    if (value !== undefined) resolved[key] = resolveSecretRef(value, `${where}.${key}`);
  }
  return resolved;
}
