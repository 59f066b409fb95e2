import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";

/**
 * Browser tests drive Debian's `chromium` through playwright-core, never a downloaded browser.
 * Without it they are skipped with a message — except under CI=true, where a missing browser is
 * a failure (.ci/run installs it).
 */
export const CHROMIUM_PATH = process.env.DOCKET_CHROMIUM ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** Screenshots of every run land here (ignored by git): the test artefacts. */
export const ARTIFACT_DIR = process.env.DOCKET_TEST_ARTIFACTS ?? join(repoRoot, "test-results", "browser");
/** The committed copies in the docs are refreshed only when asked, so a test run leaves the tree clean. */
const DOC_SHOT_DIR = join(repoRoot, "docs", "dashboard");
const updateDocShots = process.env.DOCKET_UPDATE_DOC_SCREENSHOTS === "1";

export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env.CI === "true") {
    throw new Error(
      `CI=true but no Chromium at ${CHROMIUM_PATH}: install Debian's chromium (apt-get install -y chromium).`,
    );
  }
  console.warn(`Skipping the browser tests: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium).`);
  return false;
}

/** The built app must exist: the tests exercise what `npm run build` ships, not a dev server. */
export function requireBuiltDashboard(): void {
  if (!existsSync(join(repoRoot, "dist", "web", "index.html"))) {
    throw new Error("dist/web/index.html is missing: run `npm run build` before the browser tests.");
  }
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/** Saves a full-page PNG as a test artefact (and as the docs' copy when DOCKET_UPDATE_DOC_SCREENSHOTS=1). */
export async function screenshot(page: Page, name: string, o: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(ARTIFACT_DIR, { recursive: true });
  const path = join(ARTIFACT_DIR, `${name}.png`);
  const fullPage = o.fullPage ?? true;
  await page.screenshot({ path, fullPage });
  if (updateDocShots) {
    mkdirSync(DOC_SHOT_DIR, { recursive: true });
    await page.screenshot({ path: join(DOC_SHOT_DIR, `${name}.png`), fullPage });
  }
  return path;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[]; failureSummary?: string }>;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** Runs axe-core (injected from the installed package, no network) and returns serious and critical violations. */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated over the DevTools protocol: the page's CSP (script-src 'self') rightly refuses inline scripts.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: unknown[] }> } }
    ).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations as AxeViolation[];
  });
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
}

/** Sets the theme the way the toggle stores it, then reloads so the page starts in it. */
export async function useTheme(page: Page, theme: "light" | "dark"): Promise<void> {
  await page.evaluate((t) => localStorage.setItem("docket.theme", t), theme);
  await page.reload();
}
