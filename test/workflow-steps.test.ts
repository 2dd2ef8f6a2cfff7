import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT } from "./helpers/project";

/**
 * The workflows' shell steps, run as GitHub runs them: `shell: bash` means
 * `bash --noprofile --norc -eo pipefail {0}` (GitHub Actions' documented command line), with
 * fake `pulumi` and `npm` commands on PATH that record their arguments and fail on demand.
 */
const WORKFLOWS = ["deploy.yml", "pull-request.yml", "delegation-events.yml", "destroy.yml", "stack-batch.yml"];
type Step = { name?: string; run?: string; shell?: string; env?: Record<string, string> };
type Workflow = {
  defaults?: { run?: { shell?: string } };
  jobs: Record<string, { defaults?: { run?: { shell?: string } }; steps?: Step[] }>;
};
const workflow = (file: string) =>
  parse(readFileSync(join(REPO_ROOT, ".github", "workflows", file), "utf8")) as Workflow;
const step = (file: string, job: string, name: string) =>
  workflow(file).jobs[job].steps!.find((candidate) => candidate.name === name)!;

/** Runs a step's script with fake commands; returns the exit status and what the fakes were asked. */
function runStep(
  script: string,
  env: Record<string, string>,
  failing = "",
  shell = ["--noprofile", "--norc", "-eo", "pipefail"],
  fakes = ["pulumi", "npm"],
) {
  const dir = mkdtempSync(join(tmpdir(), "step-"));
  const calls = join(dir, "calls.txt");
  for (const command of fakes) {
    const fake = join(dir, command);
    writeFileSync(
      fake,
      `#!/usr/bin/env bash\necho "${command} $*" >> "$FAKE_CALLS"\nif [[ " $* " == *" $FAKE_FAIL "* ]]; then echo "error: simulated failure of ${command} $*" >&2; exit 255; fi\necho "\${FAKE_OUTPUT:-${command} ok}"\n`,
    );
    chmodSync(fake, 0o755);
  }
  writeFileSync(join(dir, "step.sh"), script);
  const result = spawnSync("bash", [...shell, join(dir, "step.sh")], {
    cwd: dir,
    encoding: "utf8",
    env: {
      PATH: `${dir}${delimiter}${process.env.PATH}`,
      FAKE_CALLS: calls,
      FAKE_FAIL: failing,
      GITHUB_OUTPUT: join(dir, "output.txt"),
      ...env,
    },
  });
  const read = (file: string) => {
    try {
      return readFileSync(join(dir, file), "utf8");
    } catch {
      return "";
    }
  };
  return {
    status: result.status,
    calls: read("calls.txt").trim().split("\n").filter(Boolean),
    output: read("output.txt"),
    log: read("up.log"),
    review: read("review.md"),
  };
}

describe("workflow shell steps", () => {
  it.each(WORKFLOWS)("%s: every run step uses bash (so pipefail)", (file) => {
    const parsed = workflow(file);
    for (const [name, job] of Object.entries(parsed.jobs)) {
      // A job that calls a reusable workflow has no steps of its own (that workflow is checked too).
      for (const candidate of (job.steps ?? []).filter((item) => item.run !== undefined)) {
        expect(
          candidate.shell ?? job.defaults?.run?.shell ?? parsed.defaults?.run?.shell,
          `${file} ${name} ${candidate.name ?? candidate.run}`,
        ).toBe("bash");
      }
    }
  });

  it("deploy: a failing pulumi up fails the step, even behind | tee; the stack is selected or created first", () => {
    const up = step("stack-batch.yml", "up", "pulumi up with the policy pack");
    // Pulumi Cloud (no backend URL): its own secrets provider.
    const failed = runStep(up.run!, { STACK: "new-customer", BACKEND_URL: "", SECRETS_PROVIDER: "" }, "up");
    expect(failed.status).not.toBe(0);
    expect(failed.calls).toEqual([
      "pulumi stack select --create new-customer --non-interactive",
      "pulumi up --stack new-customer --policy-pack policies --yes --non-interactive --diff",
    ]);
    expect(failed.log).toBe(
      "error: simulated failure of pulumi up --stack new-customer --policy-pack policies --yes --non-interactive --diff\n",
    );
    expect(runStep(up.run!, { STACK: "new-customer", BACKEND_URL: "", SECRETS_PROVIDER: "" }).status).toBe(0);
  });

  it("deploy: a self-managed backend creates stacks with the configured secrets provider, and refuses without one", () => {
    const up = step("stack-batch.yml", "up", "pulumi up with the policy pack");
    const key = "azurekeyvault://kv.vault.azure.net/keys/pulumi";
    const created = runStep(up.run!, { STACK: "new-customer", BACKEND_URL: "azblob://state", SECRETS_PROVIDER: key });
    expect(created.status).toBe(0);
    expect(created.calls[0]).toBe(
      `pulumi stack select --create new-customer --secrets-provider ${key} --non-interactive`,
    );
    const refused = runStep(up.run!, { STACK: "new-customer", BACKEND_URL: "azblob://state", SECRETS_PROVIDER: "" });
    expect(refused.status).toBe(1);
    expect(refused.calls).toEqual([]);
  });

  it("pull request: a failing preview fails the step; a stack that does not exist is never created, only skipped", () => {
    const preview = step("stack-batch.yml", "preview", "pulumi preview with the policy pack");
    const failed = runStep(preview.run!, { STACK: "fabrikam" }, "preview");
    expect(failed.status).not.toBe(0);
    expect(failed.calls).toEqual([
      "pulumi stack select fabrikam --non-interactive",
      "pulumi preview --stack fabrikam --policy-pack policies --non-interactive --diff",
    ]);
    const missing = runStep(preview.run!, { STACK: "new-customer" }, "select");
    expect(missing.status).toBe(0);
    expect(missing.calls).toEqual(["pulumi stack select new-customer --non-interactive"]);
  });

  it("pull request: the comment leads with the access review, computed by the trusted toolkit; plans follow", () => {
    const review = step("pull-request.yml", "review", "Plan and access review");
    const ran = runStep(
      review.run!,
      { STACKS: '[{"stack":"fabrikam","mode":"onboarding"}]', GITHUB_BASE_REF: "main" },
      "",
      undefined,
      ["npm", "node"],
    );
    expect(ran.status).toBe(0);
    expect(ran.calls).toEqual([
      "node --max-old-space-size=8192 --max-semi-space-size=64 .trusted-toolkit/dist/src/cli/diff.js --stack fabrikam --base origin/main",
      "npm run -s plan -- --stack fabrikam",
    ]);
    expect(ran.review.split("\n")).toEqual([
      "<!-- lighthouse-access-review -->",
      "node ok",
      "<details><summary>Plan of <b>fabrikam</b></summary>",
      "",
      "```",
      "npm ok",
      "```",
      "</details>",
      "",
    ]);
    expect(ran.output).toBe("status=0\n");
  });

  const BATCHES =
    '[{"name":"batch 1 of 2","stacks":[{"stack":"fabrikam","mode":"onboarding"}]},{"name":"batch 2 of 2","stacks":[{"stack":"northwind","mode":"managing"}]}]';
  it.each([
    ["deploy.yml", "affected", { INPUT_BASE: "main", BEFORE: "" }, `batches=${BATCHES}\n`],
    [
      "pull-request.yml",
      "review",
      { GITHUB_BASE_REF: "main" },
      `batches=${BATCHES}\nstacks=[{"stack":"fabrikam","mode":"onboarding"},{"stack":"northwind","mode":"managing"}]\n`,
    ],
  ])(
    "%s: a failing `affected` fails the step instead of passing an empty matrix; batches of 256 by default",
    (file, job, env, output) => {
      const affected = step(file, job, "Affected stacks");
      const failed = runStep(affected.run!, { ...env, FAKE_OUTPUT: BATCHES }, "affected");
      expect(failed.status).not.toBe(0);
      expect(failed.output).toBe("");
      const passed = runStep(affected.run!, { ...env, FAKE_OUTPUT: BATCHES });
      expect(passed).toMatchObject({ status: 0, output });
      expect(passed.calls).toEqual([
        `npm run -s affected -- --base ${file === "deploy.yml" ? "main" : "origin/main"} --format json --batch-size 256`,
      ]);
      const configured = runStep(affected.run!, { ...env, FAKE_OUTPUT: BATCHES, BATCH_SIZE: "100" });
      expect(configured.calls[0]).toMatch(/ --batch-size 100$/);
    },
  );

  it("Azure DevOps: the affected step fails when `affected` fails, under Azure Pipelines' plain bash (no -e)", () => {
    const pipeline = parse(readFileSync(join(REPO_ROOT, "azure-pipelines.yml"), "utf8")) as {
      stages: Array<{ jobs: Array<{ steps: Array<{ bash?: string; name?: string }> }> }>;
    };
    const affected = pipeline.stages
      .flatMap((stage) => stage.jobs.flatMap((job) => job.steps))
      .find((candidate) => candidate.name === "affected")!;
    const failed = runStep(affected.bash!, { BUILD_REASON: "IndividualCI" }, "affected", ["--noprofile", "--norc"]);
    expect(failed.status).not.toBe(0);
    expect(runStep(affected.bash!, { BUILD_REASON: "IndividualCI" }, "", ["--noprofile", "--norc"]).status).toBe(0);
  });

  it("destroy: refuses a stack input that is not a stack name, without echoing it", () => {
    const check = step("destroy.yml", "destroy", "Check the stack name");
    const refused = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", check.run!], {
      encoding: "utf8",
      env: { STACK: "x\n::warning::forged", MODE: "onboarding", PATH: process.env.PATH },
    });
    expect(refused.status).toBe(1);
    expect(refused.stdout).toBe("::error::the stack input is not a stack name (letters, digits, '.', '_', '-')\n");
  });
});
