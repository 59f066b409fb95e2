import { BridgeError } from "./bridge-error.js";

/** A JSON object whose members are yet to be checked. */
export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The body text as an object, or a BridgeError naming the body. */
export function parseBody(text: string, what = "the body"): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BridgeError("", `${what} is not valid JSON.`);
  }
  if (!isJsonObject(parsed)) throw new BridgeError("", `${what} must be a JSON object.`);
  return parsed;
}

/** `a.b`, `a[2]`: the path of a member below `base`. */
export function pathOf(base: string, key: string | number): string {
  if (typeof key === "number") return `${base}[${key}]`;
  return base ? `${base}.${key}` : key;
}

/**
 * Reads members of one object with their paths, so every refusal names the exact field. A
 * member that is absent or null reads as undefined (both mean "not set" in every dialect here).
 */
export class Fields {
  constructor(
    readonly object: JsonObject,
    readonly path: string,
  ) {}

  static of(value: unknown, path: string, what = "an object"): Fields {
    if (!isJsonObject(value)) throw new BridgeError(path, `must be ${what}.`);
    return new Fields(value, path);
  }

  at(key: string): string {
    return pathOf(this.path, key);
  }

  has(key: string): boolean {
    return this.object[key] !== undefined && this.object[key] !== null;
  }

  raw(key: string): unknown {
    const v = this.object[key];
    return v === null ? undefined : v;
  }

  string(key: string): string | undefined {
    const v = this.raw(key);
    if (v !== undefined && typeof v !== "string") this.wrongType(key, "a string");
    return v as string | undefined;
  }

  requiredString(key: string): string {
    const v = this.string(key);
    if (v === undefined) throw new BridgeError(this.at(key), `is required.`);
    return v;
  }

  number(key: string): number | undefined {
    const v = this.raw(key);
    if (v !== undefined && typeof v !== "number") this.wrongType(key, "a number");
    return v as number | undefined;
  }

  boolean(key: string): boolean | undefined {
    const v = this.raw(key);
    if (v !== undefined && typeof v !== "boolean") this.wrongType(key, "true or false");
    return v as boolean | undefined;
  }

  array(key: string): unknown[] | undefined {
    const v = this.raw(key);
    if (v !== undefined && !Array.isArray(v)) this.wrongType(key, "an array");
    return v as unknown[] | undefined;
  }

  child(key: string): Fields | undefined {
    const v = this.raw(key);
    return v === undefined ? undefined : Fields.of(v, this.at(key));
  }

  /** Refuses every member not in `known`: what the bridge does not understand, it does not drop. */
  onlyKnown(known: ReadonlySet<string>, target: string): void {
    for (const key of Object.keys(this.object)) {
      if (!known.has(key) && this.object[key] !== null) {
        throw new BridgeError(this.at(key), `cannot be expressed ${target}.`);
      }
    }
  }

  refuse(key: string, why: string): never {
    throw new BridgeError(this.at(key), `${why}`);
  }

  private wrongType(key: string, what: string): never {
    throw new BridgeError(this.at(key), `must be ${what}.`);
  }
}
