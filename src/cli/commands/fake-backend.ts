import { type Command, InvalidArgumentError } from "commander";
import { type FakeBackend, startFakeBackend } from "../../backends/fake/fake-backend-server.js";
import type { FakeBackendOptions } from "../../backends/fake/fake-options.js";

/**
 * `docket fake-backend`: an OpenAI-compatible server that answers instantly or slowly, fails on
 * demand and enforces limits, for trying Docket and benchmarking it without a model.
 */
export function registerFakeBackendCommand(program: Command): void {
  program
    .command("fake-backend")
    .description("Run a fake OpenAI-compatible model server (for tests, demos and benchmarks)")
    .option("--port <n>", "port to listen on (0 picks a free one)", integer, 8000)
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--latency-ms <n>", "service time per request, ms", number)
    .option("--latency-per-token-ms <n>", "extra service time per generated token, ms", number)
    .option("--capacity <n>", "requests served at once; the rest queue (0 = unlimited)", integer)
    .option("--rate-429 <fraction>", "fraction of requests answered 429", fraction)
    .option("--retry-after-seconds <n>", "Retry-After sent with simulated 429s", number)
    .option("--rate-500 <fraction>", "fraction of requests answered 500", fraction)
    .option("--rate-hang <fraction>", "fraction of requests never answered", fraction)
    .option("--fail-400-marker <text>", "answer 400 to any request whose body contains this text")
    .option("--marker-pattern <regexp>", "count matches of this pattern in request bodies (see GET /stats)")
    .option("--rpm <n>", "requests per minute (sliding window, 0 = unlimited)", integer)
    .option("--tpm <n>", "tokens per minute (sliding window, 0 = unlimited)", integer)
    .option("--output-tokens <n>", "tokens generated per completion unless max_tokens is lower", integer)
    .option("--embedding-dim <n>", "embedding vector length", integer)
    .option("--seed <n>", "seed for the simulated failure fractions", integer)
    .action(async (flags: FakeBackendFlags) => {
      const fake = await startFakeBackend(fakeBackendOptionsFromFlags(flags));
      process.stdout.write(`fake backend listening on ${fake.url}\n`);
      await untilSignal(fake);
    });
}

export interface FakeBackendFlags {
  port: number;
  host: string;
  latencyMs?: number;
  latencyPerTokenMs?: number;
  capacity?: number;
  rate429?: number;
  retryAfterSeconds?: number;
  rate500?: number;
  rateHang?: number;
  fail400Marker?: string;
  markerPattern?: string;
  rpm?: number;
  tpm?: number;
  outputTokens?: number;
  embeddingDim?: number;
  seed?: number;
}

export function fakeBackendOptionsFromFlags(
  flags: FakeBackendFlags,
): FakeBackendOptions & { host: string; port: number } {
  const { latencyPerTokenMs, ...rest } = flags;
  return { ...rest, latencyPerOutputTokenMs: latencyPerTokenMs };
}

function untilSignal(fake: FakeBackend): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      void fake.close().then(resolve);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

function number(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0) {
    throw new InvalidArgumentError("Expected a number ≥ 0.");
  }
  return n;
}

function integer(value: string): number {
  const n = number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError("Expected a whole number.");
  return n;
}

function fraction(value: string): number {
  const n = number(value);
  if (n > 1) throw new InvalidArgumentError("Expected a fraction between 0 and 1, e.g. 0.05.");
  return n;
}
