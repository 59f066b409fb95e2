/**
 * Bedrock batch input names each record with an 11-character alphanumeric `recordId`
 * (docs: "Format and upload your batch inference data"). A Docket record id is a positive safe
 * integer, and the largest one, 2^53 - 1, is 11 digits in base 36, so the key is the id in
 * lowercase base 36, zero-padded to 11: a bijection, with no table to keep.
 */
export const RECORD_KEY_LENGTH = 11;
const KEY = /^[0-9a-z]{11}$/;

export function bedrockRecordKey(recordId: number): string {
  if (!Number.isSafeInteger(recordId) || recordId < 0) {
    throw new RangeError(`A Bedrock record key needs a non-negative safe integer, not ${recordId}.`);
  }
  return recordId.toString(36).padStart(RECORD_KEY_LENGTH, "0");
}

/** The Docket record id behind a key; null for a key Docket did not write (another form). */
export function recordIdOfBedrockKey(key: string): number | null {
  if (!KEY.test(key)) return null;
  const id = Number.parseInt(key, 36);
  // Only the canonical spelling maps back, so two keys never name one record.
  return Number.isSafeInteger(id) && bedrockRecordKey(id) === key ? id : null;
}
