import { readFile } from "node:fs/promises";
import { DocketError } from "../domain/errors.js";

/** Explicit ids one retry may name (the server's limit too). */
const MAX_IDS = 100_000;

/**
 * `--set name=value` pairs as body overrides. A value that reads as JSON is taken as JSON
 * (`max_tokens=2048` a number, `stop=["\n"]` a list, `seed=null` null); anything else is a
 * string (`model=gpt-4o-mini`), so the usual case needs no quotes.
 */
export function parseSetPairs(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq < 1) throw new DocketError("invalid_option", `--set expects name=value, got '${pair}'.`);
    const name = pair.slice(0, eq);
    const text = pair.slice(eq + 1);
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      // not JSON: the text itself
    }
    // defineProperty: a `__proto__` field stays a field of the body.
    Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** A comma-separated option as a list (`failed,expired`); empty entries dropped. */
export function commaList(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** Custom ids from a file, one per line (blank lines skipped, surrounding spaces kept out). */
export async function readIdsFile(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new DocketError("file_not_found", `Cannot read --ids-file ${path}: ${(err as Error).message}`);
  }
  const ids = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
  if (ids.length === 0) throw new DocketError("invalid_option", `--ids-file ${path} holds no ids.`);
  if (ids.length > MAX_IDS) {
    throw new DocketError(
      "invalid_option",
      `--ids-file ${path} holds ${ids.length} ids; one retry takes at most ${MAX_IDS}.`,
    );
  }
  return ids;
}
