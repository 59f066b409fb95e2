/** The per-record key (custom_id) Docket gives a record in OpenAI and Anthropic batch inputs. */
const KEY_PREFIX = "docket-";

export function docketRecordKey(recordId: number): string {
  return `${KEY_PREFIX}${recordId}`;
}

/** The Docket record id behind a key, or null for a key Docket did not make. */
export function recordIdOfDocketKey(key: string): number | null {
  if (!key.startsWith(KEY_PREFIX)) return null;
  const digits = key.slice(KEY_PREFIX.length);
  return /^[0-9]{1,15}$/.test(digits) ? Number(digits) : null;
}
