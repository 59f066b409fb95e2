import { describe, expect, it } from "vitest";
import {
  apiKeyIdOf,
  apiKeyMatches,
  checkProjectId,
  generateApiKey,
  hashApiKey,
  parseApiKeyRole,
} from "./api-key.js";

describe("API keys", () => {
  it("are random, carry their public id, and are kept only as a SHA-256", () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.key).not.toBe(b.key);
    expect(a.key).toMatch(/^dk_[0-9A-Za-z]{16}\.[0-9A-Za-z]{32}$/);
    expect(apiKeyIdOf(a.key)).toBe(a.id);
    expect(a.hash).toBe(hashApiKey(a.key));
    expect(a.hash).not.toContain(a.key.split(".")[1]);
    expect(apiKeyMatches(a.key, a)).toBe(true);
    expect(apiKeyMatches(b.key, a)).toBe(false);
    expect(apiKeyMatches(`${a.key}x`, a)).toBe(false);
  });

  it("tells a Docket key from anything else", () => {
    expect(apiKeyIdOf("sk-abc")).toBeNull();
    expect(apiKeyIdOf("dk_abc")).toBeNull();
    expect(apiKeyIdOf("dk_.x")).toBeNull();
    expect(apiKeyIdOf("dk_abc.d.e")).toBeNull();
    expect(apiKeyIdOf("dk_abcd.secret")).toBe("dk_abcd");
  });

  it("checks project ids and roles with messages that say what is allowed", () => {
    expect(checkProjectId("team-a.prod_1")).toBe("team-a.prod_1");
    expect(() => checkProjectId("")).toThrow(/1-64 letters/);
    expect(() => checkProjectId("-a")).toThrow(/starting with a letter/);
    expect(() => checkProjectId("a/b")).toThrow(/"a\/b"/);
    expect(() => checkProjectId("x".repeat(65))).toThrow();
    expect(parseApiKeyRole("reader")).toBe("reader");
    expect(() => parseApiKeyRole("root")).toThrow(/admin, member, reader/);
  });
});
