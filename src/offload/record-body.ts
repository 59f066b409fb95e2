import type { LargeBodies } from "../store/capabilities.js";

/**
 * A record's body text for a provider job's input line. A body stored in parts (large bodies on
 * SQLite) is joined here: a provider's input line holds the whole request, so it is whole in
 * memory for the time it takes to encode that one line.
 */
export async function recordBodyText(
  record: { id: number; body: string },
  largeBodies: LargeBodies | null,
): Promise<string> {
  if (record.body !== "" || largeBodies === null) return record.body;
  const parts: Buffer[] = [];
  for (let i = 0; ; i++) {
    const part = await largeBodies.readBodyPart(record.id, i);
    if (part === null) break;
    parts.push(part);
  }
  return Buffer.concat(parts).toString("utf8");
}
