import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // CI's 2 cores are shared (two forks, their servers and child processes): end-to-end tests
    // that take 20 s alone took over 60 s on a loaded 2-core machine. A hang still fails, only
    // later; tests that bound a wait themselves keep their own bound.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Integration tests start servers and child processes; 2 cores here, so keep it modest.
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["src/**/*.test.ts", "web/src/**/*.test.ts"],
          // Pure-logic tests beside the code: one worker runs them file after file with their
          // modules loaded once. Isolated, each of these ~150 files paid for a fresh process and
          // a fresh import: 147 s of CPU against 40 s (load ~16). (Vitest 3 isolates a pool per
          // run, not per project; one worker is how a project opts out.) A thread of the threads
          // pool, not a single fork: Vitest runs a pool's single-fork files only after all its
          // other files, so the unit files ran last in one fork with the other core idle (~30 s);
          // each pool runs beside the others, so these now run while the integration forks do.
          // Nothing here needs a process of its own (no child processes, signals or chdir).
          pool: "threads",
          isolate: false,
          poolOptions: { threads: { singleThread: true } },
        },
      },
      {
        extends: true,
        // Servers, child processes, databases and process-wide listeners: each file in a fresh fork.
        test: { name: "integration", include: ["test/**/*.test.ts"] },
      },
    ],
  },
});
