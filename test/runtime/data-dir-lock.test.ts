import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lockDataDir } from "../../src/runtime/data-dir-lock.js";
import { spawnDocket } from "../support/child-docket.js";

describe("one embedded docket per data dir", () => {
  const dir = mkdtempSync(join(tmpdir(), "docket-lock-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses a data dir a live process holds, and takes over one whose holder died", async () => {
    const serve = await spawnDocket([
      "serve",
      "--port",
      "0",
      "--data-dir",
      dir,
      "--backend",
      "http://127.0.0.1:9/v1",
    ]);
    try {
      expect(() => lockDataDir(dir)).toThrow(/Another docket process \(pid \d+\) is using/);
      const second = await spawnDocket(
        ["serve", "--port", "0", "--data-dir", dir, "--backend", "http://127.0.0.1:9/v1"],
        {
          waitForUrl: false,
        },
      );
      expect(await second.exited).toBe(1);
      expect(second.output()).toContain("is using");
    } finally {
      serve.proc.kill("SIGKILL");
      await serve.exited;
    }
    const unlock = lockDataDir(dir); // the killed holder's lock is stale
    unlock();
  });
});
