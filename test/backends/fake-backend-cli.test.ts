import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import type { FakeStats } from "../../src/backends/fake/fake-stats.js";
import { tsChildArgs } from "../support/ts-child/ts-child.js";

const script = fileURLToPath(new URL("./fixtures/fake-backend-cli.ts", import.meta.url));
let child: ChildProcess | null = null;

afterEach(() => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  child = null;
});

function runCli(args: string[]): { proc: ChildProcess; url: Promise<string>; output: () => string } {
  const proc = spawn(process.execPath, tsChildArgs(script, ["fake-backend", ...args]), {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const url = new Promise<string>((resolve, reject) => {
    proc.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /fake backend listening on (\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    proc.stderr!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    proc.once("exit", (code) => reject(new Error(`exited ${code}: ${output}`)));
  });
  return { proc, url, output: () => output };
}

describe("docket fake-backend", () => {
  it("serves, takes control changes from another process and stops on a signal", async () => {
    const cli = runCli([
      "--port",
      "0",
      "--capacity",
      "2",
      "--output-tokens",
      "3",
      "--fail-400-marker",
      "BAD",
    ]);
    child = cli.proc;
    const url = await cli.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const origin = new URL(url).origin;

    const send = async (content: string) => {
      const res = await request(`${url}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "m", messages: [{ role: "user", content }] }),
      });
      return {
        status: res.statusCode,
        body: (await res.body.json()) as { usage?: { completion_tokens: number } },
      };
    };
    const ok = await send("hello");
    expect(ok.status).toBe(200);
    expect(ok.body.usage!.completion_tokens).toBe(3);
    expect((await send("BAD one")).status).toBe(400);

    await request(`${origin}/control`, { method: "POST", body: JSON.stringify({ rate500: 1 }) }).then((r) =>
      r.body.dump(),
    );
    expect((await send("now failing")).status).toBe(500);
    const stats = (await (await request(`${origin}/stats`)).body.json()) as FakeStats;
    expect(stats.byStatus).toEqual({ 200: 1, 400: 1, 500: 1 });

    const exited = new Promise<number | null>((resolve) => cli.proc.once("exit", (code) => resolve(code)));
    cli.proc.kill("SIGINT");
    expect(await exited).toBe(0);
  });

  it("rejects a bad flag with a message", async () => {
    const cli = runCli(["--rate-429", "5"]);
    child = cli.proc;
    await expect(cli.url).rejects.toThrow(/fraction between 0 and 1/);
  });
});
