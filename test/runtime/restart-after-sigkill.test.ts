import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type ChildDocket, spawnDocket } from "../support/child-docket.js";

/** 25, not 50: each restart is a whole `docket serve` start (1–4 s on a loaded 2-core machine). */
const RESTARTS = 25;

/**
 * The kill -9 check that once failed with "Another docket process (pid N) is using <dir>":
 * `docket serve` is SIGKILLed and started again at once (before its exit is reaped), 25 times in a
 * row; every start must get the data dir, and the data must survive all of them.
 */
describe("restarting docket serve right after a SIGKILL", () => {
  const dir = mkdtempSync(join(tmpdir(), "docket-restart-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const args = ["serve", "--port", "0", "--data-dir", dir, "--backend", "http://127.0.0.1:9/v1"];

  it(`starts every time, ${RESTARTS} times in a row`, { timeout: 240_000 }, async () => {
    let serve: ChildDocket = await spawnDocket(args);
    const form = new FormData();
    form.set("purpose", "batch");
    form.set(
      "file",
      new Blob(['{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{}}\n']),
      "in.jsonl",
    );
    const uploaded = await fetch(`${serve.url}/v1/files`, { method: "POST", body: form });
    expect(uploaded.status).toBe(200);
    const fileId = ((await uploaded.json()) as { id: string }).id;
    try {
      for (let i = 0; i < RESTARTS; i++) {
        serve.proc.kill("SIGKILL");
        const next = spawnDocket(args); // not waiting for the old one to be reaped
        // The restart came before this process saw the old one exit (no event-loop turn between
        // kill and spawn). A wall-clock bound here measured spawn() itself, which takes over
        // 200 ms on a loaded machine.
        expect([serve.proc.exitCode, serve.proc.signalCode]).toEqual([null, null]);
        const old = serve;
        serve = await next.catch((err: Error) => {
          throw new Error(`restart ${i + 1} of ${RESTARTS} failed: ${err.message}`);
        });
        await old.exited;
      }
      const res = await fetch(`${serve.url}/v1/files/${fileId}`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { id: string }).id).toBe(fileId);
    } finally {
      serve.proc.kill("SIGKILL");
      await serve.exited;
    }
  });
});
