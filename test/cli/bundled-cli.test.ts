import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { spawnDocket } from "../support/child-docket.js";

const ROOT = resolve(import.meta.dirname, "../..");

/**
 * bin/docket.js runs the CLI bundled into dist/bundle/ (packaging/bundle-cli.mjs). Modules that
 * find files next to themselves (web assets, package.json, the engine's child entry, the demo's
 * sample) must still find them from inside a bundle chunk, whatever their depth under dist/.
 */
describe("the bundled CLI", () => {
  it("is what bin/docket.js runs", () => {
    expect(existsSync(join(ROOT, "dist/bundle/main.js"))).toBe(true);
    expect(readFileSync(join(ROOT, "bin/docket.js"), "utf8")).toContain("../dist/bundle/main.js");
  });

  it("finds the demo's sample from dist/cli/commands/, three levels under the package", async () => {
    const child = await spawnDocket(["demo", "--help"], { waitForUrl: false });
    expect(await child.exited).toBe(0);
    const sample = join(ROOT, "examples/call-center/requests.jsonl");
    expect(existsSync(sample)).toBe(true);
    expect(child.output().replace(/\s+/g, "")).toContain(`(default:"${sample}")`);
  });
});
