import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { LocalDirBlobStore } from "../../src/blobs/local-dir-blob-store.js";
import { defaultConfig } from "../../src/config/config.js";
import { type RunningApiServer, startApiServer } from "../../src/http/server.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import {
  fillDashboardScale,
  noteFiftyRows,
  SCALE_JOBS,
  SCALE_RECORDS,
} from "../../test/support/dashboard-scale-data.js";
import { goal } from "../support/goal.js";

/** The dashboard issue's bounds on loopback (docs/dashboard.md). */
const GOALS = { firstRenderMs: 1000, listMs: 250, jobPageMs: 1000 };
const CHROMIUM_PATH = process.env.DOCKET_CHROMIUM ?? "/usr/bin/chromium";
const WEB_ROOT = resolve(import.meta.dirname, "../../dist/web");

/**
 * The dashboard at scale: 10,000 jobs and one in-progress job of 1,000,000 records on the
 * embedded store, behind the API server alone (no worker: nothing changes while it is timed).
 * Times the JSON the dashboard reads (median of 5 after a warm-up) and, in Debian's Chromium, the
 * jobs page from navigation to 50 rows in a fresh context (bundle downloaded and compiled inside
 * the measured time), a status filter, paging and the big job's page. These were timed
 * assertions in test/browser and test/http until a loaded CI machine failed one; speed is the
 * bench's to judge, the tests keep what the pages show.
 */
export async function benchDashboard(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "docket-bench-dashboard-"));
  const store = openSqliteStore({ path: join(dir, "docket.db"), synchronous: "NORMAL" });
  let server: RunningApiServer | null = null;
  try {
    const t0 = performance.now();
    const bigJob = await fillDashboardScale(store);
    console.log(
      `dashboard: ${SCALE_JOBS.toLocaleString("en-US")} jobs and a ${SCALE_RECORDS.toLocaleString("en-US")}-record ` +
        `job made in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    server = await startApiServer({
      store,
      blobs: new LocalDirBlobStore(join(dir, "blobs")),
      config: defaultConfig().server,
      events: { workAvailable: () => {} },
      dashboard: { webRoot: WEB_ROOT },
      host: "127.0.0.1",
      port: 0,
    });
    const api = await timeApi(server.url, bigJob);
    console.log(
      `BENCH dashboard-api list_ms=${api.list.toFixed(1)} list_filtered_ms=${api.filtered.toFixed(1)} ` +
        `list_last_page_ms=${api.lastPage.toFixed(1)} job_page_ms=${api.jobPage.toFixed(1)}`,
    );
    goal({
      name: "dashboard.list_ms",
      value: api.list,
      atMost: GOALS.listMs,
      unit: "ms",
      what: "GET /v1/dashboard/jobs?limit=100, 10,000 jobs (median of 5)",
    });
    goal({
      name: "dashboard.list_filtered_ms",
      value: api.filtered,
      atMost: GOALS.listMs,
      unit: "ms",
      what: "the same, filtered by model and status",
    });
    goal({
      name: "dashboard.job_page_ms",
      value: api.jobPage,
      atMost: GOALS.jobPageMs,
      unit: "ms",
      what: "GET /v1/dashboard/jobs/{id} of the 1,000,000-record job (median of 5)",
    });

    if (!existsSync(CHROMIUM_PATH) || !existsSync(join(WEB_ROOT, "index.html"))) {
      console.log(
        `BENCH dashboard-browser skipped=${JSON.stringify(`needs ${CHROMIUM_PATH} (apt-get install chromium) and dist/web (npm run build)`)}`,
      );
      return;
    }
    const browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
      headless: true,
    });
    try {
      const b = await timeBrowser(browser, server.url, bigJob);
      console.log(
        `BENCH dashboard-browser first_render_ms=${b.firstRender} filter_ms=${b.filter} ` +
          `older_page_ms=${b.olderPage} job_page_ms=${b.jobPage}`,
      );
      goal({
        name: "dashboard.first_render_ms",
        value: b.firstRender,
        atMost: GOALS.firstRenderMs,
        unit: "ms",
        what: "jobs page, navigation start to 50 rows, fresh context",
      });
      goal({
        name: "dashboard.filter_ms",
        value: b.filter,
        atMost: GOALS.firstRenderMs,
        unit: "ms",
        what: "status filter to the big job's row",
      });
      goal({
        name: "dashboard.older_page_ms",
        value: b.olderPage,
        atMost: GOALS.firstRenderMs,
        unit: "ms",
        what: "slowest of 3 clicks on Older",
      });
      goal({
        name: "dashboard.browser_job_page_ms",
        value: b.jobPage,
        atMost: 2 * GOALS.firstRenderMs,
        unit: "ms",
        what: "the 1,000,000-record job's page to its progress bar",
      });
    } finally {
      await browser.close();
    }
  } finally {
    await server?.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function timeApi(url: string, bigJob: string) {
  const median = async (path: string): Promise<number> => {
    await get(url, path); // warm the connection and the statement cache
    const ms: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await get(url, path);
      ms.push(performance.now() - started);
    }
    return ms.sort((a, b) => a - b)[2]!;
  };
  return {
    list: await median("/v1/dashboard/jobs?limit=100"),
    lastPage: await median("/v1/dashboard/jobs?limit=100&after=batch_000100"),
    filtered: await median("/v1/dashboard/jobs?model=model-odd&status=validating&limit=100"),
    jobPage: await median(`/v1/dashboard/jobs/${bigJob}`),
  };
}

async function get(url: string, path: string): Promise<void> {
  const res = await fetch(`${url}${path}`);
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
  await res.json();
}

async function timeBrowser(browser: Browser, url: string, bigJob: string) {
  // Chromium's first navigation starts its network service and a renderer: warm those elsewhere.
  const warm = await browser.newPage();
  await warm.goto(`${url}/health`);
  await warm.close();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    // Notes the moment the 50th row enters the DOM, on the page's clock (0 = navigation start).
    await page.addInitScript(noteFiftyRows);
    await page.goto(`${url}/#/jobs`);
    const handle = await page.waitForFunction(() => (window as unknown as { rowsAt?: number }).rowsAt);
    const firstRender = Math.round((await handle.jsonValue()) as number);

    const big = page.locator(`tr[data-job-id="${bigJob}"]`);
    const filter = await timed(async () => {
      await page.getByLabel("Status").selectOption("in_progress");
      await big.waitFor();
    });
    await page.getByLabel("Status").selectOption("");
    await rows(page).nth(49).waitFor();
    let olderPage = 0;
    for (let i = 0; i < 3; i++) {
      const firstId = await rows(page).first().getAttribute("data-job-id");
      const ms = await timed(async () => {
        await page.getByRole("button", { name: "Older →" }).click();
        await page.waitForFunction(
          (prev) => document.querySelector("table.jobs tbody tr")?.getAttribute("data-job-id") !== prev,
          firstId,
        );
      });
      olderPage = Math.max(olderPage, ms);
    }
    const jobPage = await timed(async () => {
      await page.goto(`${url}/#/jobs/${bigJob}`);
      await page.getByRole("progressbar").waitFor();
    });
    return { firstRender, filter, olderPage, jobPage };
  } finally {
    await context.close();
  }
}

const rows = (page: Page) => page.locator("table.jobs tbody tr");

async function timed(action: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await action();
  return Math.round(performance.now() - started);
}
