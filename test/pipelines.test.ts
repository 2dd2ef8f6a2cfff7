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
const AZURE_FILES = ["azure-pipelines.yml", "pipelines/azure-devops-deploy-steps.yml", "pipelines/azure-devops-up.sh"];
const SHARED_FILES = ["pipelines/review.sh", "pipelines/install-pulumi-cli.sh"];
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

  it("deploys per stack in parallel, in batches through the reusable workflow, never cancelling, one run at a time", () => {
    const deploy = parse(read(".github/workflows/deploy.yml"));
    expect(deploy.concurrency).toEqual({ group: "deploy", "cancel-in-progress": false });
    expect(deploy.jobs.affected.permissions).toEqual({ contents: "read", actions: "read" });
    expect(deploy.jobs.deploy).toMatchObject({
      strategy: { "fail-fast": false, matrix: { include: "${{ fromJSON(needs.affected.outputs.batches) }}" } },
      permissions: { contents: "read", "id-token": "write" },
      uses: "./.github/workflows/stack-batch.yml",
      with: { operation: "up", stacks: "${{ toJSON(matrix.stacks) }}" },
    });
    const batch = parse(read(".github/workflows/stack-batch.yml"));
    expect(batch.jobs.up.strategy).toEqual({
      "fail-fast": false,
      matrix: { include: "${{ fromJSON(inputs.stacks) }}" },
    });
    // Two deploys of one stack never overlap (destroy shares the group).
    expect(batch.jobs.up.concurrency).toEqual({ group: "deploy-${{ matrix.stack }}", "cancel-in-progress": false });
    expect(parse(read(".github/workflows/destroy.yml")).jobs.destroy.concurrency).toEqual({
      group: "deploy-${{ inputs.stack }}",
      "cancel-in-progress": false,
    });
    const pullRequest = parse(read(".github/workflows/pull-request.yml"));
    const reviewSteps = pullRequest.jobs.review.steps as Array<{ name?: string; run?: string; with?: unknown }>;
    expect(reviewSteps.find((item) => item.name === "Trusted toolkit (the base branch's)")?.with).toEqual({
      ref: "${{ github.event.pull_request.base.sha }}",
      path: ".trusted-toolkit",
      "persist-credentials": false,
    });
    // package.json's diff and affected scripts, from the trusted toolkit's directory.
    const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
    expect(reviewSteps.find((item) => item.name === "Plan and access review")?.run).toContain(
      'bash pipelines/review.sh "origin/$GITHUB_BASE_REF" affected.json',
    );
    expect(read("pipelines/review.sh")).toContain(`${scripts.diff.replace(" dist/", " .trusted-toolkit/dist/")} \\\n`);
    expect(reviewSteps.find((item) => item.name === "Affected stacks")?.run).toContain(
      `"$(${scripts.affected.replace(" dist/", " .trusted-toolkit/dist/")} --base `,
    );
  });
});

type Job = {
  if?: string;
  uses?: string;
  with?: Record<string, string>;
  environment?: string;
  permissions?: Record<string, string>;
  steps?: Array<{ uses?: string; with?: Record<string, string> }>;
};
const jobsOf = (file: string) => (parse(read(file)) as { jobs: Record<string, Job> }).jobs;
/** The identity a job signs in to Azure as: the client id its pulumi-login step is given. */
const identityOf = (job: Job) =>
  job.steps?.find((item) => item.uses === "./.github/actions/pulumi-login")?.with?.["client-id"];
const WRITE_IDENTITIES = /ARM_ONBOARDING_CLIENT_ID|ARM_MANAGING_CLIENT_ID/;

describe("who can get which token (docs/pipelines.md, Threat model)", () => {
  const workflows = GITHUB_FILES.filter((file) => file.includes("/workflows/"));

  it.each(workflows)("%s: no workflow-wide permission; every job asks for its own", (file) => {
    const workflow = parse(read(file)) as { permissions: unknown; jobs: Record<string, Job> };
    expect(workflow.permissions).toEqual({});
    for (const [name, job] of Object.entries(workflow.jobs)) {
      if (job.uses) continue; // a reusable workflow's own jobs are checked in its file
      expect(job.permissions, `${file} ${name}`).toBeDefined();
    }
  });

  it("no job a pull request starts can obtain a token of a write identity", () => {
    const pullRequest = parse(read(".github/workflows/pull-request.yml")) as { on: Record<string, unknown> };
    expect(Object.keys(pullRequest.on)).toEqual(["pull_request"]);
    for (const file of workflows) expect(read(file)).not.toMatch(/pull_request_target/);
    // Every job it runs, following reusable workflows with the operation it passes.
    const reached: Array<{ where: string; job: Job }> = [];
    for (const [name, job] of Object.entries(jobsOf(".github/workflows/pull-request.yml"))) {
      if (!job.uses) {
        reached.push({ where: `pull-request.yml ${name}`, job });
        continue;
      }
      expect(job.uses).toBe("./.github/workflows/stack-batch.yml");
      for (const [called, calledJob] of Object.entries(jobsOf(job.uses.slice(2)))) {
        const runsFor = calledJob.if?.match(/^inputs\.operation == '(\w+)'$/)?.[1];
        expect(runsFor, `stack-batch.yml ${called} says which operation it serves`).toBeDefined();
        if (runsFor === job.with?.operation) reached.push({ where: `stack-batch.yml ${called}`, job: calledJob });
      }
    }
    expect(reached.map((entry) => entry.where)).toEqual(["pull-request.yml review", "stack-batch.yml preview"]);
    for (const { where, job } of reached) {
      if (job.permissions?.["id-token"] !== "write") continue;
      // Only the read-only preview identity, and only from the preview environment it trusts.
      expect({ where, environment: job.environment, identity: identityOf(job) }).toEqual({
        where,
        environment: "preview",
        identity: "${{ vars.ARM_PREVIEW_CLIENT_ID }}",
      });
    }
    expect(reached[0].job.permissions).toEqual({ contents: "read", "pull-requests": "write" });
  });

  it("every job that signs in as a write identity runs in the protected production environment", () => {
    const signingIn = workflows.flatMap((file) =>
      Object.entries(jobsOf(file))
        .filter(([, job]) => WRITE_IDENTITIES.test(identityOf(job) ?? ""))
        .map(([name, job]) => ({ where: `${file} ${name}`, environment: job.environment })),
    );
    expect(signingIn).toEqual([
      { where: ".github/workflows/destroy.yml destroy", environment: "production" },
      { where: ".github/workflows/stack-batch.yml up", environment: "production" },
    ]);
    // A destroy is previewed (read-only identity) before the approval of its destroy job.
    const destroy = jobsOf(".github/workflows/destroy.yml");
    expect({ needs: (destroy.destroy as { needs?: string }).needs, preview: identityOf(destroy.preview) }).toEqual({
      needs: "preview",
      preview: "${{ vars.ARM_PREVIEW_CLIENT_ID }}",
    });
  });

  it("every action is pinned by commit SHA; nothing is piped into a shell; no stored secret", () => {
    for (const file of GITHUB_FILES) {
      const uses = [...read(file).matchAll(/uses:\s*(\S+)/g)].map((match) => match[1]);
      for (const action of uses) expect(action, `${file}: ${action}`).toMatch(/^(\.\/|[\w.-]+\/[\w.-]+@[0-9a-f]{40}$)/);
      expect(read(file)).not.toMatch(/secrets\./);
    }
    for (const file of [
      ...GITHUB_FILES,
      ...AZURE_FILES,
      "pipelines/install-pulumi-cli.sh",
      "pipelines/azure-devops-up.sh",
    ])
      expect(read(file), file).not.toMatch(/\|[ \t]*(sudo[ \t]+)?(ba)?sh\b/);
  });

  it("credentialed jobs install the lockfile's packages without install scripts, Node from the runner", () => {
    for (const file of [...GITHUB_FILES, ...AZURE_FILES]) {
      const installs = [...read(file).matchAll(/npm ci[^\n]*/g)].map((match) => match[0]);
      for (const install of installs)
        expect(install, file).toMatch(
          /^npm ci --ignore-scripts( --prefix \.trusted-toolkit)? && npm run (--prefix \.trusted-toolkit )?build$/,
        );
    }
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
    expect(names.indexOf("Trusted toolkit (the target branch's)")).toBe(names.indexOf("Install") + 1);
    expect(steps.find((item) => item.displayName === "Trusted toolkit (the target branch's)")!.bash).toBe(
      'set -euo pipefail\ngit worktree add --detach .trusted-toolkit "$BASE"\nnpm ci --ignore-scripts --prefix .trusted-toolkit && npm run --prefix .trusted-toolkit build\n',
    );
    const review = steps.find((item) => item.displayName === "Plan, access review and access matrix")!.bash!;
    const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
    expect(review).toContain(
      `${scripts.affected.replace(" dist/", " .trusted-toolkit/dist/")} --base "$BASE" --format json > affected.json`,
    );
    expect(review).toContain('bash pipelines/review.sh "$BASE" affected.json || status=1');
  });

  it("deploys only after the production environment's approval, one run at a time, with a token asked for again while pulumi up runs", () => {
    const pipeline = parse(read("azure-pipelines.yml")) as {
      stages: Array<{ stage: string; lockBehavior?: string; jobs: Array<Record<string, unknown>> }>;
    };
    const deploy = pipeline.stages.find((stage) => stage.stage === "Deploy")!;
    expect(deploy.lockBehavior).toBe("sequential");
    expect(deploy.jobs.map((job) => [job.deployment ?? job.job, job.environment, job.dependsOn])).toEqual([
      ["Approval", "production", undefined],
      ["Onboarding", undefined, "Approval"],
      ["Managing", undefined, "Approval"],
    ]);
    const up = read("pipelines/azure-devops-up.sh");
    expect(up).toContain(
      'with_fresh_token=(npm run -s oidc-token -- --file "$token_file" --service-connection-id "$SERVICE_CONNECTION_ID")',
    );
    expect(up).toContain('"${with_fresh_token[@]}" -- pulumi up --stack "$STACK"');
    expect(up).not.toMatch(/ARM_OIDC_TOKEN|idToken/);
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
  it.each([...GITHUB_FILES, ...AZURE_FILES, ...SHARED_FILES])("%s runs only npm scripts that exist", (file) => {
    const used = [...read(file).matchAll(/npm run (?:-s )?(?:--prefix \S+ )?([a-z-]+)/g)].map((match) => match[1]);
    for (const script of used) expect(scripts, `${file} runs npm run ${script}`).toContain(script);
  });

  it("every repository variable the workflows read is documented in docs/pipelines.md", () => {
    const readme = read("docs/pipelines.md");
    const variables = new Set(
      GITHUB_FILES.flatMap((file) => [...read(file).matchAll(/vars\.([A-Z_]+)/g)].map((match) => match[1])),
    );
    expect(variables.size).toBeGreaterThan(3);
    for (const variable of variables) expect(readme, variable).toContain(`\`${variable}\``);
  });
});
