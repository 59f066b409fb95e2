/**
 * An AWS service error as Bedrock Runtime writes it (restJson1): the status, the type in the
 * `x-amzn-ErrorType` header as `<Name>:<namespace URL>` (the SDK reads the name before the
 * colon; without the header a 429 reaches the caller as `Unknown`), and `{"message": …}`.
 */
export interface AwsError {
  status: number;
  name: string;
  message: string;
}

export const ERROR_NAMESPACE = "http://internal.amazon.com/coral/com.amazon.bedrock/";

export function awsError(status: number, name: string, message: string): AwsError {
  return { status, name, message };
}

export function validationError(message: string): AwsError {
  return awsError(400, "ValidationException", message);
}

/** Bedrock's wording for a body its JSON schema refuses. */
export function malformedInput(detail: string): AwsError {
  return validationError(`Malformed input request: ${detail}, please reformat your input and try again.`);
}

export function awsErrorHeaders(error: AwsError): Record<string, string> {
  return { "x-amzn-errortype": `${error.name}:${ERROR_NAMESPACE}` };
}

export function awsErrorBody(error: AwsError): string {
  return JSON.stringify({ message: error.message });
}

export function isAwsError(value: unknown): value is AwsError {
  return typeof value === "object" && value !== null && "status" in value && "name" in value;
}
