/**
 * A Docket process that only runs the provider batch duty on one Bedrock batch route until a
 * job's records have all ended (test/offload/crash-safety-*.test.ts). With DIE_AT it SIGKILLs
 * itself at that point, the way a crash would: `upload` part-way through the input upload,
 * `created` after the provider made the job but before its id is recorded, `ingest` part-way
 * through writing results, `ingest-threaded` the same with the results read on a results thread
 * (the client made from the route's config, as `serve` makes it; the kill comes after the first
 * batch of results was written). The provider and the client are real: the fake Bedrock with the
 * official SDK, a second Docket's OpenAI Batch API (OPENAI_BATCH_URL), or the fake Anthropic
 * Message Batches API (ANTHROPIC_BATCH_URL).
 */
import type { BatchApiClient } from "../../src/backends/batch-apis/batch-api-client.js";
import type { BatchBackendConfig } from "../../src/config/batch-backend-config.js";
import type { RouteConfig } from "../../src/config/config.js";
import { providerBatchDuty } from "../../src/duties/provider-batch.js";
import { createBatchApiClient } from "../../src/offload/create-batch-client.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { bedrockBatchRoute } from "./offload-harness.js";

const env = (k: string) => {
  const v = process.env[k];
  if (v === undefined) throw new Error(`${k} is required`);
  return v;
};
const dieAt = process.env.DIE_AT ?? "";
/**
 * Ingest writes results 5,000 to a transaction (src/offload/ingest-results.ts): to die after
 * some were written, the provider job must hold more, and the crash come after the first 5,000.
 */
const INGEST_DIES_AFTER = 5_500;
const perJob = dieAt.startsWith("ingest") ? 6_000 : 3_000;
const die = (): never => {
  process.kill(process.pid, "SIGKILL");
  throw new Error("unreachable");
};

function crashing(client: BatchApiClient): BatchApiClient {
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === "submit") {
        return async (token: string, input: Parameters<BatchApiClient["submit"]>[1]) => {
          const lines =
            dieAt === "upload"
              ? async function* () {
                  let n = 0;
                  for await (const line of input.lines()) {
                    if (++n === 2_500) die();
                    yield line;
                  }
                }
              : input.lines;
          const made = await target.submit(token, { ...input, lines });
          if (dieAt === "created") die();
          return made;
        };
      }
      if (prop === "results" && dieAt === "ingest") {
        return async function* (id: string) {
          let n = 0;
          for await (const r of target.results(id)) {
            if (++n === INGEST_DIES_AFTER) die();
            yield r;
          }
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

const opened = openSqliteStore({ path: env("DB_PATH") });
const store =
  dieAt === "ingest-threaded"
    ? new Proxy(opened, {
        get(target, prop, receiver) {
          const v = Reflect.get(target, prop, receiver);
          if (prop !== "writeProviderResults") return typeof v === "function" ? v.bind(target) : v;
          return async (...args: Parameters<typeof target.writeProviderResults>) => {
            const written = await target.writeProviderResults(...args);
            if (written.written > 0) die();
            return written;
          };
        },
      })
    : opened;
// Alone on the database: leases of the process that died are taken over at once (as `serve` does).
await store.expireAllLeases(Date.now());
const route: RouteConfig =
  process.env.ANTHROPIC_BATCH_URL !== undefined
    ? {
        name: "crash",
        models: ["claude-3-5-haiku-latest"],
        backend: {
          type: "anthropic-batch",
          baseUrl: process.env.ANTHROPIC_BATCH_URL,
          apiKey: "k",
          minRecordsPerJob: 1,
          maxRecordsPerJob: perJob,
          pollMs: 20,
        },
        concurrency: 1,
        timeoutMs: 60_000,
        maxAttempts: 12,
      }
    : process.env.OPENAI_BATCH_URL !== undefined
      ? {
          name: "crash",
          models: ["fake-model"],
          backend: {
            type: "openai-batch",
            baseUrl: process.env.OPENAI_BATCH_URL,
            apiKey: "test",
            minRecordsPerJob: 1,
            maxRecordsPerJob: perJob,
            pollMs: 20,
          },
          concurrency: 1,
          timeoutMs: 60_000,
          maxAttempts: 12,
        }
      : bedrockBatchRoute(
          "crash",
          {
            fakeUrl: env("FAKE_URL"),
            s3Endpoint: env("S3_ENDPOINT"),
            credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
          },
          { maxRecordsPerJob: perJob, minRecordsPerJob: 1 },
        );
const duty = providerBatchDuty({
  store,
  routes: [route],
  // The route's own client (no wrapper) is what lets large provider jobs be read on a thread.
  ...(dieAt === "ingest-threaded"
    ? {}
    : { createClient: (b: BatchBackendConfig) => crashing(createBatchApiClient(b)) }),
})!;
const jobId = env("JOB_ID");
const total = Number(env("TOTAL"));
const stop = new AbortController();
const deadline = Date.now() + 60_000;
for (;;) {
  const t = (await store.getJob(jobId))!.tally;
  if (t.succeeded + t.failed + t.cancelled + t.expired >= total) break;
  if (Date.now() > deadline) {
    console.error("timed out");
    process.exit(2);
  }
  await duty.pass(stop.signal);
  await new Promise((r) => setTimeout(r, 10));
}
await duty.close?.();
await store.close();
process.exit(0);
