import { createReadStream } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenAIBatchBackendConfig } from "../../src/config/batch-backend-config.js";
import { chatBatchLines, writeLines } from "../support/batch-files.js";
import {
  chromiumAvailable,
  launchChromium,
  requireBuiltDashboard,
  screenshot,
  seriousAxeViolations,
} from "../support/browser.js";
import { pollBatch, startTestDocket, type TestDocket } from "../support/test-docket.js";

/**
 * The job page's "Provider jobs" section (issue 13 offload shown on the dashboard, issue 16): a
 * Docket whose only route is an openai-batch route, with a second Docket (real Files + Batches
 * API over the fake backend) as the provider.
 */
describe.skipIf(!chromiumAvailable())("the dashboard's provider jobs in a real browser", () => {
  let provider: TestDocket;
  let t: TestDocket;
  let browser: Browser;

  beforeAll(async () => {
    requireBuiltDashboard();
    provider = await startTestDocket();
    t = await startTestDocket({
      tune: (c) => {
        const backend: OpenAIBatchBackendConfig = {
          type: "openai-batch",
          baseUrl: `${provider.docket.url}/v1`,
          apiKey: "test",
          pollMs: 50,
          maxJobsInFlight: 2,
        };
        c.routes = [
          {
            name: "offload",
            models: ["fake-*"],
            backend,
            concurrency: 1,
            timeoutMs: 10_000,
            maxAttempts: 3,
            price: { inputPerMTok: 1, outputPerMTok: 2, batchDiscount: 0.5 },
          },
        ];
      },
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await provider?.close();
  });

  it("lists the batch's provider job with the provider's id and the batch savings, with no serious axe violations", async () => {
    const path = writeLines(join(t.dataDir, "offload.jsonl"), chatBatchLines(12));
    const file = await t.openai.files.create({ file: createReadStream(path), purpose: "batch" });
    const created = await t.openai.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
    });
    const done = await pollBatch(t.openai, created.id, ["completed", "failed"], 60_000);
    expect(done.request_counts).toEqual({ total: 12, completed: 12, failed: 0 });
    const api = (await (await fetch(`${t.docket.url}/v1/batches/${created.id}/provider_jobs`)).json()) as {
      data: Array<{ id: string; provider_job_id: string }>;
      cost: { saved_usd: number };
    };
    expect(api.data).toHaveLength(1);
    const [pj] = api.data;

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("pageerror", (e) => console.error(`page error: ${e.message}`));
    await page.goto(`${t.docket.url}/#/jobs/${created.id}`);
    const section = page.getByRole("region", { name: "Provider jobs" });
    await section.waitFor({ timeout: 10_000 });
    const row = section.locator(`tr[data-provider-job-id="${pj!.id}"]`);
    await expect(row.getByRole("cell").nth(1).textContent()).resolves.toBe(pj!.provider_job_id);
    await expect(row.getByRole("cell").nth(2).textContent()).resolves.toBe("done");
    expect(await row.getByRole("cell").nth(3).textContent()).toContain("12 / 12");
    expect(api.cost.saved_usd).toBeGreaterThan(0);
    const saved = section.locator("dt", { hasText: "Saved by batch" }).locator("xpath=following-sibling::dd");
    expect(await saved.textContent()).toMatch(/^\$0\.\d+/);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, "job-provider-jobs");

    // The routes page shows the batch route's slots (all free again once the job is done).
    await page.goto(`${t.docket.url}/#/routes`);
    const slots = page
      .locator("dt", { hasText: "Batch slots in use" })
      .locator("xpath=following-sibling::dd");
    await slots.waitFor({ timeout: 10_000 });
    expect(await slots.textContent()).toBe("0 of 2");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.close();
  }, 90_000);
});
