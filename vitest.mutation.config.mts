import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** Test files that run a command or a program: seconds for a mutant they cover but do not kill. */
const SLOW = /\/(adopt|fake-arm-state|fleet-inventory|identity-inventory|inventory|naming|plan-output)\.test\.ts$/;

/**
 * Unit tests first: Stryker stops a mutant's run at its first failing test, so a mutant a unit test
 * kills never waits for the command tests (vitest's default runs the slowest files first).
 */
class UnitTestsFirst extends BaseSequencer {
  async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => (SLOW.test(file.moduleId) ? 1 : 0);
    return [...files].sort((a, b) => rank(a) - rank(b) || a.moduleId.localeCompare(b.moduleId));
  }
}

/**
 * The suite Stryker runs for `npm run mutation`: the test files that exercise the mutated modules
 * in-process and quickly, commands included (runCommandInProcess). Left out: tests that only spawn
 * commands (those run dist/ and cannot see a mutant) and tests that run the stack program over the
 * example stacks (seconds per mutant of every loader and rule: the run would not stay within 20
 * minutes on 2 cores), and the hostile-input suite (megabyte inputs for every mutant of a loader);
 * the plan is covered by a hand-written program that loads no stack file.
 * The global setup builds dist/ in Stryker's sandbox: the policy pack runs from it.
 */
export default defineConfig({
  test: {
    include: [
      "test/adopt.test.ts",
      "test/base-cache.test.ts",
      "test/definition-review.test.ts",
      "test/delegation-component.test.ts",
      "test/delegation-rules.test.ts",
      "test/delegation.test.ts",
      "test/duration.test.ts",
      "test/expected-delegations.test.ts",
      "test/fake-arm-state.test.ts",
      "test/fleet-inventory.test.ts",
      "test/guid.test.ts",
      "test/identity-config.test.ts",
      "test/identity-inventory.test.ts",
      "test/inventory.test.ts",
      "test/json-schema-agreement.test.ts",
      "test/management-group-stack.test.ts",
      "test/multi-error.test.ts",
      "test/naming.test.ts",
      "test/offer-cache.test.ts",
      "test/offer-model.test.ts",
      "test/offer-positions.test.ts",
      "test/offer-rules.test.ts",
      "test/partner.test.ts",
      "test/plan-output.test.ts",
      "test/policy-export.test.ts",
      "test/review.test.ts",
      "test/roles.test.ts",
      "test/samples.test.ts",
      "test/scopes.test.ts",
      "test/stack-config.test.ts",
      "test/steps-rules.test.ts",
      "test/steps.test.ts",
    ],
    globalSetup: ["test/global-setup.ts"],
    sequence: { sequencer: UnitTestsFirst },
    testTimeout: 60_000,
  },
});
