import { createReadStream } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chatBatchLines, writeLines } from "../support/batch-files.js";
import {
  chromiumAvailable,
  launchChromium,
  requireBuiltDashboard,
  screenshot,
  seriousAxeViolations,
  useTheme,
} from "../support/browser.js";
import { pollBatch, startTestDocket, type TestDocket } from "../support/test-docket.js";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver.js";

const MARKER = "BREAK-ME";

describe.skipIf(!chromiumAvailable())("the dashboard in a real browser", () => {
  let t: TestDocket;
  let browser: Browser;
  let receiver: WebhookReceiver;
  let fileCount = 0;
  /** A job with failed records, for the error and accessibility tests. */
  let failedJobId = "";

  beforeAll(async () => {
    requireBuiltDashboard();
    receiver = await startWebhookReceiver();
    // Slow enough to watch: 2 at a time, 50 ms each.
    t = await startTestDocket({
      fake: { latencyMs: 50, fail400Marker: MARKER },
      route: { concurrency: 2 },
      tune: (c) => {
        c.webhooks = { ...c.webhooks!, allowPrivateTargets: ["127.0.0.1"], pollMs: 50 };
      },
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await receiver?.close();
  });

  async function submit(n: number, o: { failEvery?: number; webhook?: boolean } = {}): Promise<string> {
    const path = writeLines(
      join(t.dataDir, `input-${++fileCount}.jsonl`),
      chatBatchLines(n, { mark: (i) => (o.failEvery && i % o.failEvery === 0 ? `${MARKER} ` : null) }),
    );
    const file = await t.openai.files.create({ file: createReadStream(path), purpose: "batch" });
    const batch = await t.openai.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
      ...(o.webhook ? { webhook_url: receiver.url } : {}),
    } as Parameters<typeof t.openai.batches.create>[0]);
    return batch.id;
  }

  async function openPage(hash: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on("pageerror", (e) => console.error(`page error: ${e.message}`));
    await page.goto(`${t.docket.url}/${hash}`);
    return page;
  }

  /** Reads a progress bar's value every 25 ms until it reads 100; returns every value seen. */
  async function watchProgress(page: Page, selector: string, timeoutMs = 20_000): Promise<number[]> {
    const seen: number[] = [];
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const raw = await page.locator(selector).first().getAttribute("aria-valuenow", { timeout: timeoutMs });
      const v = Number(raw);
      if (seen[seen.length - 1] !== v) seen.push(v);
      if (v === 100) return seen;
      await page.waitForTimeout(25);
    }
    throw new Error(`progress never reached 100 %; saw ${seen.join(", ")}`);
  }

  it("shows a batch submitted through the API appear and reach 100 % live on the jobs page", async () => {
    const page = await openPage("#/jobs");
    let loads = 0;
    page.on("load", () => loads++);
    await page.getByRole("heading", { name: "Jobs" }).waitFor();
    // Submitted after the page opened: it must arrive through the event stream, not a reload.
    const id = await submit(100);
    const seen = await watchProgress(page, `tr[data-job-id="${id}"] [role=progressbar]`);
    expect(
      seen.some((v) => v > 0 && v < 100),
      `values seen: ${seen.join(", ")}`,
    ).toBe(true);
    expect(seen[seen.length - 1]).toBe(100);
    expect(loads).toBe(0);
    await page.locator(`tr[data-job-id="${id}"] .badge`, { hasText: "completed" }).waitFor();
    await screenshot(page, "jobs");

    await page.getByRole("link", { name: id }).click();
    await page.getByRole("heading", { name: id }).waitFor();
    expect(await page.getByRole("progressbar").getAttribute("aria-valuenow")).toBe("100");
    await page.close();
  });

  it("follows one job's progress live on its page", async () => {
    const id = await submit(100);
    const page = await openPage(`#/jobs/${id}`);
    const seen = await watchProgress(page, "[role=progressbar]");
    expect(
      seen.some((v) => v > 0 && v < 100),
      `values seen: ${seen.join(", ")}`,
    ).toBe(true);
    await page.locator(".job-meta .badge", { hasText: "completed" }).waitFor();
    await page.locator("figure.chart canvas").first().waitFor();
    await screenshot(page, "job");
    await page.close();
  });

  /** A finished job with 4 failed records of 20 (made once, shared by the tests that need it). */
  async function jobWithFailures(): Promise<string> {
    if (failedJobId) return failedJobId;
    const id = await submit(20, { failEvery: 5 });
    const done = await pollBatch(t.openai, id, ["completed"], 30_000);
    expect(done.request_counts).toMatchObject({ total: 20, failed: 4, completed: 16 });
    failedJobId = id;
    return id;
  }

  it("groups a job's errors by code and shows a failed record's request and response", async () => {
    await jobWithFailures();

    const page = await openPage(`#/jobs/${failedJobId}`);
    const group = page.locator(".error-group").first();
    await group.waitFor();
    await expect.poll(() => group.getByRole("heading").textContent()).toMatch(/×\s*4/);
    const sample = group.locator("details.sample").first();
    await sample.locator("summary").click();
    const bodies = sample.locator("pre.body");
    expect(await bodies.nth(0).textContent()).toContain(MARKER);
    expect(await sample.getByRole("heading", { name: /Response \(HTTP 400\)/ }).count()).toBe(1);
    expect(await bodies.nth(1).textContent()).toMatch(/error/);
    await screenshot(page, "job-errors");
    await page.close();
  });

  it("cancels a running job from its page, and the API reports it cancelled", async () => {
    const id = await submit(600);
    const page = await openPage(`#/jobs/${id}`);
    const cancel = page.getByRole("button", { name: "Cancel job" });
    await cancel.waitFor();
    await expect
      .poll(async () => Number(await page.getByRole("progressbar").getAttribute("aria-valuenow")))
      .toBeGreaterThan(0);
    await cancel.click();
    const batch = await pollBatch(t.openai, id, ["cancelled"], 20_000);
    expect(batch.status).toBe("cancelled");
    expect(batch.request_counts!.completed).toBeLessThan(600);
    await page.locator(".job-meta .badge", { hasText: "cancelled" }).waitFor();
    await page.close();
  });

  it("shows each route's limits and live figures", async () => {
    const page = await openPage("#/routes");
    await page.getByRole("heading", { name: /^fake/ }).waitFor();
    await page.getByText("Concurrency limit").waitFor();
    await page.getByText("In flight", { exact: true }).waitFor();
    await screenshot(page, "routes");
    await page.close();
  });

  it("lists a job's webhook deliveries", async () => {
    const id = await submit(5, { webhook: true });
    await pollBatch(t.openai, id, ["completed"], 20_000);
    await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBeGreaterThan(0);
    const page = await openPage(`#/webhooks?job=${id}`);
    const row = page.locator("tbody tr", { hasText: "batch.completed" });
    await row.waitFor();
    expect(await row.locator(".badge").textContent()).toBe("delivered");
    await screenshot(page, "webhooks");
    await page.close();
  });

  it("works from the keyboard alone, and the theme toggle switches to dark", async () => {
    const id = await jobWithFailures();
    const page = await openPage("#/jobs");
    await page.locator("table.jobs").waitFor();
    // Tab through the page until the failed job's link has focus, then open it with Enter.
    let onJobLink = false;
    for (let i = 0; i < 60 && !onJobLink; i++) {
      await page.keyboard.press("Tab");
      onJobLink = await page.evaluate(
        (href) => document.activeElement?.getAttribute("href") === href,
        `#/jobs/${id}`,
      );
    }
    expect(onJobLink).toBe(true);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: id }).waitFor();
    // Open a failed record's sample with the keyboard.
    await page.locator("details.sample summary").first().focus();
    await page.keyboard.press("Enter");
    expect(await page.locator("details.sample").first().getAttribute("open")).not.toBeNull();

    await page.evaluate(() => localStorage.removeItem("docket.theme"));
    await page.getByRole("button", { name: /Change theme/ }).click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(
      "rgb(20, 23, 27)",
    );
    await page.close();
  });

  it("has no serious or critical accessibility violations on any page, light or dark", async () => {
    const pages: Array<[string, string]> = [
      ["#/jobs", "table.jobs"],
      [`#/jobs/${await jobWithFailures()}`, ".error-group"],
      ["#/routes", "article.card"],
      ["#/webhooks", "h1"],
    ];
    for (const theme of ["light", "dark"] as const) {
      for (const [hash, ready] of pages) {
        // A fresh page per view: each scan starts from a clean load, with no event streams or
        // connections left over from the views before it.
        const page = await openPage(hash);
        await useTheme(page, theme);
        await page.locator(ready).first().waitFor();
        // Open a sample so its bodies are scanned too.
        if (hash.startsWith("#/jobs/")) await page.locator("details.sample summary").first().click();
        const violations = await seriousAxeViolations(page);
        expect(violations, `${theme} ${hash}`).toEqual([]);
        if (theme === "dark" && hash.startsWith("#/jobs/")) await screenshot(page, "job-errors-dark");
        await page.close();
      }
    }
  });
});

describe.skipIf(!chromiumAvailable())("the dashboard behind an API key", () => {
  it("asks for the key, keeps it in the tab's session storage, and then shows the jobs", async () => {
    requireBuiltDashboard();
    const t = await startTestDocket({
      tune: (c) => {
        c.server.apiKey = "s3cret-key";
      },
    });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`${t.docket.url}/#/jobs`);
      await page.getByRole("heading", { name: "Sign in" }).waitFor();
      await screenshot(page, "sign-in");
      await page.getByLabel("API key").fill("s3cret-key");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByText("No jobs match.").waitFor();
      expect(await page.evaluate(() => sessionStorage.getItem("docket.apiKey"))).toBe("s3cret-key");
      expect(await page.evaluate(() => localStorage.getItem("docket.apiKey"))).toBeNull();
    } finally {
      await browser.close();
      await t.close();
    }
  });
});
