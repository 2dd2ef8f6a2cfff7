import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { committedProject, git, REPO_ROOT } from "./helpers/project";

/**
 * The pull request's review comment on a fleet: 40 customers affected by one offer change. The
 * workflow's own steps run (bash -eo pipefail, as GitHub runs them) in a project whose
 * `.trusted-toolkit` is this toolkit; only `npm run plan` is a fake (the plans never reach the comment).
 */
type Step = { name?: string; run?: string };
const reviewSteps = (
  parse(readFileSync(join(REPO_ROOT, ".github", "workflows", "pull-request.yml"), "utf8")) as {
    jobs: { review: { steps: Step[] } };
  }
).jobs.review.steps;
const script = (name: string) => reviewSteps.find((step) => step.name === name)!.run!;

const CUSTOMERS = 40;
const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");
const stackFile = (n: number) =>
  [
    "config:",
    "  lighthouse:customer:",
    `    name: Customer ${n}`,
    `    tenantId: ${hex(n, 8)}-1111-4111-8111-${hex(n, 12)}`,
    "  lighthouse:delegations:",
    "    - offer: offers/contoso-operations.yaml",
    "      subscriptions:",
    `        - subscriptionId: ${hex(n, 8)}-2222-4222-8222-${hex(n, 12)}`,
    "",
  ].join("\n");

describe("the review comment on a fleet", () => {
  it("40 affected stacks: the comment is the access review, within GitHub's limit, first screen first", () => {
    const stacks = Array.from({ length: CUSTOMERS }, (_, index) => `customer-${String(index + 1).padStart(2, "0")}`);
    const root = committedProject(
      Object.fromEntries(stacks.map((stack, index) => [`stacks/Pulumi.${stack}.yaml`, stackFile(index + 1)])),
    );
    const offer = join(root, "offers", "contoso-operations.yaml");
    // Tier 1 Support goes from Reader to Contributor in every customer.
    writeFileSync(
      offer,
      readFileSync(offer, "utf8").replace(
        "principalIdDisplayName: Tier 1 Support\n    principalType: Group\n    role: Reader",
        "principalIdDisplayName: Tier 1 Support\n    principalType: Group\n    role: Contributor",
      ),
    );
    git(root, "commit", "-qam", "Tier 1 Support gets Contributor");
    git(root, "branch", "-f", "base", "HEAD~1");
    symlinkSync(REPO_ROOT, join(root, ".trusted-toolkit"), "dir");
    symlinkSync(join(REPO_ROOT, "pipelines"), join(root, "pipelines"), "dir");
    const fakes = join(root, ".fakes");
    mkdirSync(fakes);
    writeFileSync(join(fakes, "npm"), '#!/usr/bin/env bash\necho "plans of $6"\n');
    chmodSync(join(fakes, "npm"), 0o755);
    const output = join(root, ".output");
    const run = (body: string, env: Record<string, string>) =>
      spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", body], {
        cwd: root,
        encoding: "utf8",
        env: {
          PATH: [fakes, dirname(process.execPath), process.env.PATH].join(delimiter),
          GITHUB_OUTPUT: output,
          GITHUB_STEP_SUMMARY: join(root, ".summary"),
          ...env,
        },
      });
    const json = JSON.stringify(stacks.map((stack) => ({ stack, mode: "onboarding" })));
    // origin/$GITHUB_BASE_REF is the base branch, as after actions/checkout with fetch-depth 0.
    git(root, "update-ref", "refs/remotes/origin/main", "base");
    const planned = run(script("Plan and access review"), { STACKS: json, GITHUB_BASE_REF: "main" });
    expect(planned.stderr).toBe("");
    expect(planned.status).toBe(0);
    const url = "https://github.com/contoso/lighthouse/actions/runs/7";
    const composed = run(script("Compose the review comment"), { RUN_URL: url });
    expect(composed.status).toBe(0);
    expect(readFileSync(output, "utf8")).toBe("status=0\nfits=true\n");

    const review = readFileSync(join(root, "review.md"), "utf8");
    const comment = readFileSync(join(root, "comment.md"), "utf8");
    expect(comment).toBe(
      `${review}\n---\nPlans of every affected stack: the job summary and the artifact of [this run](${url}).\n`,
    );
    expect(Buffer.byteLength(comment)).toBeLessThanOrEqual(65_536);
    expect(comment).not.toContain("Plan of");
    // The first screen: the marker, then each change once across the 40 customers; then stack by stack.
    expect(comment.split("\n").slice(0, 9)).toEqual([
      "<!-- lighthouse-access-review -->",
      "## Access review (against `origin/main`)",
      "",
      "### Across 40 stacks",
      "",
      "- **Tier 1 Support** (f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc) **loses** Reader in 40 stacks (customer-01, customer-02, customer-03 and 37 more)",
      "- **Tier 1 Support** (f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc) **gains** Contributor in 40 stacks (customer-01, customer-02, customer-03 and 37 more)",
      "",
      "### customer-01 (Customer 1)",
    ]);
    expect(readFileSync(join(root, "plans.md"), "utf8")).toBe(
      `<details><summary>Plans of the ${CUSTOMERS} affected stacks</summary>\n\n\`\`\`\nplans of affected.json\n\`\`\`\n</details>\n`,
    );
  }, 120_000);
});
