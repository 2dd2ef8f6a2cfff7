import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { pipelineSchema, stepsTemplateSchema } from "./helpers/azure-pipelines-schema";
import { REPO_ROOT } from "./helpers/project";

const GITHUB_FILES = [
  ".github/workflows/pull-request.yml",
  ".github/workflows/deploy.yml",
  ".github/workflows/delegation-events.yml",
  ".github/workflows/destroy.yml",
  ".github/workflows/stack-batch.yml",
  ".github/actions/pulumi-login/action.yml",
];
const AZURE_FILES = ["azure-pipelines.yml", "pipelines/azure-devops-deploy-steps.yml"];
const read = (file: string) => readFileSync(join(REPO_ROOT, file), "utf8");
const actionValidator = (file: string) =>
  spawnSync(join(REPO_ROOT, "node_modules", ".bin", "action-validator"), [file], { encoding: "utf8" });

describe("GitHub Actions files", () => {
  it.each(GITHUB_FILES)("%s validates against GitHub's workflow and action schemas", (file) => {
    const result = actionValidator(join(REPO_ROOT, file));
    expect(result.stdout + result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it("the validator does refuse a broken workflow", () => {
    const broken = join(tmpdir(), "broken-workflow.yml");
    writeFileSync(
      broken,
      read(".github/workflows/deploy.yml").replace("runs-on: ubuntu-latest", "runs_on: ubuntu-latest"),
    );
    expect(actionValidator(broken).status).not.toBe(0);
  });

  it("deploys per stack in parallel, in batches through the reusable workflow, never cancelling, with OIDC and no stored secret", () => {
    const deploy = parse(read(".github/workflows/deploy.yml"));
    expect(deploy.permissions).toEqual({ contents: "read", "id-token": "write" });
    expect(deploy.jobs.deploy).toMatchObject({
      strategy: { "fail-fast": false, matrix: { include: "${{ fromJSON(needs.affected.outputs.batches) }}" } },
      uses: "./.github/workflows/stack-batch.yml",
      with: { operation: "up", stacks: "${{ toJSON(matrix.stacks) }}" },
    });
    const batch = parse(read(".github/workflows/stack-batch.yml"));
    expect(batch.jobs.up.strategy).toEqual({
      "fail-fast": false,
      matrix: { include: "${{ fromJSON(inputs.stacks) }}" },
    });
    expect(batch.jobs.up.environment).toBe("production");
    expect(batch.jobs.up.concurrency).toEqual({ group: "deploy-${{ matrix.stack }}", "cancel-in-progress": false });
    // Pull requests' live preview: its own read-only identity, bound to its own environment.
    expect(batch.permissions).toEqual({});
    expect(batch.jobs.preview.environment).toBe("preview");
    expect(batch.jobs.preview.permissions).toEqual({ contents: "read", "id-token": "write" });
    expect(batch.jobs.up.permissions).toEqual({ contents: "read", "id-token": "write" });
    const login = (job: string) =>
      (batch.jobs[job].steps as Array<{ uses?: string; with?: Record<string, string> }>).find(
        (item) => item.uses === "./.github/actions/pulumi-login",
      )!.with!["client-id"];
    expect(login("preview")).toBe("${{ vars.ARM_PREVIEW_CLIENT_ID }}");
    expect(login("up")).toBe(
      "${{ matrix.mode == 'managing' && vars.ARM_MANAGING_CLIENT_ID || vars.ARM_ONBOARDING_CLIENT_ID }}",
    );
    const pullRequest = parse(read(".github/workflows/pull-request.yml"));
    // The review runs the pull request's code: no OIDC token; its access review is the base branch's toolkit's.
    expect(pullRequest.permissions).toEqual({});
    expect(pullRequest.jobs.review.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    const reviewSteps = pullRequest.jobs.review.steps as Array<{ name?: string; run?: string; with?: unknown }>;
    expect(reviewSteps.find((item) => item.name === "Trusted toolkit (the base branch's)")?.with).toEqual({
      ref: "${{ github.event.pull_request.base.sha }}",
      path: ".trusted-toolkit",
    });
    // package.json's diff script, from the trusted toolkit's directory.
    const diffScript = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts.diff;
    expect(reviewSteps.find((item) => item.name === "Plan and access review")?.run).toContain(
      `${diffScript.replace(" dist/", " .trusted-toolkit/dist/")} \\\n`,
    );
    expect(pullRequest.jobs.preview).toMatchObject({
      uses: "./.github/workflows/stack-batch.yml",
      with: { operation: "preview" },
    });
    for (const file of GITHUB_FILES) expect(read(file)).not.toMatch(/secrets\./);
    expect(read(".github/actions/pulumi-login/action.yml")).toContain("ARM_USE_OIDC=true");
  });
});

describe("Azure DevOps files", () => {
  it("azure-pipelines.yml has the documented structure", () => {
    const result = pipelineSchema.safeParse(parse(read("azure-pipelines.yml")));
    expect(result.success ? [] : result.error.issues).toEqual([]);
  });

  it("the access review is computed by the target branch's toolkit, before the plans", () => {
    const pipeline = parse(read("azure-pipelines.yml")) as {
      stages: Array<{ stage: string; jobs: Array<{ steps: Array<{ bash?: string; displayName?: string }> }> }>;
    };
    const steps = pipeline.stages.find((stage) => stage.stage === "Review")!.jobs[0].steps;
    const names = steps.map((item) => item.displayName);
    expect(names.indexOf("Trusted toolkit (the target branch's)")).toBe(names.indexOf("npm ci") + 1);
    expect(steps.find((item) => item.displayName === "Trusted toolkit (the target branch's)")!.bash).toBe(
      'set -euo pipefail\ngit worktree add --detach .trusted-toolkit "$BASE"\nnpm ci --prefix .trusted-toolkit\n',
    );
    const review = steps.find((item) => item.displayName === "Plan, access review and access matrix")!.bash!;
    const diffScript = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts.diff;
    expect(review.indexOf(diffScript.replace(" dist/", " .trusted-toolkit/dist/"))).toBeGreaterThan(-1);
    expect(review.indexOf(".trusted-toolkit/dist/src/cli/diff.js")).toBeLessThan(review.indexOf("npm run -s plan"));
  });

  it("the deploy steps template has the documented structure", () => {
    const result = stepsTemplateSchema.safeParse(parse(read("pipelines/azure-devops-deploy-steps.yml")));
    expect(result.success ? [] : result.error.issues).toEqual([]);
  });

  it("the schema refuses a misspelt key", () => {
    const pipeline = parse(read("azure-pipelines.yml"));
    pipeline.stages[0].jobs[0].step = pipeline.stages[0].jobs[0].steps;
    expect(pipelineSchema.safeParse(pipeline).success).toBe(false);
  });
});

describe("every pipeline", () => {
  const scripts = Object.keys(JSON.parse(read("package.json")).scripts);
  it.each([...GITHUB_FILES, ...AZURE_FILES])("%s runs only npm scripts that exist", (file) => {
    const used = [...read(file).matchAll(/npm run (?:-s )?([a-z-]+)/g)].map((match) => match[1]);
    for (const script of used) expect(scripts, `${file} runs npm run ${script}`).toContain(script);
  });

  it("every repository variable the workflows read is documented in README", () => {
    const readme = read("README.md");
    const variables = new Set(
      GITHUB_FILES.flatMap((file) => [...read(file).matchAll(/vars\.([A-Z_]+)/g)].map((match) => match[1])),
    );
    expect(variables.size).toBeGreaterThan(3);
    for (const variable of variables) expect(readme, variable).toContain(`\`${variable}\``);
  });
});
