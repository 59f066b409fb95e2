/** `s3://bucket/key` ↔ its parts, as Bedrock's input and output data configs name locations. */
export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

export function parseS3Uri(uri: string): { bucket: string; key: string } | null {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
  return match ? { bucket: match[1]!, key: match[2]! } : null;
}
