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
      [
        "#!/usr/bin/env bash",
        `echo "${command} $*" >> "$FAKE_CALLS"`,
        // npm run oidc-token -- ... -- <command>: runs the command, as the real one does.
        `if [[ "$1 $2 $3" == "run -s oidc-token" && " $* " == *" -- "*" -- "* ]]; then shift 4; while [[ "$1" != "--" ]]; do shift; done; shift; exec "$@"; fi`,
        `if [[ " $* " == *" $FAKE_FAIL "* ]]; then echo "error: simulated failure of ${command} $*" >&2; exit 255; fi`,
        `output_of_command="FAKE_OUTPUT_${command}"`,
        `if [[ -v "$output_of_command" ]]; then echo "\${!output_of_command}"; else echo "\${FAKE_OUTPUT:-${command} ok}"; fi`,
        "",
      ].join("\n"),
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
      GITHUB_STEP_SUMMARY: join(dir, "summary.txt"),
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
    plans: read("plans.md"),
    comment: read("comment.md"),
    summary: read("summary.txt"),
    dir,
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
    const env = {
      STACK: "new-customer",
      BACKEND_URL: "",
      SECRETS_PROVIDER: "",
      AZURE_FEDERATED_TOKEN_FILE: "/t/token",
    };
    const failed = runStep(up.run!, env, "up");
    expect(failed.status).not.toBe(0);
    const pulumiUp =
      "pulumi up --stack new-customer --policy-pack policies --policy-pack-config policies/policy-config.json --yes --non-interactive --diff";
    expect(failed.calls).toEqual([
      "pulumi stack select --create new-customer --non-interactive",
      // The token file is kept fresh while pulumi up runs.
      `npm run -s oidc-token -- --file /t/token -- ${pulumiUp}`,
      pulumiUp,
    ]);
    expect(failed.log).toBe(`error: simulated failure of ${pulumiUp}\n`);
    expect(runStep(up.run!, env).status).toBe(0);
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
      "pulumi preview --stack fabrikam --policy-pack policies --policy-pack-config policies/policy-config.json --non-interactive --diff",
    ]);
    const missing = runStep(preview.run!, { STACK: "new-customer" }, "select");
    expect(missing.status).toBe(0);
    expect(missing.calls).toEqual(["pulumi stack select new-customer --non-interactive"]);
  });

  it("pull request: review.sh writes the access review alone, from the trusted toolkit, and every plan from one process", () => {
    const script = readFileSync(join(REPO_ROOT, "pipelines", "review.sh"), "utf8");
    const list = '[{"stack":"fabrikam","mode":"onboarding"},{"stack":"northwind","mode":"managing"}]';
    const setUp = (diffKnowsStacksFrom: boolean) =>
      [
        "mkdir -p .trusted-toolkit/src/cli",
        `echo '${diffKnowsStacksFrom ? "stacks-from: { ... } // --stacks-from" : "stack: {}"}' > .trusted-toolkit/src/cli/diff.ts`,
        `echo '${list}' > affected.json`,
        `set -- origin/main affected.json`,
        script,
      ].join("\n");
    const ran = runStep(setUp(true), {}, "", undefined, ["npm", "node"]);
    expect(ran.status).toBe(0);
    expect(ran.calls).toEqual([
      "node --max-old-space-size=8192 --max-semi-space-size=64 .trusted-toolkit/dist/src/cli/diff.js --stacks-from affected.json --base origin/main",
      // The allow-lists: the base branch's when it has them, else the working tree's.
      "npm run -s plan -- --stacks-from affected.json --policy-config policies/policy-config.json",
    ]);
    expect(ran.review).toBe("<!-- lighthouse-access-review -->\nnode ok\n");
    expect(ran.plans).toBe(
      "<details><summary>Plans of the 2 affected stacks</summary>\n\n```\nnpm ok\n```\n</details>\n",
    );
    // A base branch's toolkit from before --stacks-from gets the names.
    expect(runStep(setUp(false), {}, "", undefined, ["npm", "node"]).calls[0]).toBe(
      "node --max-old-space-size=8192 --max-semi-space-size=64 .trusted-toolkit/dist/src/cli/diff.js --stack fabrikam --stack northwind --base origin/main",
    );
    // A failing plan or review: both files written, exit 1.
    const failed = runStep(setUp(true), {}, "plan", undefined, ["npm", "node"]);
    expect({ status: failed.status, review: failed.review }).toEqual({
      status: 1,
      review: "<!-- lighthouse-access-review -->\nnode ok\n",
    });
  });

  it("pull request: a review that fits is the comment, with a pointer to the plans; one that does not fails loudly", () => {
    const compose = step("pull-request.yml", "review", "Compose the review comment");
    const url = "https://github.com/contoso/lighthouse/actions/runs/7";
    const footer = `Plans of every affected stack: the job summary and the artifact of [this run](${url}).`;
    const withFiles = `printf '%s' "$REVIEW" > review.md; printf '%s' "$PLANS" > plans.md\n${compose.run!}`;
    const fits = runStep(withFiles, { RUN_URL: url, REVIEW: "<!-- m -->\n## Access\n", PLANS: "plan\n" });
    expect(fits).toMatchObject({ status: 0, output: "fits=true\n" });
    expect(fits.comment).toBe(`<!-- m -->\n## Access\n\n---\n${footer}\n`);
    expect(fits.summary).toBe("<!-- m -->\n## Access\n\nplan\n");
    const long = "x".repeat(65_500);
    const tooLong = runStep(withFiles, { RUN_URL: url, REVIEW: long, PLANS: "plan\n" });
    expect(tooLong).toMatchObject({ status: 0, output: "fits=false\n" });
    expect(tooLong.comment.split("\n")).toEqual([
      "<!-- lighthouse-access-review -->",
      "## The access review does not fit in a comment",
      "",
      `It has 65500 bytes; GitHub allows 65536. Read it in the job summary or the artifact of [this run](${url}).`,
      "This check fails until the review fits: split the change into smaller pull requests.",
      "",
    ]);
    expect(tooLong.summary).toBe(`${long}\nplan\n`);
    const failStep = step("pull-request.yml", "review", "Fail on a review that does not fit in the comment");
    expect((failStep as { if?: string }).if).toBe("steps.comment.outputs.fits == 'false'");
    expect(runStep(failStep.run!, {}).status).toBe(1);
  });

  const BATCHES =
    '[{"name":"batch 1 of 2","stacks":[{"stack":"fabrikam","mode":"onboarding"}]},{"name":"batch 2 of 2","stacks":[{"stack":"northwind","mode":"managing"}]}]';

  it("deploy: the range starts at the last successful deploy; a first deploy (or one gone from the history) deploys every stack; a failing `affected` fails the step", () => {
    const affected = step("deploy.yml", "affected", "Affected stacks");
    const fakes = ["npm", "gh", "git"];
    const run = (env: Record<string, string>, failing = "") =>
      runStep(affected.run!, { INPUT_BASE: "", FAKE_OUTPUT_npm: BATCHES, ...env }, failing, undefined, fakes);
    const lastSuccess = run({ FAKE_OUTPUT_gh: "4b825dc6" });
    expect(lastSuccess).toMatchObject({ status: 0, output: `batches=${BATCHES}\n` });
    expect(lastSuccess.calls).toEqual([
      `gh run list --workflow deploy.yml --branch main --status success --limit 1 --json headSha --jq .[0].headSha // ""`,
      "git cat-file -e 4b825dc6^{commit}",
      "npm run -s affected -- --base 4b825dc6 --format json --batch-size 256",
    ]);
    expect(run({ FAKE_OUTPUT_gh: "" }).calls).toEqual([
      `gh run list --workflow deploy.yml --branch main --status success --limit 1 --json headSha --jq .[0].headSha // ""`,
      "npm run -s affected -- --all --format json --batch-size 256",
    ]);
    expect(run({ FAKE_OUTPUT_gh: "4b825dc6" }, "cat-file").calls.at(-1)).toBe(
      "npm run -s affected -- --all --format json --batch-size 256",
    );
    expect(run({ INPUT_BASE: "v1.2", BATCH_SIZE: "100" }).calls).toEqual([
      "git cat-file -e v1.2^{commit}",
      "npm run -s affected -- --base v1.2 --format json --batch-size 100",
    ]);
    const failed = run({ FAKE_OUTPUT_gh: "4b825dc6" }, "affected");
    expect(failed.status).not.toBe(0);
    expect(failed.output).toBe("");
  });

  it("pull request: `affected` is the trusted toolkit's; when it fails the step fails instead of passing an empty matrix", () => {
    const affected = step("pull-request.yml", "review", "Affected stacks");
    const env = { GITHUB_BASE_REF: "main", FAKE_OUTPUT_node: BATCHES };
    const passed = runStep(affected.run!, env, "", undefined, ["node"]);
    expect(passed).toMatchObject({
      status: 0,
      output: `batches=${BATCHES}\nstacks=[{"stack":"fabrikam","mode":"onboarding"},{"stack":"northwind","mode":"managing"}]\n`,
    });
    expect(passed.calls).toEqual([
      "node .trusted-toolkit/dist/src/cli/affected.js --base origin/main --format json --batch-size 256",
    ]);
    const failed = runStep(affected.run!, env, ".trusted-toolkit/dist/src/cli/affected.js", undefined, ["node"]);
    expect(failed.status).not.toBe(0);
    expect(failed.output).toBe("");
  });

  it("Azure DevOps: the deploy range starts at the last successful build of main; the step fails when `affected` fails, under plain bash (no -e)", () => {
    const pipeline = parse(readFileSync(join(REPO_ROOT, "azure-pipelines.yml"), "utf8")) as {
      stages: Array<{ jobs: Array<{ steps?: Array<{ bash?: string; name?: string }> }> }>;
    };
    const affected = pipeline.stages
      .flatMap((stage) => stage.jobs.flatMap((job) => job.steps ?? []))
      .find((candidate) => candidate.name === "affected")!;
    const env = {
      BUILD_REASON: "IndividualCI",
      SYSTEM_ACCESSTOKEN: "system-token",
      SYSTEM_COLLECTIONURI: "https://dev.azure.com/contoso/",
      SYSTEM_TEAMPROJECT: "lighthouse",
      SYSTEM_DEFINITIONID: "12",
      FAKE_OUTPUT_curl: '{"count":1,"value":[{"sourceVersion":"4b825dc6"}]}',
      FAKE_OUTPUT_npm: '[{"stack":"fabrikam","mode":"onboarding"}]',
    };
    const plainBash = ["--noprofile", "--norc"];
    const fakes = ["npm", "curl", "git"];
    const passed = runStep(affected.bash!, env, "", plainBash, fakes);
    expect(passed.status).toBe(0);
    expect(passed.calls).toEqual([
      "curl --fail --silent --show-error -H Authorization: Bearer system-token https://dev.azure.com/contoso/lighthouse/_apis/build/builds?definitions=12&branchName=refs/heads/main&statusFilter=completed&resultFilter=succeeded&queryOrder=finishTimeDescending&$top=1&api-version=7.1",
      "git cat-file -e 4b825dc6^{commit}",
      "npm run -s affected -- --base 4b825dc6 --format json",
      "npm run -s affected -- --from affected.json --format azure-matrix --mode onboarding",
      "npm run -s affected -- --from affected.json --format azure-matrix --mode managing",
    ]);
    const first = runStep(affected.bash!, { ...env, FAKE_OUTPUT_curl: '{"count":0,"value":[]}' }, "", plainBash, fakes);
    expect(first.calls[1]).toBe("npm run -s affected -- --all --format json");
    expect(runStep(affected.bash!, env, "affected", plainBash, fakes).status).not.toBe(0);
    expect(runStep(affected.bash!, env, "--fail", plainBash, fakes).status).not.toBe(0);
  });

  it("the Pulumi CLI: one pinned release, refused (nothing installed) when its archive is not the pinned bytes", () => {
    const script = readFileSync(join(REPO_ROOT, "pipelines", "install-pulumi-cli.sh"), "utf8");
    const ran = runStep(
      `${script.replace('"${1:?usage: install-pulumi-cli.sh <directory>}"', "./cli")}`,
      {},
      "",
      undefined,
      ["curl", "tar"],
    );
    expect(ran.status).toBe(1);
    const words = ran.calls[0].split(" ");
    expect(words[9]).toMatch(/^\/tmp\/tmp\.\w+$/);
    expect(ran.calls).toEqual([
      `curl --fail --silent --show-error --location --proto =https --tlsv1.2 --output ${words[9]} https://get.pulumi.com/releases/sdk/pulumi-v3.253.0-linux-x64.tar.gz`,
    ]);
    expect(() => readFileSync(join(ran.dir, "cli", "pulumi"))).toThrow();
  });

  it("sign-in: Azure through a token file the credential reads again; azblob, or Pulumi Cloud with a team token only", () => {
    const action = parse(readFileSync(join(REPO_ROOT, ".github", "actions", "pulumi-login", "action.yml"), "utf8")) as {
      runs: { steps: Step[] };
    };
    const actionStep = (name: string) => action.runs.steps.find((candidate) => candidate.name === name)!;
    const azure = runStep(
      actionStep("Azure workload identity (OIDC, no stored secret)").run!.replaceAll('>> "$GITHUB_ENV"', ">> env.txt"),
      { CLIENT_ID: "c1", TENANT_ID: "t1", RUNNER_TEMP: "/r" },
    );
    expect(azure.calls).toEqual(["npm run -s oidc-token -- --file /r/azure-federated-token"]);
    expect(readFileSync(join(azure.dir, "env.txt"), "utf8")).toBe(
      [
        "AZURE_CLIENT_ID=c1",
        "AZURE_TENANT_ID=t1",
        "AZURE_FEDERATED_TOKEN_FILE=/r/azure-federated-token",
        "ARM_USE_DEFAULT_AZURE_CREDENTIAL=true",
        "ARM_TENANT_ID=t1",
        "",
      ].join("\n"),
    );
    const login = actionStep("Log in to the state backend").run!.replaceAll('>> "$GITHUB_ENV"', ">> env.txt");
    const env = { RUNNER_TEMP: "/r", PULUMI_ORGANIZATION: "contoso", PULUMI_TEAM: "deployers", STORAGE_ACCOUNT: "st" };
    expect(runStep(login, { ...env, BACKEND_URL: "azblob://state" }).calls).toEqual(["pulumi login azblob://state"]);
    expect(runStep(login, { ...env, BACKEND_URL: "" }).calls).toEqual([
      "npm run -s oidc-token -- --file /r/pulumi-oidc-token --audience urn:pulumi:org:contoso",
      "pulumi login https://api.pulumi.com --oidc-token file:///r/pulumi-oidc-token --oidc-org contoso --oidc-team deployers",
    ]);
    const noTeam = runStep(login, { ...env, BACKEND_URL: "", PULUMI_TEAM: "" });
    expect({ status: noTeam.status, calls: noTeam.calls }).toEqual({ status: 1, calls: [] });
  });

  it("Azure DevOps: one stack's up, with a fresh token of its service connection, a secrets provider for a new stack", () => {
    const script = readFileSync(join(REPO_ROOT, "pipelines", "azure-devops-up.sh"), "utf8");
    const env = {
      AGENT_TEMPDIRECTORY: "/a",
      servicePrincipalId: "c1",
      tenantId: "t1",
      SERVICE_CONNECTION_ID: "sc-1",
      STACK: "fabrikam",
      BACKEND_URL: "azblob://state",
      STORAGE_ACCOUNT: "st",
      SECRETS_PROVIDER: "azurekeyvault://kv.vault.azure.net/keys/k",
    };
    const plainBash = ["--noprofile", "--norc"];
    const up =
      "pulumi up --stack fabrikam --policy-pack policies --policy-pack-config policies/policy-config.json --yes --non-interactive --diff";
    const ran = runStep(script.replace('"$LOGS/up-$STACK.log"', "up.log"), env, "", plainBash);
    expect(ran.status).toBe(0);
    expect(ran.calls).toEqual([
      "npm run -s oidc-token -- --file /a/azure-federated-token --service-connection-id sc-1",
      "pulumi login azblob://state",
      "pulumi stack select --create fabrikam --secrets-provider azurekeyvault://kv.vault.azure.net/keys/k --non-interactive",
      `npm run -s oidc-token -- --file /a/azure-federated-token --service-connection-id sc-1 -- ${up}`,
      up,
    ]);
    const failed = runStep(script.replace('"$LOGS/up-$STACK.log"', "up.log"), env, "up", plainBash);
    expect({ status: failed.status, log: failed.log }).toEqual({
      status: 255,
      log: `error: simulated failure of ${up}\n`,
    });
    const noKey = runStep(script, { ...env, SECRETS_PROVIDER: "" }, "", plainBash);
    expect(noKey.status).toBe(1);
    expect(noKey.calls).toEqual([
      "npm run -s oidc-token -- --file /a/azure-federated-token --service-connection-id sc-1",
      "pulumi login azblob://state",
    ]);
  });

  it("destroy: refuses a stack input that is not a stack name, without echoing it; refuses without a preview identity", () => {
    const check = step("destroy.yml", "preview", "Check the inputs");
    const run = (env: Record<string, string>) =>
      spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", check.run!], {
        encoding: "utf8",
        env: { MODE: "onboarding", PREVIEW_CLIENT_ID: "c1", PATH: process.env.PATH, ...env },
      });
    const refused = run({ STACK: "x\n::warning::forged" });
    expect(refused.status).toBe(1);
    expect(refused.stdout).toBe("::error::the stack input is not a stack name (letters, digits, '.', '_', '-')\n");
    expect(run({ STACK: "fabrikam" }).status).toBe(0);
    expect(run({ STACK: "fabrikam", PREVIEW_CLIENT_ID: "" }).stdout).toBe(
      "::error::a destroy is previewed first: set the repository variable ARM_PREVIEW_CLIENT_ID (docs/pipelines.md, Threat model)\n",
    );
  });
});
