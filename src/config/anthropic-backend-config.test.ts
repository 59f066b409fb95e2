import { afterEach, describe, expect, it } from "vitest";
import { checkAnthropicBackend } from "./anthropic-backend-config.js";

const where = "routes[0].backend";
afterEach(() => {
  delete process.env.DOCKET_TEST_ANTHROPIC_KEY;
});

describe("checkAnthropicBackend", () => {
  it("accepts the defaults and resolves an env: key", () => {
    expect(checkAnthropicBackend({ type: "anthropic" }, where)).toEqual({ type: "anthropic" });
    process.env.DOCKET_TEST_ANTHROPIC_KEY = "sk-ant-1";
    expect(
      checkAnthropicBackend(
        {
          type: "anthropic",
          apiKey: "env:DOCKET_TEST_ANTHROPIC_KEY",
          version: "2023-06-01",
          headers: { "anthropic-beta": "x" },
        },
        where,
      ),
    ).toEqual({
      type: "anthropic",
      apiKey: "sk-ant-1",
      version: "2023-06-01",
      headers: { "anthropic-beta": "x" },
    });
    expect(checkAnthropicBackend({ type: "anthropic", apiKey: "literal" }, where).apiKey).toBe("literal");
  });

  it("names the field at fault", () => {
    expect(() => checkAnthropicBackend({ type: "anthropic", baseUrl: "api.anthropic.com" }, where)).toThrow(
      /routes\[0\]\.backend\.baseUrl must be an http\(s\) URL/,
    );
    expect(() => checkAnthropicBackend({ type: "anthropic", version: "" }, where)).toThrow(
      /\.version must be/,
    );
    expect(() => checkAnthropicBackend({ type: "anthropic", apiKey: 5 as unknown as string }, where)).toThrow(
      /\.apiKey must be a string/,
    );
    expect(() =>
      checkAnthropicBackend(
        { type: "anthropic", headers: { n: 1 } as unknown as Record<string, string> },
        where,
      ),
    ).toThrow(/\.headers must map/);
    expect(() =>
      checkAnthropicBackend({ type: "anthropic", apiKey: "env:DOCKET_TEST_ANTHROPIC_KEY" }, where),
    ).toThrow(
      /routes\[0\]\.backend\.apiKey names the environment variable DOCKET_TEST_ANTHROPIC_KEY, which is not set/,
    );
  });
});
