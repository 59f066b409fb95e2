import { type Command, InvalidArgumentError } from "commander";
import { type FakeBackend, startFakeBackend } from "../../backends/fake/fake-backend-server.js";
import type { FakeBackendOptions } from "../../backends/fake/fake-options.js";
import { startFakeAnthropic } from "../../backends/fake-anthropic/fake-anthropic-server.js";
import { startFakeBedrock } from "../../backends/fake-bedrock/fake-bedrock-server.js";

/**
 * `docket fake-backend`: an OpenAI-compatible server that answers instantly or slowly, fails on
 * demand and enforces limits, for trying Docket and benchmarking it without a model.
 */
export function registerFakeBackendCommand(program: Command): void {
  program
    .command("fake-backend")
    .description("Run a fake OpenAI-compatible model server (for tests, demos and benchmarks)")
    .option("--api <name>", "wire format to speak: openai, anthropic, bedrock", apiName, "openai")
    .option("--port <n>", "port to listen on (0 picks a free one)", integer, 8000)
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--latency-ms <n>", "service time per request, ms", number)
    .option("--latency-per-token-ms <n>", "extra service time per generated token, ms", number)
    .option("--capacity <n>", "requests served at once; the rest queue (0 = unlimited)", integer)
    .option("--rate-429 <fraction>", "fraction of requests answered 429", fraction)
    .option("--retry-after-seconds <n>", "Retry-After sent with simulated 429s", number)
    .option("--rate-500 <fraction>", "fraction of requests answered 500", fraction)
    .option("--rate-529 <fraction>", "fraction answered 529 overloaded_error (--api anthropic)", fraction)
    .option(
      "--rate-503 <fraction>",
      "fraction answered 503 ServiceUnavailableException (--api bedrock)",
      fraction,
    )
    .option(
      "--rate-model-not-ready <fraction>",
      "fraction answered 429 ModelNotReadyException (--api bedrock)",
      fraction,
    )
    .option("--rate-hang <fraction>", "fraction of requests never answered", fraction)
    .option("--fail-400-marker <text>", "answer 400 to any request whose body contains this text")
    .option("--marker-pattern <regexp>", "count matches of this pattern in request bodies (see GET /stats)")
    .option("--rpm <n>", "requests per minute (sliding window, 0 = unlimited)", integer)
    .option("--tpm <n>", "tokens per minute (sliding window, 0 = unlimited)", integer)
    .option("--output-tokens <n>", "tokens generated per completion unless max_tokens is lower", integer)
    .option("--embedding-dim <n>", "embedding vector length", integer)
    .option("--seed <n>", "seed for the simulated failure fractions", integer)
    .action(async (flags: FakeBackendFlags) => {
      const fake = await startFake(flags);
      process.stdout.write(`fake backend listening on ${fake.url}\n`);
      await untilSignal(fake);
    });
}

/** The wire formats a fake model server can speak. */
export type FakeApi = "openai" | "anthropic" | "bedrock";
const FAKE_APIS: readonly FakeApi[] = ["openai", "anthropic", "bedrock"];

/** Starts the fake for `--api`: every fake has the same handle (`url`, `stats`, `close`). */
function startFake(flags: FakeBackendFlags): Promise<Pick<FakeBackend, "url" | "close">> {
  const { api, rate529, rate503, rateModelNotReady, ...common } = flags;
  const options = fakeBackendOptionsFromFlags(common);
  if ((rate503 !== undefined || rateModelNotReady !== undefined) && api !== "bedrock") {
    throw new InvalidArgumentError("--rate-503 and --rate-model-not-ready need --api bedrock.");
  }
  switch (api) {
    case "openai":
      if (rate529 !== undefined) throw new InvalidArgumentError("--rate-529 needs --api anthropic.");
      return startFakeBackend(options);
    case "anthropic":
      return startFakeAnthropic({ ...options, rate529 });
    case "bedrock":
      if (rate529 !== undefined) throw new InvalidArgumentError("--rate-529 needs --api anthropic.");
      // 429 is ThrottlingException, 500 InternalServerException, the 400 marker ValidationException.
      return startFakeBedrock({ ...options, rate503, rateModelNotReady });
  }
}

export interface FakeBackendFlags {
  api: FakeApi;
  rate529?: number;
  rate503?: number;
  rateModelNotReady?: number;
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
  flags: Omit<FakeBackendFlags, "api" | "rate529" | "rate503" | "rateModelNotReady">,
): FakeBackendOptions & { host: string; port: number } {
  const { latencyPerTokenMs, ...rest } = flags;
  return { ...rest, latencyPerOutputTokenMs: latencyPerTokenMs };
}

function untilSignal(fake: Pick<FakeBackend, "close">): Promise<void> {
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

function apiName(value: string): FakeApi {
  if (!(FAKE_APIS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`Expected one of: ${FAKE_APIS.join(", ")}.`);
  }
  return value as FakeApi;
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
