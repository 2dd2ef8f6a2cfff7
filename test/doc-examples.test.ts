import { afterAll, describe, expect, it } from "vitest";
import { fakeArmOptions } from "../scripts/fake-arm";
import { startFakeArm, type FakeArm } from "../scripts/fake-arm/server";
import { command as inventoryCommand } from "../src/cli/inventory";
import { command as preflightCommand } from "../src/cli/preflight";
import { BROKEN_DIRECTORY } from "./helpers/directory";
import { loadNamedStack } from "../src/stack/load";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, runCli, runCommandInProcess, tempProject } from "./helpers/project";
import { command as validateCommand } from "../src/cli/validate";
import { blockAfter, page, shownIn } from "./helpers/docs";

/**
 * Output shown in the docs is what the tools print: each excerpt below is run as the page says
 * (against `npm run fake-arm`'s Azure) and every line it shows must appear in the output, in
 * order ("…" marks lines left out).
 */
let fake: FakeArm | undefined;
afterAll(() => fake?.close());

describe("docs/operations.md: inventory against the local fake", () => {
  it.each([
    ["Against the local fake", []],
    ["With `--drift`:", ["--drift"]],
  ])("the excerpt after %j is what inventory prints", async (marker, extra) => {
    const { stack } = loadNamedStack(REPO_ROOT, "fabrikam");
    fake ??= await startFakeArm(fakeArmOptions(stack!));
    const result = await runCommandInProcess(
      inventoryCommand,
      ["--stack", "fabrikam", ...extra, "--endpoint", fake.url],
      { AZURE_ACCESS_TOKEN: "fake-token" },
    );
    expect(result.status).toBe(0);
    expect(shownIn(blockAfter(page("operations.md"), marker), result.stdout)).toEqual([]);
  });
});

describe("docs/operations.md: preflight", () => {
  it("the excerpt is what preflight prints against the tests' broken directory", async () => {
    const graph = await startFakeArm({ directory: BROKEN_DIRECTORY });
    try {
      const result = await runCommandInProcess(preflightCommand, ["--endpoint", graph.url], {
        AZURE_GRAPH_ACCESS_TOKEN: "fake-token",
      });
      expect(result.status).toBe(1);
      expect(shownIn(blockAfter(page("operations.md"), "### Principal preflight"), result.stdout)).toEqual([]);
    } finally {
      await graph.close();
    }
  });
});

describe("docs/review.md: the plan", () => {
  it("the excerpt is what npm run plan -- --stack fabrikam prints", () => {
    const result = runCli("plan", ["--stack", "fabrikam"]);
    expect(result.status).toBe(0);
    expect(shownIn(blockAfter(page("review.md"), "### Plan"), result.stdout)).toEqual([]);
  });
});

describe("docs/operations.md: offboarding", () => {
  it("the excerpt is what npm run offboard -- --stack fabrikam --offer offers/contoso-escalation.yaml prints", () => {
    const result = runCli("offboard", ["--stack", "fabrikam", "--offer", "offers/contoso-escalation.yaml"]);
    expect(result.status).toBe(0);
    const shown = blockAfter(page("operations.md"), "For the escalation offer of");
    expect(shown.length).toBeGreaterThan(10);
    expect(shownIn(shown, result.stdout)).toEqual([]);
  });
});

describe("docs/offers.md and docs/customers.md: validate", () => {
  const fixture = (name: string) => readFileSync(join(REPO_ROOT, "test", "fixtures", "multi-error", name), "utf8");
  const printed = async (root: string, args: string[]) => {
    const result = await runCommandInProcess(validateCommand, args, {}, root);
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  };

  it("the two broken offers print what offers.md shows", async () => {
    const root = tempProject({
      "offers/escalation.yaml": fixture("01-typo-owner-duration.yaml"),
      "offers/support.yaml": fixture("03-short-guid.yaml"),
    });
    const { status, output } = await printed(root, ["offers/escalation.yaml", "offers/support.yaml"]);
    expect(status).toBe(1);
    expect(shownIn(blockAfter(page("offers.md"), "## Validating"), output)).toEqual([]);
  });

  it("a role outside delegatedRoles in the managing-mode stack prints what customers.md shows", async () => {
    const stack = readFileSync(join(REPO_ROOT, "stacks", "Pulumi.northwind-managed.yaml"), "utf8");
    const root = tempProject({
      "stacks/Pulumi.northwind-managed.yaml": stack.replace(
        "        - role: Contributor\n",
        "        - role: Reader\n",
      ),
    });
    const { status, output } = await printed(root, ["stacks/Pulumi.northwind-managed.yaml"]);
    expect(status).toBe(1);
    expect(shownIn(blockAfter(page("customers.md"), "A role outside `delegatedRoles`"), output)).toEqual([]);
  });
});
