import { type AwsError, validationError } from "../fake-bedrock/aws-error.js";
import type { FakeInvocationType } from "./fake-batch-record.js";

/** A CreateModelInvocationJob request, checked as Bedrock's API model constrains it. */
export interface CreateRequest {
  jobName: string;
  roleArn: string;
  clientRequestToken: string | undefined;
  modelId: string;
  inputUri: string;
  outputUri: string;
  invocationType: FakeInvocationType;
  timeoutDurationInHours: number;
}

const JOB_NAME = /^[a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9+\-.]){0,63}$/;
const ROLE_ARN = /^arn:aws(-[^:]+)?:iam::([0-9]{12})?:role\/.+$/;
const REQUEST_TOKEN = /^[a-zA-Z0-9]{1,256}(-*[a-zA-Z0-9]){0,256}$/;
const S3_URI = /^s3:\/\/[a-z0-9][.\-a-z0-9]{1,61}[a-z0-9](\/.*)?$/;

export function readCreateRequest(body: Record<string, unknown>): CreateRequest | AwsError {
  const { jobName, roleArn, clientRequestToken, modelId, inputDataConfig, outputDataConfig } = body;
  if (typeof jobName !== "string" || jobName.length > 63 || !JOB_NAME.test(jobName)) {
    return validationError(
      `1 validation error detected: Value '${String(jobName)}' at 'jobName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9\\+\\-\\.]){0,63}`,
    );
  }
  if (typeof roleArn !== "string" || !ROLE_ARN.test(roleArn)) {
    return validationError(
      `1 validation error detected: Value '${String(roleArn)}' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ^arn:aws(-[^:]+)?:iam::([0-9]{12})?:role/.+$`,
    );
  }
  if (
    clientRequestToken !== undefined &&
    (typeof clientRequestToken !== "string" || !REQUEST_TOKEN.test(clientRequestToken))
  ) {
    return validationError(
      `1 validation error detected: Value '${String(clientRequestToken)}' at 'clientRequestToken' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9]{1,256}(-*[a-zA-Z0-9]){0,256}`,
    );
  }
  if (typeof modelId !== "string" || modelId === "") return validationError("modelId is required.");
  const inputUri = (inputDataConfig as { s3InputDataConfig?: { s3Uri?: unknown } } | undefined)
    ?.s3InputDataConfig?.s3Uri;
  const outputUri = (outputDataConfig as { s3OutputDataConfig?: { s3Uri?: unknown } } | undefined)
    ?.s3OutputDataConfig?.s3Uri;
  if (typeof inputUri !== "string" || !S3_URI.test(inputUri)) {
    return validationError("inputDataConfig.s3InputDataConfig.s3Uri must be an s3:// URI.");
  }
  if (typeof outputUri !== "string" || !S3_URI.test(outputUri)) {
    return validationError("outputDataConfig.s3OutputDataConfig.s3Uri must be an s3:// URI.");
  }
  const type = body.modelInvocationType ?? "InvokeModel";
  if (type !== "InvokeModel" && type !== "Converse") {
    return validationError("modelInvocationType must be InvokeModel or Converse.");
  }
  const hours = body.timeoutDurationInHours ?? 168;
  if (typeof hours !== "number" || !Number.isInteger(hours) || hours < 24 || hours > 168) {
    return validationError("timeoutDurationInHours must be a whole number from 24 to 168.");
  }
  return {
    jobName,
    roleArn,
    clientRequestToken: clientRequestToken as string | undefined,
    modelId,
    inputUri,
    outputUri,
    invocationType: type,
    timeoutDurationInHours: hours,
  };
}
