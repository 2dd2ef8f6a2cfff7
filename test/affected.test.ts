import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { npmRun } from "../scripts/npm-run";
import { committedProject, git, REPO_ROOT, runCli, tempProject } from "./helpers/project";
import { plansAt } from "../src/pipeline/affected";

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

/** The whole project (program, components, policies) in a fresh repository, with the installed modules linked. */
function programRepository() {
  const root = tempProject();
  // Three stacks are enough (one with each kind of identity, one without): each costs two plans.
  rmSync(join(root, "stacks", "Pulumi.contoso-pipelines.yaml"));
  for (const item of [
    "index.ts",
    "app",
    "components",
    "src",
    "policies",
    "package.json",
    "tsconfig.json",
    ".gitignore",
  ])
    cpSync(join(REPO_ROOT, item), join(root, item), { recursive: true });
  symlinkSync(join(REPO_ROOT, "node_modules"), join(root, "node_modules"), "dir");
  git(root, "init", "-q", "-b", "main");
  git(root, "add", "-A");
  git(root, "commit", "-qm", "base");
  return root;
}

const affected = (root: string, base: string) =>
  JSON.parse(runCli("affected", ["--base", base, "--format", "json"], root).stdout);

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
    expect(runCli("affected", ["--base", operations], root).stdout).toBe(
      "northwind (onboarding): stack file changed\n",
    );
  });

  it("a stack that stops using an offer is still affected by that offer's change", () => {
    const { root, commit } = repository();
    const start = git(root, "rev-parse", "HEAD").trim();
    commit("switch offers", () => {
      const stack = join(root, "stacks", "Pulumi.northwind.yaml");
      writeFileSync(
        stack,
        readFileSync(stack, "utf8").replace("offers/contoso-operations.yaml", "offers/contoso-escalation.yaml"),
      );
      const offer = join(root, "offers", "contoso-operations.yaml");
      writeFileSync(offer, readFileSync(offer, "utf8").replace("Tier 1 Support", "Tier 1"));
    });
    const northwind = JSON.parse(runCli("affected", ["--base", start, "--format", "json"], root).stdout).find(
      (entry: { stack: string }) => entry.stack === "northwind",
    );
    expect(northwind).toBeDefined();
    expect(runCli("affected", ["--base", start], root).stdout).toContain(
      "northwind (onboarding): stack file changed; offer offers/contoso-operations.yaml changed",
    );
  });

  it("with --files-only, program changes affect every stack; working-tree and removed stacks count; azure-matrix legs have names Azure accepts", () => {
    const { root } = repository();
    writeFileSync(join(root, "src", "program.ts"), "export const changed = true;\n");
    rmSync(join(root, "stacks", "Pulumi.northwind-managed.yaml"));
    const result = runCli("affected", ["--base", "main", "--format", "azure-matrix", "--files-only"], root);
    expect(JSON.parse(result.stdout)).toEqual({
      contoso_pipelines: { stack: "contoso-pipelines", mode: "onboarding" },
      fabrikam: { stack: "fabrikam", mode: "onboarding" },
      northwind: { stack: "northwind", mode: "onboarding" },
    });
    expect(runCli("affected", ["--base", "main", "--files-only"], root).stdout.split("\n")).toEqual([
      "contoso-pipelines (onboarding): program or policy code changed (src/program.ts): every stack (--files-only)",
      "fabrikam (onboarding): program or policy code changed (src/program.ts): every stack (--files-only)",
      "northwind (onboarding): program or policy code changed (src/program.ts): every stack (--files-only)",
      "",
    ]);
    expect(
      JSON.parse(
        runCli("affected", ["--base", "main", "--format", "json", "--mode", "managing", "--files-only"], root).stdout,
      ),
    ).toEqual([]);
    expect(result.stderr).toBe(
      "stack northwind-managed was removed: run the destroy workflow (or 'pulumi destroy --stack northwind-managed') to remove its delegations\n",
    );
    expect(runCli("affected", ["--base", "nope"], root)).toMatchObject({
      status: 2,
      stderr: expect.stringContaining("'nope' is not a commit"),
    });
  });

  it("shards into balanced batches, and refuses more batches than allowed", () => {
    const { root } = repository();
    writeFileSync(join(root, "src", "program.ts"), "export const changed = true;\n");
    const json = runCli("affected", ["--base", "main", "--format", "json", "--files-only", "--batch-size", "3"], root);
    expect(JSON.parse(json.stdout)).toEqual([
      {
        name: "batch 1 of 2",
        stacks: [
          { stack: "contoso-pipelines", mode: "onboarding" },
          { stack: "fabrikam", mode: "onboarding" },
        ],
      },
      {
        name: "batch 2 of 2",
        stacks: [
          { stack: "northwind", mode: "onboarding" },
          { stack: "northwind-managed", mode: "managing" },
        ],
      },
    ]);
    const azure = runCli(
      "affected",
      ["--base", "main", "--format", "azure-matrix", "--files-only", "--batch-size", "3"],
      root,
    );
    expect(JSON.parse(azure.stdout)).toEqual({
      batch_1: { batch: "1", stacks: "contoso-pipelines fabrikam" },
      batch_2: { batch: "2", stacks: "northwind northwind-managed" },
    });
    const refused = runCli(
      "affected",
      ["--base", "main", "--format", "json", "--files-only", "--batch-size", "1", "--max-batches", "3"],
      root,
    );
    expect(refused).toMatchObject({
      status: 1,
      stdout: "",
      stderr:
        "4 stacks are affected: that is 4 batches of at most 1, more than --max-batches 3. Raise --batch-size (GitHub allows 256 jobs per matrix) or deploy in several runs (--mode, or a nearer --base).\n",
    });
    expect(runCli("affected", ["--base", "main", "--batch-size", "0"], root)).toMatchObject({
      status: 2,
      stderr: expect.stringContaining("--batch-size must be a whole number from 1 to 1000000, not '0'"),
    });
  });
});

describe("npm run affected --from (a saved list, formatted again)", () => {
  it("gives the Azure matrix of one mode from a list saved by --format json; refuses what is not such a list", () => {
    const root = tempProject({
      "affected.json":
        '[{"stack":"fabrikam","mode":"onboarding"},{"stack":"northwind-managed","mode":"managing"},{"stack":"x.y","mode":"onboarding"}]\n',
      "broken.json": '[{"stack":"../etc","mode":"onboarding"}]',
    });
    expect(
      runCli("affected", ["--from", "affected.json", "--format", "azure-matrix", "--mode", "onboarding"], root),
    ).toEqual({
      status: 0,
      stdout: '{"fabrikam":{"stack":"fabrikam","mode":"onboarding"},"x_y":{"stack":"x.y","mode":"onboarding"}}\n',
      stderr: "",
    });
    expect(JSON.parse(runCli("affected", ["--from", "affected.json", "--mode", "managing"], root).stdout)).toEqual([
      { stack: "northwind-managed", mode: "managing" },
    ]);
    const refused = (args: string[]) => runCli("affected", args, root).stderr.split("\n")[0];
    expect(refused(["--from", "broken.json"])).toBe(
      "error: 'broken.json' is not a list saved by 'affected --format json': at 0.stack, Invalid string: must match pattern /^(?!\\.{1,2}$)[A-Za-z0-9._-]+$/",
    );
    expect(refused(["--from", "Pulumi.yaml"])).toBe("error: 'Pulumi.yaml' is not JSON");
    expect(refused(["--from", "/etc/hostname"])).toBe(
      "error: '/etc/hostname' leads outside the project (through '..', an absolute path or a symbolic link); files must be inside it",
    );
    expect(refused(["--from", "affected.json", "--base", "main"])).toBe("error: give one of --base, --from and --all");
    expect(refused(["--all", "--base", "main"])).toBe("error: give one of --base, --from and --all");
    expect(refused(["--all", "--files-only"])).toBe("error: --files-only applies to --base");
    expect(refused(["--from", "affected.json", "--format", "text"])).toBe(
      "error: --from gives --format json or azure-matrix (a saved list has no reasons)",
    );
  });
});

describe("npm run affected --all", () => {
  it("lists every stack of the working tree with its mode (a first deploy), in batches too", () => {
    const root = tempProject({});
    expect(runCli("affected", ["--all"], root)).toEqual({
      status: 0,
      stdout: [
        "contoso-pipelines (onboarding): every stack (--all)",
        "fabrikam (onboarding): every stack (--all)",
        "northwind (onboarding): every stack (--all)",
        "northwind-managed (managing): every stack (--all)",
        "",
      ].join("\n"),
      stderr: "",
    });
    expect(JSON.parse(runCli("affected", ["--all", "--format", "json", "--batch-size", "3"], root).stdout)).toEqual([
      {
        name: "batch 1 of 2",
        stacks: [
          { stack: "contoso-pipelines", mode: "onboarding" },
          { stack: "fabrikam", mode: "onboarding" },
        ],
      },
      {
        name: "batch 2 of 2",
        stacks: [
          { stack: "northwind", mode: "onboarding" },
          { stack: "northwind-managed", mode: "managing" },
        ],
      },
    ]);
  });
});

describe("npm run affected, program changes judged by running the program at both revisions", () => {
  it("a refactor affects no stack; a component change affects exactly the stacks whose resources change", () => {
    const root = programRepository();
    const commit = (message: string, file: string, from: string, to: string) => {
      const path = join(root, file);
      const text = readFileSync(path, "utf8");
      expect(text.includes(from), `${file} contains ${from}`).toBe(true);
      writeFileSync(path, text.replace(from, to));
      git(root, "commit", "-qam", message);
      return git(root, "rev-parse", "HEAD").trim();
    };
    const start = git(root, "rev-parse", "HEAD").trim();
    // Refactor: a renamed local, same resources, same policy results.
    const refactor = commit(
      "refactor",
      "components/managedIdentity.ts",
      "const { identityName, resourceGroupName, location, tags, isolationScope } = args;",
      "const { identityName: identity, resourceGroupName, location, tags, isolationScope } = args;\n    const identityName = identity;",
    );
    const refactored = runCli("affected", ["--base", start, "--format", "json"], root);
    expect(JSON.parse(refactored.stdout)).toEqual([]);
    expect(refactored.stderr).toBe(
      "program or policy code changed (components/managedIdentity.ts): ran 3 stack(s) at both revisions (the policy pack unchanged: resources compared); 3 unchanged\n",
    );

    // A tag on identities created as UserAssignedIdentity: northwind-managed's identity has an
    // isolation scope (a GenericResource) and northwind has none, so only fabrikam changes.
    commit(
      "tag identities",
      "components/managedIdentity.ts",
      "{ resourceName: identityName, resourceGroupName, location, ...(tags ? { tags } : {}) }",
      '{ resourceName: identityName, resourceGroupName, location, tags: { ...tags, "managed-by": "lighthouse" } }',
    );
    const temporary = mkdtempSync(join(tmpdir(), "affected-tmp-"));
    const changed = runCli("affected", ["--base", refactor], root, { TMPDIR: temporary });
    expect(changed.stdout.split("\n")).toEqual([
      "fabrikam (onboarding): program change alters its resources (program run at both revisions)",
      "",
    ]);
    expect(changed.stderr).toBe(
      "program or policy code changed (components/managedIdentity.ts): ran 3 stack(s) at both revisions (the policy pack unchanged: resources compared); 2 unchanged\n",
    );
    // Only the base checkout was temporary: it is gone.
    expect(readdirSync(temporary).filter((name) => name.startsWith("lighthouse-base-"))).toEqual([]);
  }, 120_000);
});

describe("npm run affected, stopped", () => {
  it("removes its base checkout when a signal stops it (a cancelled CI job), and ends as the signal ends it", async () => {
    const root = programRepository();
    const start = git(root, "rev-parse", "HEAD").trim();
    const file = join(root, "components", "managedIdentity.ts");
    writeFileSync(file, `${readFileSync(file, "utf8")}\n// a program change: every stack runs at both revisions\n`);
    const temporary = mkdtempSync(join(tmpdir(), "affected-stop-"));
    const checkouts = () => readdirSync(temporary).filter((name) => name.startsWith("lighthouse-base-"));
    const running = spawn(process.execPath, [...npmRun("affected"), "--base", start], {
      cwd: root,
      env: { ...process.env, TMPDIR: temporary },
      stdio: "ignore",
    });
    const ended = new Promise<NodeJS.Signals | null>((resolve) => running.once("exit", (_, signal) => resolve(signal)));
    await expect.poll(checkouts, { timeout: 30_000, interval: 20 }).toHaveLength(1);
    running.kill("SIGTERM");
    expect(await ended).toBe("SIGTERM");
    expect(checkouts()).toEqual([]);
  }, 60_000);
});

describe("npm run affected, a policy pack change", () => {
  it("runs each revision's pack: affected are exactly the stacks whose policy results change", () => {
    const root = programRepository();
    const start = git(root, "rev-parse", "HEAD").trim();
    // prefer-groups now also flags role assignments to service principals: the identities' Reader roles.
    const policies = join(root, "policies", "policies.ts");
    const text = readFileSync(policies, "utf8");
    expect(text).toContain('args.props.principalType === "User"');
    writeFileSync(
      policies,
      text.replace('args.props.principalType === "User"', 'args.props.principalType !== "Group"'),
    );
    git(root, "commit", "-qam", "prefer groups everywhere");
    const result = runCli("affected", ["--base", start], root);
    expect(result.stdout.split("\n")).toEqual([
      "fabrikam (onboarding): program change alters its policy results (program run at both revisions)",
      "northwind-managed (managing): program change alters its policy results (program run at both revisions)",
      "",
    ]);
    expect(result.stderr).toBe(
      "program or policy code changed (policies/policies.ts): ran 3 stack(s) at both revisions; 1 unchanged\n",
    );
  }, 120_000);
});

describe("plans at a revision", () => {
  it("a revision whose plan takes one --stack at a time is planned one stack per process", async () => {
    const root = mkdtempSync(join(tmpdir(), "single-stack-plan-"));
    mkdirSync(join(root, "src", "cli"), { recursive: true });
    // The plan command of revisions before stack lists: the last --stack wins; each run is logged.
    writeFileSync(
      join(root, "src", "cli", "plan.ts"),
      [
        'import { appendFileSync } from "node:fs";',
        "const args = process.argv.slice(2);",
        'appendFileSync("runs.log", `${args.join(" ")}\\n`);',
        'const stack = args[args.lastIndexOf("--stack") + 1];',
        'if (stack === "broken") {',
        '  process.stderr.write("stack broken is not valid:\\nstacks/Pulumi.broken.yaml:1:1: error: cannot read file: no such file\\n");',
        "  process.exit(1);",
        "}",
        "process.stdout.write(JSON.stringify({ stack, resources: [{ name: stack }], violations: [] }));",
        "",
      ].join("\n"),
    );
    expect(await plansAt({ root }, ["a", "broken", "c"])).toEqual([
      { resources: '[{"name":"a"}]', violations: "[]" },
      { failed: "stacks/Pulumi.broken.yaml:1:1: error: cannot read file: no such file" },
      { resources: '[{"name":"c"}]', violations: "[]" },
    ]);
    // A list asked for first (answered with one plan, so not a list), then one run per stack.
    expect(readFileSync(join(root, "runs.log"), "utf8").split("\n").sort()).toEqual([
      "",
      "--stack a --format json",
      "--stack a --stack broken --stack c --format json",
      "--stack broken --format json",
      "--stack c --format json",
    ]);
  });
});
