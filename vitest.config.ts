import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts", "web/src/**/*.test.ts"],
    // CI's 2 cores are shared (two forks, their servers and child processes): end-to-end tests
    // that take 20 s alone took over 60 s on a loaded 2-core machine. A hang still fails, only
    // later; tests that bound a wait themselves keep their own bound.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Integration tests start servers and child processes; 2 cores here, so keep it modest.
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
