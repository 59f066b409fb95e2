/** The static AWS credentials a bedrock or bedrock-batch route names; absent: the AWS default credential chain. */
export function staticAwsCredentials(b: {
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
}): { accessKeyId: string; secretAccessKey: string; sessionToken: string | undefined } | undefined {
  return b.accessKeyId && b.secretAccessKey
    ? { accessKeyId: b.accessKeyId, secretAccessKey: b.secretAccessKey, sessionToken: b.sessionToken }
    : undefined;
}
