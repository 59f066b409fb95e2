import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LOCK_FILE, lockDataDir, PID_FILE } from "../../src/runtime/data-dir-lock.js";
import { spawnDocket } from "../support/child-docket.js";

const SERVE = ["serve", "--port", "0", "--backend", "http://127.0.0.1:9/v1"];

describe("one embedded docket per data dir", () => {
  const root = mkdtempSync(join(tmpdir(), "docket-lock-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  const freshDir = () => join(root, `d${n++}`);

  it("refuses a data dir a live process holds, and takes over one whose holder died", async () => {
    const dir = freshDir();
    const serve = await spawnDocket([...SERVE, "--data-dir", dir]);
    try {
      expect(() => lockDataDir(dir)).toThrow(
        new RegExp(`Another docket process \\(pid ${serve.proc.pid}\\) is using ${dir}`),
      );
      const second = await spawnDocket([...SERVE, "--data-dir", dir], { waitForUrl: false });
      expect(await second.exited).toBe(1);
      expect(second.output()).toContain(`is using ${dir}`);
    } finally {
      serve.proc.kill("SIGKILL");
      await serve.exited;
    }
    const unlock = lockDataDir(dir); // the killed holder's lock went with it
    expect(readFileSync(join(dir, PID_FILE), "utf8").trim()).toBe(String(process.pid));
    unlock();
    expect(existsSync(join(dir, PID_FILE))).toBe(false);
  });

  it("holds the lock against this same process until released", () => {
    const dir = freshDir();
    const unlock = lockDataDir(dir);
    try {
      expect(() => lockDataDir(dir)).toThrow(/is using/);
    } finally {
      unlock();
    }
    lockDataDir(dir)();
  });

  it("never takes a pid file for a lock: a live, unrelated pid in it does not block a start", async () => {
    for (const pid of [process.pid, 1, process.ppid]) {
      const dir = freshDir();
      lockDataDir(dir)();
      writeFileSync(join(dir, PID_FILE), `${pid}\n`);
      lockDataDir(dir)(); // in this process
    }
    const dir = freshDir();
    lockDataDir(dir)();
    writeFileSync(join(dir, PID_FILE), `${process.pid}\n`);
    const serve = await spawnDocket([...SERVE, "--data-dir", dir]); // and as `docket serve`
    serve.proc.kill("SIGTERM");
    await serve.exited;
  });

  it("is free as soon as its holder dies, even while that holder is an unreaped zombie", async () => {
    // A SIGKILLed holder whose parent has not reaped it yet still answers kill(pid, 0): the old
    // pid-file check took it for a live owner. Its OS lock went when it died.
    const dir = freshDir();
    const { holderPid, parent } = await holdInZombieToBe(dir);
    try {
      expect(() => lockDataDir(dir)).toThrow(new RegExp(`\\(pid ${holderPid}\\) is using`));
      process.kill(holderPid, "SIGKILL");
      await until(() => procState(holderPid) === "Z");
      expect(() => process.kill(holderPid, 0)).not.toThrow(); // looks alive to kill(pid, 0)
      expect(readFileSync(join(dir, PID_FILE), "utf8").trim()).toBe(String(holderPid));
      lockDataDir(dir)();
    } finally {
      parent.kill("SIGKILL");
    }
  });

  it("replaces foreign content in the lock file instead of failing", () => {
    const dir = freshDir();
    lockDataDir(dir)();
    writeFileSync(join(dir, LOCK_FILE), "not a database, written by someone else\n".repeat(20));
    lockDataDir(dir)();
  });
});

/**
 * A Node process that takes the lock as `docket serve` does and keeps it, started by a shell
 * that then execs `sleep`: sleep never reaps children, so once killed the holder stays a zombie.
 */
async function holdInZombieToBe(dir: string): Promise<{ holderPid: number; parent: ChildProcess }> {
  const mod = new URL("../../dist/runtime/data-dir-lock.js", import.meta.url).href;
  const script = join(dir, "..", `holder-${process.pid}.mjs`);
  writeFileSync(
    script,
    `const { lockDataDir } = await import(${JSON.stringify(mod)});
lockDataDir(${JSON.stringify(dir)});
console.log("held");
setInterval(() => {}, 1000);
`,
  );
  const parent = spawn("sh", ["-c", '"$0" "$1" & echo "pid $!"; exec sleep 120', process.execPath, script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`holder never took the lock: ${out}`)), 30_000);
    parent.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("held")) {
        clearTimeout(timer);
        res();
      }
    });
    parent.once("exit", (code) => rej(new Error(`holder's shell exited ${code}: ${out}`)));
  });
  return { holderPid: Number(/pid (\d+)/.exec(out)![1]), parent };
}

function procState(pid: number): string | undefined {
  try {
    // "pid (comm) S ...": the state follows the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  } catch {
    return undefined;
  }
}

async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(ok()).toBe(true);
}
