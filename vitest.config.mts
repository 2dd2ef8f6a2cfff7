import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    // Pulumi's mocks are process-global state: one test file per worker process, never shared.
    pool: "forks",
    // Most of the time is spent waiting on spawned command processes: two workers keep both
    // cores busy (the default on a 2-core machine is one).
    maxWorkers: 2,
    testTimeout: 30_000,
  },
});
