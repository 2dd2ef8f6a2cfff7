import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { committedProject, git, runCli } from "./helpers/project";

/** A project in a fresh repository, with one commit per change so each can be the base. */
function repository() {
  const root = committedProject({ "README.md": "# fleet\n", "src/program.ts": "export {};\n" });
  const commit = (message: string, change: () => void) => {
    change();
    git(root, "add", "-A");
    git(root, "commit", "-qm", message);
    return git(root, "rev-parse", "HEAD").trim();
  };
  return { root, commit };
}

const affected = (root: string, base: string) => JSON.parse(runCli("affected", ["--base", base, "--format", "json"], root).stdout);

describe("npm run affected", () => {
  it("maps each kind of change to the stacks it affects", () => {
    const { root, commit } = repository();
    const start = git(root, "rev-parse", "HEAD").trim();
    const unrelated = commit("docs", () => writeFileSync(join(root, "README.md"), "# fleet\nmore\n"));
    expect(affected(root, start)).toEqual([]);

    const offer = commit("escalation offer", () => {
      const file = join(root, "offers", "contoso-escalation.yaml");
      writeFileSync(file, readFileSync(file, "utf8").replace("PT4H", "PT2H"));
    });
    // Only fabrikam uses the escalation offer.
    expect(affected(root, unrelated)).toEqual([{ stack: "fabrikam", mode: "onboarding" }]);

    const operations = commit("operations offer", () => {
      const file = join(root, "offers", "contoso-operations.yaml");
      writeFileSync(file, readFileSync(file, "utf8").replace("Tier 1 Support", "Tier 1 Support Team"));
    });
    expect(affected(root, offer)).toEqual([
      { stack: "fabrikam", mode: "onboarding" },
      { stack: "northwind", mode: "onboarding" },
      { stack: "northwind-managed", mode: "managing" },
    ]);

    commit("stack file", () => {
      const file = join(root, "stacks", "Pulumi.northwind.yaml");
      writeFileSync(file, readFileSync(file, "utf8").replace("[rg-app, rg-data]", "[rg-app]"));
    });
    expect(affected(root, operations)).toEqual([{ stack: "northwind", mode: "onboarding" }]);
    expect(runCli("affected", ["--base", operations], root).stdout).toBe("northwind (onboarding): stack file changed\n");
  });

  it("a stack that stops using an offer is still affected by that offer's change", () => {
    const { root, commit } = repository();
    const start = git(root, "rev-parse", "HEAD").trim();
    commit("switch offers", () => {
      const stack = join(root, "stacks", "Pulumi.northwind.yaml");
      writeFileSync(stack, readFileSync(stack, "utf8").replace("offers/contoso-operations.yaml", "offers/contoso-escalation.yaml"));
      const offer = join(root, "offers", "contoso-operations.yaml");
      writeFileSync(offer, readFileSync(offer, "utf8").replace("Tier 1 Support", "Tier 1"));
    });
    const northwind = JSON.parse(runCli("affected", ["--base", start, "--format", "json"], root).stdout).find((entry: { stack: string }) => entry.stack === "northwind");
    expect(northwind).toBeDefined();
    expect(runCli("affected", ["--base", start], root).stdout).toContain("northwind (onboarding): stack file changed; offer offers/contoso-operations.yaml changed");
  });

  it("program changes affect every stack; working-tree and removed stacks count; azure-matrix format", () => {
    const { root } = repository();
    writeFileSync(join(root, "src", "program.ts"), "export const changed = true;\n");
    rmSync(join(root, "stacks", "Pulumi.northwind-managed.yaml"));
    const result = runCli("affected", ["--base", "main", "--format", "azure-matrix"], root);
    expect(JSON.parse(result.stdout)).toEqual({
      "contoso-pipelines": { stack: "contoso-pipelines", mode: "onboarding" },
      fabrikam: { stack: "fabrikam", mode: "onboarding" },
      northwind: { stack: "northwind", mode: "onboarding" },
    });
    expect(JSON.parse(runCli("affected", ["--base", "main", "--format", "json", "--mode", "managing"], root).stdout)).toEqual([]);
    expect(result.stderr).toContain("stack northwind-managed was removed: run 'pulumi destroy --stack northwind-managed'");
    expect(runCli("affected", ["--base", "nope"], root)).toMatchObject({ status: 2, stderr: expect.stringContaining("'nope' is not a commit") });
  });
});
