import { defineConfig } from "vitest/config";

/**
 * The suite Stryker runs for `npm run mutation`: the test files that exercise the mutated modules
 * in-process and quickly. Left out: tests that spawn commands or the policy pack (those run dist/
 * and cannot see a mutant), tests that run Pulumi programs (seconds per mutant: the run would not
 * stay within 20 minutes on 2 cores), and hostile.test.ts (it needs process.chdir, which Stryker's
 * worker threads lack).
 */
export default defineConfig({
  test: {
    include: [
      "test/definition-review.test.ts",
      "test/delegation.test.ts",
      "test/duration.test.ts",
      "test/guid.test.ts",
      "test/identity-config.test.ts",
      "test/json-schema-agreement.test.ts",
      "test/multi-error.test.ts",
      "test/naming.test.ts",
      "test/offer-positions.test.ts",
      "test/offer-rules.test.ts",
      "test/review.test.ts",
      "test/roles.test.ts",
      "test/samples.test.ts",
      "test/stack-config.test.ts",
    ],
    testTimeout: 60_000,
  },
});
