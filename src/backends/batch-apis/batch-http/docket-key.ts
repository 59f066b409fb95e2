import { decimalIdAt } from "./decimal-id.js";

/** The per-record key (custom_id) Docket gives a record in OpenAI and Anthropic batch inputs. */
const KEY_PREFIX = "docket-";

export function docketRecordKey(recordId: number): string {
  return `${KEY_PREFIX}${recordId}`;
}

/** The Docket record id behind a key, or null for a key Docket did not make. */
export function recordIdOfDocketKey(key: string): number | null {
  return key.startsWith(KEY_PREFIX) ? decimalIdAt(key, KEY_PREFIX.length) : null;
}
