import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { committedToolkit, runCli } from "./helpers/project";

/**
 * The access review cannot be blinded by the code under review: a pull request that changes the
 * toolkit's code is reviewed by a trusted copy of the toolkit (this one, as the pull-request
 * workflow runs the base's), which runs each revision's own code only to read what it registers.
 * The two attacks of the security review, in one proposal.
 */
const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c";

function edit(root: string, file: string, change: (text: string) => string) {
  const path = join(root, file);
  const before = readFileSync(path, "utf8");
  const after = change(before);
  expect(after, `${file} changed`).not.toBe(before);
  writeFileSync(path, after);
}

describe("the review of a change to the toolkit's own code", () => {
  let pr: string;
  beforeAll(() => {
    pr = committedToolkit();
    // Attack 1: Reader's and Contributor's ids swapped in the role catalog.
    edit(pr, "src/roles/builtin-roles.json", (text) =>
      text.replaceAll(READER, "<reader>").replaceAll(CONTRIBUTOR, READER).replaceAll("<reader>", CONTRIBUTOR),
    );
    // Attack 2: one line in definitionProperties grants a new principal Contributor everywhere.
    edit(pr, "src/offer/model.ts", (text) =>
      text.replace(
        "    authorizations: offer.authorizations.map((authorization) => ({",
        `    authorizations: [{ principalId: "6b1f0c7e-2d3a-4b5c-8d9e-0f1a2b3c4d5e", roleDefinitionId: "${CONTRIBUTOR}" }, ...offer.authorizations].map((authorization) => ({`,
      ),
    );
  });

  it("shows the access each attack gives, with the base run by its own code", () => {
    const result = runCli("diff", ["--stack", "northwind", "--base", "main"], pr);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const lines = result.stdout.split("\n");
    const where = "on Northwind Traders (resource groups rg-app, rg-data, rg-shared)";
    expect(lines.slice(0, 16)).toEqual([
      "## Access review (against `main`)",
      "",
      "> Program code changed since main (src/offer/model.ts, src/roles/builtin-roles.json): each side ran with its own revision's code, so the review shows the access those changes cause.",
      "",
      "**Weakened controls** in northwind: listed first under each stack.",
      "",
      "### northwind (Northwind Traders)",
      "",
      // The catalog's swap: the offer's "Reader" now resolves to Contributor's id, and the reverse
      // (labels are the reviewing toolkit's), also in what Identity admins may assign.
      `- **Identity admins** (2b4d6f80-1a3c-4e5f-8a9b-0c1d2e3f4a5b) **may now assign** Reader to managed identities ${where}`,
      `- **Tier 1 Support** (f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc) **loses** Reader ${where}`,
      `- **Operations engineers** (0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7) **loses** Contributor ${where}`,
      `- **Identity admins** (2b4d6f80-1a3c-4e5f-8a9b-0c1d2e3f4a5b) may no longer assign Contributor ${where}`,
      // The line added to definitionProperties.
      `- **6b1f0c7e-2d3a-4b5c-8d9e-0f1a2b3c4d5e** (6b1f0c7e-2d3a-4b5c-8d9e-0f1a2b3c4d5e) **gains** Contributor ${where}`,
      `- **Tier 1 Support** (f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc) **gains** Contributor ${where}`,
      `- **Operations engineers** (0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7) **gains** Reader ${where}`,
      "",
    ]);
  });

  it("a proposal whose own code does not run is a one-line error (exit 1), never a stack trace", () => {
    const broken = committedToolkit();
    edit(broken, "src/offer/model.ts", (text) => `${text}\nexport const = ;\n`);
    const result = runCli("diff", ["--stack", "northwind", "--base", "main"], broken);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^error: the working tree's own code did not run its plan --format state: .+\n$/);
    expect(result.stderr.split("\n")).toHaveLength(2);
  });
});
