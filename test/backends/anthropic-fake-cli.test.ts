import Anthropic from "@anthropic-ai/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { killFakeClis, runFakeCli } from "../support/fake-cli.js";

afterEach(killFakeClis);

describe("docket fake-backend --api anthropic", () => {
  it("serves Anthropic's Messages API with its knobs, and stops on a signal", async () => {
    const cli = runFakeCli(["--api", "anthropic", "--port", "0", "--output-tokens", "4", "--rate-529", "1"]);
    const url = await cli.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const client = new Anthropic({ baseURL: url, apiKey: "any", maxRetries: 0 });
    const params = { model: "m", max_tokens: 10, messages: [{ role: "user" as const, content: "hi" }] };
    await expect(client.messages.create(params)).rejects.toBeInstanceOf(Anthropic.InternalServerError);
    const counted = await client.messages.countTokens(params);
    expect(counted.input_tokens).toBe(1);

    const exited = new Promise<number | null>((resolve) => cli.proc.once("exit", (code) => resolve(code)));
    cli.proc.kill("SIGINT");
    expect(await exited).toBe(0);
  });

  it("refuses an unknown API and Anthropic-only knobs on the OpenAI fake", async () => {
    const unknown = runFakeCli(["--api", "gemini"]);
    await expect(unknown.url).rejects.toThrow(/Expected one of: openai, anthropic/);
    const misplaced = runFakeCli(["--port", "0", "--rate-529", "0.5"]);
    await expect(misplaced.url).rejects.toThrow(/--rate-529 needs --api anthropic/);
  });
});
