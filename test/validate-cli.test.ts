import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempProject } from "./helpers/project";

const BROKEN_OFFER = `name: Broken
managedByTenantId: 83ace5cd-bcc3-441a-bd86-e6a75360cecc
authorizations:
  - principalId: f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc
    principalIdDisplayName: Support
    role: Owner
`;

describe("npm run validate", () => {
  it("passes on the repository's own offers and stacks, with no warnings", () => {
    const result = runCli("validate", []);
    expect(result.stderr).toMatch(/6 file\(s\) checked: 0 error\(s\), 0 warning\(s\)/);
    expect(result.stdout).toBe("");
    expect(result.status).toBe(0);
  });

  it("refuses a pipelines identity that trusts pull requests, at the subject's line (exit 1)", () => {
    const root = tempProject();
    const stack = join(root, "stacks", "Pulumi.contoso-pipelines.yaml");
    const text = readFileSync(stack, "utf8").replace(
      "        - name: github-production\n",
      "        - name: github-pull-requests\n          issuer: https://token.actions.githubusercontent.com\n          subject: repo:contoso/lighthouse:pull_request\n        - name: github-production\n",
    );
    writeFileSync(stack, text);
    const result = runCli("validate", [], root);
    expect(result.stdout.split("\n")).toEqual([
      "stacks/Pulumi.contoso-pipelines.yaml:20:20: error: subject 'repo:contoso/lighthouse:pull_request' gives this identity's access to every pull request's workflow: trust a protected environment instead (repo:contoso/lighthouse:environment:production, with required reviewers and main as its only deployment branch) [federated-subject-protected]",
      "",
    ]);
    expect(result.stderr).toBe("6 file(s) checked: 1 error(s), 0 warning(s)\n");
    expect(result.status).toBe(1);
  });

  it("reports every problem in every file as file:line:col and exits 1", () => {
    const root = tempProject({
      "offers/broken.yaml": BROKEN_OFFER,
      "offers/typo.yaml": BROKEN_OFFER.replace("role: Owner", "role: Reeder"),
    });
    const result = runCli("validate", [], root);
    expect(result.stdout.split("\n").filter(Boolean)).toEqual([
      "offers/broken.yaml:3:1: warning: no authorization has the Managed Services Registration assignment Delete Role: only the customer will be able to remove this delegation [recommend-delete-role]",
      expect.stringMatching(/^offers\/broken\.yaml:6:11: error: Owner cannot be used with Azure Lighthouse/),
      "offers/typo.yaml:6:11: error: unknown role 'Reeder': not an Azure built-in role name; did you mean 'Reader'?",
    ]);
    expect(result.status).toBe(1);
  });

  it("lists files and findings in one order on every machine: by character code, whatever the locale", () => {
    const root = tempProject(Object.fromEntries(["B", "a-b", "a", "a_b"].map((name) => [`offers/${name}.yaml`, ""])));
    const result = runCli("validate", ["--format", "json", "offers"], root, { LANG: "en_US.UTF-8", LC_ALL: "" });
    const report = JSON.parse(result.stdout);
    const files = ["B", "a-b", "a", "a_b", "contoso-escalation", "contoso-operations"].map(
      (name) => `offers/${name}.yaml`,
    );
    expect(report.files).toEqual(files);
    expect(report.diagnostics.map((diagnostic: { file: string }) => diagnostic.file)).toEqual(files.slice(0, 4));
    expect(result.status).toBe(1);
  });

  it("--format json gives machines the same findings", () => {
    const root = tempProject({ "offers/broken.yaml": BROKEN_OFFER });
    const result = runCli("validate", ["--format", "json", "offers/broken.yaml"], root);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ files: ["offers/broken.yaml"], errors: 1, warnings: 1 });
    expect(report.diagnostics[1]).toMatchObject({
      file: "offers/broken.yaml",
      line: 6,
      column: 11,
      severity: "error",
      rule: "role-not-supported",
    });
    expect(result.status).toBe(1);
  });

  it("--format github writes workflow annotations", () => {
    const root = tempProject({ "offers/broken.yaml": BROKEN_OFFER });
    const result = runCli("validate", ["--format", "github", "offers/broken.yaml"], root);
    expect(result.stdout).toMatch(
      /^::error file=offers\/broken\.yaml,line=6,col=11,title=role-not-supported::Owner cannot be used/m,
    );
  });

  it.each([
    [["--format", "xml"], /--format must be one of text, json, github/],
    [["--nope"], /Unknown option '--nope'/],
  ])("usage errors exit 2: %j", (args, message) => {
    const result = runCli("validate", args);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/usage: npm run validate/);
    expect(result.status).toBe(2);
  });

  it("missing paths, empty directories, huge and binary files are located errors", () => {
    const root = tempProject({ "empty/.keep": "", "offers/big.yaml": `name: x\n${"# padding\n".repeat(120_000)}` });
    writeFileSync(join(root, "offers", "binary.yaml"), Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80]));
    const result = runCli("validate", ["missing.yaml", "empty", "offers/big.yaml", "offers/binary.yaml"], root);
    expect(result.stdout).toContain("missing.yaml:1:1: error: no such file or directory, or it cannot be read");
    expect(result.stdout).toContain("empty:1:1: error: no offer or stack files (*.yaml, *.yml) found here");
    expect(result.stdout).toMatch(
      /offers\/big\.yaml:1:1: error: file is 1\.1 MiB; YAML files here are limited to 1 MiB/,
    );
    expect(result.stdout).toContain("offers/binary.yaml:1:1: error: file is not UTF-8 text (binary file?)");
    expect(result.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(result.status).toBe(1);
  });
});
