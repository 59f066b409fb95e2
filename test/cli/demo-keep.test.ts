import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type FakeBackend, startFakeBackend } from "../../src/backends/fake/fake-backend-server.js";
import { runDemo } from "../../src/cli/commands/demo.js";

const SAMPLE = join(import.meta.dirname, "../../examples/call-center/requests.jsonl");

/** `docket demo` prints the dashboard's URL, and with `--keep` serves it until stopped. */
describe("docket demo --keep", () => {
  let dir: string;
  let fake: FakeBackend;
  afterEach(async () => {
    vi.restoreAllMocks();
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("prints the dashboard URL and keeps serving the finished job until stopped", async () => {
    dir = mkdtempSync(join(tmpdir(), "docket-demo-"));
    fake = await startFakeBackend({ latencyMs: 1 });
    const printed: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void printed.push(a.join(" ")));
    vi.spyOn(process.stderr, "write").mockImplementation(() => true); // the progress bar
    let dashboard = "";
    let seenWhileKept: { total: number; status: string } | undefined;
    await runDemo(
      { dataDir: join(dir, "data"), backend: fake.url, input: SAMPLE, keep: true },
      {
        untilStopped: async () => {
          dashboard = /^dashboard: (http:\/\/\S+\/)/m.exec(printed.join("\n"))?.[1] ?? "";
          const res = await fetch(`${dashboard}v1/dashboard/jobs`);
          const list = (await res.json()) as { total: number; data: Array<{ status: string }> };
          seenWhileKept = { total: list.total, status: list.data[0]!.status };
          // The app's page answers too (200 once built, else the 404 page that says how to build it).
          expect([200, 404]).toContain((await fetch(dashboard)).status);
        },
      },
    );
    expect(dashboard).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(seenWhileKept).toEqual({ total: 1, status: "completed" });
    expect(printed.join("\n")).toContain("press Ctrl-C to stop");
    // Stopped: the server is gone.
    await expect(fetch(dashboard)).rejects.toThrow();
    process.exitCode = undefined;
  });
});
