import { describe, expect, it } from "vitest";
import type { Backend, BackendResult } from "./backend.js";
import { LazyBackend } from "./lazy-backend.js";

/** A model provider's stand-in: answers with the body it got, counts closes. */
function echo(): Backend & { closed: number } {
  return {
    closed: 0,
    async send(r): Promise<BackendResult> {
      return { ok: true, statusCode: 200, requestId: null, body: r.body, usage: null };
    },
    async close() {
      this.closed++;
    },
  };
}

describe("LazyBackend", () => {
  it("loads its backend once, on the first request, however many arrive together", async () => {
    let loads = 0;
    const inner = echo();
    const lazy = new LazyBackend(async () => {
      loads++;
      return inner;
    });
    expect(loads).toBe(0);
    const results = await Promise.all(["a", "b", "c"].map((body) => lazy.send({ endpoint: "/v1/x", body })));
    expect(results.map((r) => (r.ok ? r.body : null))).toEqual(["a", "b", "c"]);
    expect(loads).toBe(1);
    await lazy.close();
    expect(inner.closed).toBe(1);
  });

  it("answers a failed load with a retryable failure and loads again on the next request", async () => {
    let loads = 0;
    const lazy = new LazyBackend(async () => {
      if (++loads === 1) throw new Error("Cannot find package '@aws-sdk/x'");
      return echo();
    });
    const first = await lazy.send({ endpoint: "/v1/x", body: "a" });
    expect(first).toMatchObject({ ok: false, retryable: true, code: "backend_unavailable" });
    expect(first.ok ? "" : first.message).toContain("@aws-sdk/x");
    expect(await lazy.send({ endpoint: "/v1/x", body: "b" })).toMatchObject({ ok: true, body: "b" });
    expect(loads).toBe(2);
  });

  it("closes without loading anything when it never sent", async () => {
    let loads = 0;
    const lazy = new LazyBackend(async () => {
      loads++;
      return echo();
    });
    await lazy.close();
    expect(loads).toBe(0);
  });
});
