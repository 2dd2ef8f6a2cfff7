import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Pulumi's mocks are process-global state: one test file per worker process, never shared.
    pool: "forks",
    testTimeout: 30_000,
  },
});
