import { describe, expect, it } from "vitest";
import {
  type BatchBackendConfig,
  batchQuotas,
  checkAutoRoutes,
  checkBatchBackend,
  isOnDemandRoute,
} from "./batch-backend-config.js";
import type { RouteConfig } from "./config.js";

const route = (name: string, backend: RouteConfig["backend"]): RouteConfig => ({
  name,
  models: [name],
  backend,
  concurrency: 1,
  timeoutMs: 1000,
  maxAttempts: 3,
});
const bedrock: BatchBackendConfig = {
  type: "bedrock-batch",
  s3: { bucket: "b" },
  roleArn: "arn:aws:iam::1:role/r",
};

describe("provider batch backends in the config", () => {
  it("fills each quota from the provider's defaults, configured values first", () => {
    expect(batchQuotas(bedrock)).toMatchObject({
      minRecordsPerJob: 100,
      maxRecordsPerJob: 50_000,
      pollMs: 60_000,
    });
    expect(batchQuotas({ ...bedrock, maxJobsInFlight: 2, pollMs: 50 })).toMatchObject({
      maxJobsInFlight: 2,
      pollMs: 50,
    });
  });

  it("names the field at fault", () => {
    expect(() => checkBatchBackend({ ...bedrock, maxJobsInFlight: 0 }, "routes[1].backend")).toThrow(
      "routes[1].backend.maxJobsInFlight must be a positive integer.",
    );
    expect(() => checkBatchBackend({ ...bedrock, roleArn: "role" }, "routes[1].backend")).toThrow(
      "routes[1].backend.roleArn",
    );
    expect(() => checkBatchBackend({ ...bedrock, minRecordsPerJob: 10, maxRecordsPerJob: 5 }, "r")).toThrow(
      "r.minRecordsPerJob must not exceed maxRecordsPerJob.",
    );
    expect(() => checkBatchBackend({ type: "openai-batch", baseUrl: "api.openai.com" }, "r")).toThrow(
      "r.baseUrl",
    );
  });

  it("pairs an auto route with an existing batch route and an on-demand route", () => {
    const online = route("online", { type: "openai", baseUrl: "http://x/v1" });
    const batch = route("batch", bedrock);
    const auto = (b: string, o: string) => route("auto", { type: "auto", batchRoute: b, onlineRoute: o });
    expect(() => checkAutoRoutes([auto("batch", "online"), online, batch])).not.toThrow();
    expect(() => checkAutoRoutes([auto("online", "online"), online, batch])).toThrow("batchRoute 'online'");
    expect(() => checkAutoRoutes([auto("batch", "batch"), online, batch])).toThrow("onlineRoute 'batch'");
    expect(() => checkAutoRoutes([auto("batch", "nowhere"), online, batch])).toThrow("onlineRoute 'nowhere'");
    expect([online, batch, auto("batch", "online")].map(isOnDemandRoute)).toEqual([true, false, false]);
  });
});
