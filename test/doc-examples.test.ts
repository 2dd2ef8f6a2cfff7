import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fakeArmOptions } from "../scripts/fake-arm";
import { startFakeArm, type FakeArm } from "../scripts/fake-arm/server";
import { command as inventoryCommand } from "../src/cli/inventory";
import { command as preflightCommand } from "../src/cli/preflight";
import { BROKEN_DIRECTORY } from "./helpers/directory";
import { loadNamedStack } from "../src/stack/load";
import { REPO_ROOT, runCli, runCommandInProcess } from "./helpers/project";

/**
 * Output shown in the docs is what the tools print: each excerpt below is run as the page says
 * (against `npm run fake-arm`'s Azure) and every line it shows must appear in the output, in
 * order ("…" marks lines left out).
 */
const page = (file: string) => readFileSync(join(REPO_ROOT, "docs", file), "utf8");

/** The first fenced block without a language (an output, not commands) after `marker` in `text`. */
function blockAfter(text: string, marker: string): string[] {
  const from = text.indexOf(marker);
  expect(from, `docs marker ${marker}`).toBeGreaterThanOrEqual(0);
  const lines = text.slice(from).split("\n");
  let fence: string | undefined;
  let block: string[] = [];
  for (const line of lines) {
    if (fence === undefined && line.startsWith("```")) {
      fence = line;
      block = [];
    } else if (fence !== undefined && line === "```") {
      if (fence === "```") return block;
      fence = undefined;
    } else if (fence !== undefined) block.push(line);
  }
  throw new Error(`no output block after ${marker}`);
}

/** Every shown line appears in `output`, in order; "…" lines stand for any number of lines. */
function shownIn(shown: string[], output: string): string[] {
  const lines = output.split("\n");
  let at = 0;
  const missing: string[] = [];
  for (const line of shown.filter((item) => item.trim() !== "…")) {
    const found = lines.indexOf(line, at);
    if (found < 0) missing.push(line);
    else at = found + 1;
  }
  return missing;
}

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
