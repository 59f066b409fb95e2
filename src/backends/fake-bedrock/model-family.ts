import { type AwsError, awsError, validationError } from "./aws-error.js";

/** The model families the fake answers natively, each with its own InvokeModel body. */
export type ModelFamily = "anthropic" | "llama" | "titan-text" | "nova";

/** Cross-region inference profiles put a geography before the model id: `us.`, `eu.`, `apac.`… */
const PROFILE_PREFIX = /^(?:us|eu|apac|us-gov|ca|jp|au|global)\./;

/**
 * The family of a model id as Bedrock takes it: a model id, an inference-profile id, or an ARN
 * of either. An id shaped like a Bedrock model (`provider.name`) that the fake does not serve is
 * 404 ResourceNotFoundException; anything else 400 ValidationException, as Bedrock answers.
 */
export function modelFamily(modelId: string): ModelFamily | AwsError {
  const arn = /^arn:aws[a-z-]*:bedrock:[^:]*:[^:]*:(?:foundation-model|inference-profile)\/(.+)$/.exec(
    modelId,
  );
  const id = (arn ? arn[1]! : modelId).replace(PROFILE_PREFIX, "");
  if (id.startsWith("anthropic.claude")) return "anthropic";
  if (id.startsWith("meta.llama")) return "llama";
  if (id.startsWith("amazon.titan-text")) return "titan-text";
  if (id.startsWith("amazon.nova")) return "nova";
  if (/^[a-z0-9-]+\.[A-Za-z0-9._:-]+$/.test(id)) {
    return awsError(
      404,
      "ResourceNotFoundException",
      "Could not resolve the foundation model from the provided model identifier.",
    );
  }
  return validationError("The provided model identifier is invalid.");
}
