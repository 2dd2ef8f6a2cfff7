import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { committedProject, git, runCli } from "./helpers/project";
import { blockAfter, page, shownIn } from "./helpers/docs";

function edit(root: string, file: string, from: string, to: string) {
  const path = join(root, file);
  const text = readFileSync(path, "utf8");
  expect(text.includes(from), `${file} contains ${from}`).toBe(true);
  writeFileSync(path, text.replace(from, to));
}

describe("npm run diff (access review)", () => {
  let root: string;
  beforeAll(() => {
    root = committedProject();
    // A second revision of the offers and stacks, left in the working tree.
    edit(root, "offers/contoso-escalation.yaml", "maximumActivationDuration: PT4H", "maximumActivationDuration: PT8H");
    edit(
      root,
      "offers/contoso-escalation.yaml",
      "principalId: d9b22cd6-6407-43cc-8c60-07c56df0b51a\n          principalIdDisplayName: Duty managers",
      "principalId: 7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d\n          principalIdDisplayName: Security leads",
    );
    edit(
      root,
      "offers/contoso-operations.yaml",
      "authorizations:\n",
      "authorizations:\n  - principalId: 1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b\n    principalIdDisplayName: Network team\n    role: Network Contributor\n",
    );
    edit(
      root,
      "offers/contoso-operations.yaml",
      "delegatedRoles: [Contributor, Monitoring Contributor]",
      "delegatedRoles: [Contributor, Monitoring Contributor, Backup Contributor]",
    );
    edit(
      root,
      "stacks/Pulumi.northwind.yaml",
      "        - subscriptionId: a4b5c6d7-e8f9-4a0b-8c1d-2e3f4a5b6c7d\n          resourceGroups: [rg-shared]\n",
      "",
    );
    edit(
      root,
      "stacks/Pulumi.fabrikam.yaml",
      "        - role: Reader\n",
      "        - role: Backup Contributor\n          scope: /subscriptions/0afefe50-734e-4610-8a82-a144a2f49dea\n        - role: Reader\n",
    );
  });

  it("lists the access changes of every stack, weakenings first, aggregated per customer with resource groups named", () => {
    const result = runCli("diff", ["--stack", "all", "--base", "main"], root);
    expect(result.status).toBe(0);
    expect(result.stdout.split("\n")).toEqual([
      "## Access review (against `main`)",
      "",
      "**Weakened controls** in fabrikam, northwind: listed first under each stack.",
      "",
      "### contoso-pipelines (Contoso (managing tenant))",
      "",
      "No access changes.",
      "",
      "### fabrikam (Fabrikam)",
      "",
      "- **Escalation engineers** (3e0ed8c6-e902-4fc5-863c-e3ddbb2ae2a2) (eligible Contributor): JIT duration **raised** from PT4H to PT8H on Fabrikam (1 subscription)",
      "- **Identity admins** (2b4d6f80-1a3c-4e5f-8a9b-0c1d2e3f4a5b) **may now assign** Backup Contributor to managed identities on Fabrikam (2 subscriptions)",
      "- **Escalation engineers** (3e0ed8c6-e902-4fc5-863c-e3ddbb2ae2a2) (eligible Contributor): approver Security leads (7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d) added on Fabrikam (1 subscription)",
      "- **Escalation engineers** (3e0ed8c6-e902-4fc5-863c-e3ddbb2ae2a2) (eligible Contributor): approver Duty managers (d9b22cd6-6407-43cc-8c60-07c56df0b51a) removed on Fabrikam (1 subscription)",
      "- **Network team** (1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b) **gains** Network Contributor on Fabrikam (2 subscriptions)",
      "- identity id-contoso-automation **gains** Backup Contributor at /subscriptions/0afefe50-734e-4610-8a82-a144a2f49dea",
      "",
      // Offers' properties are no URL path parameter: in-place PUTs (azure-native calculateDetailedDiff).
      "<details><summary>Steps of pulumi up (predicted): 3 × update in place, 1 × create</summary>",
      "",
      "1. update in place `contoso-escalation-0afefe50-734e-4610-8a82-a144a2f49dea-definition` (RegistrationDefinition): properties changed",
      "2. update in place `contoso-operations-0afefe50-734e-4610-8a82-a144a2f49dea-definition` (RegistrationDefinition): properties changed",
      "3. update in place `contoso-operations-6c8b2e14-9d3f-4a5b-8c7d-1e2f3a4b5c6d-definition` (RegistrationDefinition): properties changed",
      "4. create `identity-0afefe50-734e-4610-8a82-a144a2f49dea-rg-automation-id-contoso-automation-role-6df39d9e-250c-5171-9f3c-01b67d9e98e9` (RoleAssignment): new in the program",
      "",
      "</details>",
      "",
      "### northwind (Northwind Traders)",
      "",
      "- **Identity admins** (2b4d6f80-1a3c-4e5f-8a9b-0c1d2e3f4a5b) **may now assign** Backup Contributor to managed identities on Northwind Traders (resource groups rg-app, rg-data)",
      '- delegation **removed**: offer "Contoso Managed Operations" on Northwind Traders (resource group rg-shared)',
      "- **Tier 1 Support** (f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc) **loses** Reader on Northwind Traders (resource group rg-shared)",
      "- **Operations engineers** (0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7) **loses** Contributor on Northwind Traders (resource group rg-shared)",
      "- **Identity admins** (2b4d6f80-1a3c-4e5f-8a9b-0c1d2e3f4a5b) **loses** User Access Administrator on Northwind Traders (resource group rg-shared)",
      "- **Offboarding automation** (5d7e9f10-2b3c-4d5e-9f60-718293a4b5c6) **loses** Managed Services Registration assignment Delete Role on Northwind Traders (resource group rg-shared)",
      "- **Network team** (1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b) **gains** Network Contributor on Northwind Traders (resource groups rg-app, rg-data)",
      "",
      // A subscription no longer listed: its URNs are deleted after the program, the assignment first.
      "<details><summary>Steps of pulumi up (predicted): 1 × update in place, 2 × delete (after the program)</summary>",
      "",
      "1. update in place `contoso-operations-9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d-definition` (RegistrationDefinition): properties changed",
      "2. delete (after the program) `contoso-operations-a4b5c6d7-e8f9-4a0b-8c1d-2e3f4a5b6c7d-rg-rg-shared` (RegistrationAssignment): no longer in the program",
      "3. delete (after the program) `contoso-operations-a4b5c6d7-e8f9-4a0b-8c1d-2e3f4a5b6c7d-definition` (RegistrationDefinition): no longer in the program",
      "",
      "</details>",
      "",
      "### northwind-managed (Northwind Traders)",
      "",
      "No access changes.",
      "",
    ]);
    // docs/review.md shows the start of this review.
    expect(shownIn(blockAfter(page("review.md"), "### Access review"), result.stdout)).toEqual([]);
  });

  it("returns structured records as JSON, one per change and scope", () => {
    const { stdout, status } = runCli("diff", ["--stack", "northwind", "--base", "main", "--format", "json"], root);
    expect(status).toBe(0);
    const review = JSON.parse(stdout);
    const rgShared = {
      subscription: "a4b5c6d7-e8f9-4a0b-8c1d-2e3f4a5b6c7d",
      scope: "/subscriptions/a4b5c6d7-e8f9-4a0b-8c1d-2e3f4a5b6c7d/resourceGroups/rg-shared",
      scopeKind: "resource group",
      offer: "Contoso Managed Operations",
    };
    const inGroup = (group: string) => ({
      subscription: "9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d",
      scope: `/subscriptions/9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d/resourceGroups/${group}`,
      scopeKind: "resource group",
      offer: "Contoso Managed Operations",
    });
    const identityAdmins = { id: "2b4d6f80-1a3c-4e5f-8a9b-0c1d2e3f4a5b", name: "Identity admins" };
    const networkTeam = { id: "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b", name: "Network team" };
    const uaa = { role: "User Access Administrator", eligible: false };
    expect(review.records).toEqual([
      {
        stack: "northwind",
        change: "delegated-role-added",
        ...inGroup("rg-app"),
        principal: identityAdmins,
        ...uaa,
        after: "Backup Contributor",
        weakening: true,
      },
      {
        stack: "northwind",
        change: "delegated-role-added",
        ...inGroup("rg-data"),
        principal: identityAdmins,
        ...uaa,
        after: "Backup Contributor",
        weakening: true,
      },
      { stack: "northwind", change: "delegation-removed", ...rgShared, weakening: false },
      {
        stack: "northwind",
        change: "revoked",
        ...rgShared,
        principal: { id: "f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc", name: "Tier 1 Support" },
        role: "Reader",
        eligible: false,
        before: {},
        weakening: false,
      },
      {
        stack: "northwind",
        change: "revoked",
        ...rgShared,
        principal: { id: "0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7", name: "Operations engineers" },
        role: "Contributor",
        eligible: false,
        before: {},
        weakening: false,
      },
      {
        stack: "northwind",
        change: "revoked",
        ...rgShared,
        principal: identityAdmins,
        ...uaa,
        before: { delegatedRoles: ["Contributor", "Monitoring Contributor"] },
        weakening: false,
      },
      {
        stack: "northwind",
        change: "revoked",
        ...rgShared,
        principal: { id: "5d7e9f10-2b3c-4d5e-9f60-718293a4b5c6", name: "Offboarding automation" },
        role: "Managed Services Registration assignment Delete Role",
        eligible: false,
        before: {},
        weakening: false,
      },
      {
        stack: "northwind",
        change: "granted",
        ...inGroup("rg-app"),
        principal: networkTeam,
        role: "Network Contributor",
        eligible: false,
        after: {},
        weakening: false,
      },
      {
        stack: "northwind",
        change: "granted",
        ...inGroup("rg-data"),
        principal: networkTeam,
        role: "Network Contributor",
        eligible: false,
        after: {},
        weakening: false,
      },
    ]);
    const northwind = (name: string) =>
      `urn:pulumi:northwind::lighthouse::lighthouse:delegation:LighthouseDelegation$azure-native:managedservices:${name}`;
    const shared = "/subscriptions/a4b5c6d7-e8f9-4a0b-8c1d-2e3f4a5b6c7d";
    expect(review.stacks).toEqual([
      {
        stack: "northwind",
        customer: "Northwind Traders",
        changes: expect.any(Array),
        records: review.records,
        steps: [
          {
            op: "update",
            urn: northwind(
              "RegistrationDefinition::contoso-operations-9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d-definition",
            ),
            type: "azure-native:managedservices:RegistrationDefinition",
            id: "/subscriptions/9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d/providers/Microsoft.ManagedServices/registrationDefinitions/2370eb03-671f-565d-8fcd-c1bc9e0fe4b8",
            reason: "properties changed",
          },
          {
            op: "delete",
            urn: northwind(
              "RegistrationAssignment::contoso-operations-a4b5c6d7-e8f9-4a0b-8c1d-2e3f4a5b6c7d-rg-rg-shared",
            ),
            type: "azure-native:managedservices:RegistrationAssignment",
            // guid(definition, scope): Python's uuid.uuid5 under ARM's namespace.
            id: `${shared}/resourceGroups/rg-shared/providers/Microsoft.ManagedServices/registrationAssignments/478cf03f-f6dc-58f0-aba3-2ea798f938c9`,
            reason: "no longer in the program",
          },
          {
            op: "delete",
            urn: northwind(
              "RegistrationDefinition::contoso-operations-a4b5c6d7-e8f9-4a0b-8c1d-2e3f4a5b6c7d-definition",
            ),
            type: "azure-native:managedservices:RegistrationDefinition",
            id: `${shared}/providers/Microsoft.ManagedServices/registrationDefinitions/2370eb03-671f-565d-8fcd-c1bc9e0fe4b8`,
            reason: "no longer in the program",
          },
        ],
        continuity: [],
        errors: [],
      },
    ]);
    expect(review.stacks[0].changes).toHaveLength(7);
  });

  it("reports a new managing tenant as a new delegation, replaced assignment first, and the access it interrupts", () => {
    const other = committedProject();
    edit(
      other,
      "offers/contoso-escalation.yaml",
      "managedByTenantId: 83ace5cd-bcc3-441a-bd86-e6a75360cecc",
      "managedByTenantId: de83f4a9-a76a-4025-a91a-91171923eac7",
    );
    const result = runCli("diff", ["--stack", "fabrikam", "--base", "main", "--format", "json"], other);
    const parsed = JSON.parse(result.stdout);
    const [review] = parsed.stacks;
    // Another tenant now holds the offer's grants: a weakening.
    expect(
      parsed.records.map((record: { change: string; weakening: boolean }) => [record.change, record.weakening]),
    ).toEqual([["managing-tenant-changed", true]]);
    expect(review.changes).toEqual([
      'offer "Contoso Escalation": **managing tenant changed** from 83ace5cd-bcc3-441a-bd86-e6a75360cecc to de83f4a9-a76a-4025-a91a-91171923eac7 (a new delegation: see the steps for the order) on Fabrikam (1 subscription)',
    ]);
    // A new definition GUID under the same URN: a delete-first replacement, the assignment (replaceWith) deleted first.
    expect(
      review.steps.map((step: { op: string; urn: string }) => `${step.op} ${step.urn.split("::").at(-1)}`),
    ).toEqual([
      "delete-replaced contoso-escalation-0afefe50-734e-4610-8a82-a144a2f49dea-subscription",
      "delete-replaced contoso-escalation-0afefe50-734e-4610-8a82-a144a2f49dea-definition",
      "create-replacement contoso-escalation-0afefe50-734e-4610-8a82-a144a2f49dea-definition",
      "create-replacement contoso-escalation-0afefe50-734e-4610-8a82-a144a2f49dea-subscription",
    ]);
    // The example's principals keep their ids in the new tenant: each is without access from step 1 to step 4.
    expect(
      review.continuity.map(
        (finding: { kind: string; principal: { name: string }; eligible: boolean; from: number; until: number }) =>
          `${finding.kind} ${finding.principal.name}${finding.eligible ? " (eligible)" : ""} ${finding.from}-${finding.until}`,
      ),
    ).toEqual([
      "interrupted Escalation engineers 1-4",
      "interrupted Escalation offboarding automation 1-4",
      "interrupted Escalation engineers (eligible) 1-4",
    ]);
  });

  it("says 'No access changes.' when nothing changed, and refuses an unknown ref", () => {
    const same = committedProject();
    expect(runCli("diff", ["--stack", "northwind", "--base", "main"], same).stdout).toContain(
      "### northwind (Northwind Traders)\n\nNo access changes.",
    );
    const two = runCli("diff", ["--stack", "northwind", "--stack", "fabrikam", "--base", "main"], same).stdout;
    expect(two.match(/^### .*/gm)).toEqual(["### northwind (Northwind Traders)", "### fabrikam (Fabrikam)"]);
    // The same stacks from a list saved by `affected --format json`: no names on the command line.
    writeFileSync(
      join(same, "affected.json"),
      '[{"stack":"northwind","mode":"onboarding"},{"stack":"fabrikam","mode":"onboarding"}]',
    );
    expect(runCli("diff", ["--stacks-from", "affected.json", "--base", "main"], same).stdout).toBe(two);
    expect(runCli("diff", ["--stack", "northwind", "--base", "v9"], same)).toMatchObject({
      status: 2,
      stderr: expect.stringContaining("'v9' is not a commit"),
    });
  });

  it("a removed stack revokes nothing by itself, and MFA Azure → None is a weakening", () => {
    const changed = committedProject();
    rmSync(join(changed, "stacks", "Pulumi.northwind.yaml"));
    edit(changed, "offers/contoso-escalation.yaml", "multiFactorAuthProvider: Azure", "multiFactorAuthProvider: None");
    const result = runCli("diff", ["--stack", "northwind", "--stack", "fabrikam", "--base", "main"], changed);
    expect(result.stdout.split("\n")).toEqual([
      "## Access review (against `main`)",
      "",
      "**Weakened controls** in fabrikam: listed first under each stack.",
      "",
      "### northwind (Northwind Traders)",
      "",
      "- **stack removed**: nothing is revoked by this change; its delegations and identities stay in Azure until the destroy workflow (or pulumi destroy --stack northwind) removes them",
      "",
      "### fabrikam (Fabrikam)",
      "",
      "- **Escalation engineers** (3e0ed8c6-e902-4fc5-863c-e3ddbb2ae2a2) (eligible Contributor): JIT MFA **weakened** from Azure to None on Fabrikam (1 subscription)",
      "",
      "<details><summary>Steps of pulumi up (predicted): 1 × update in place</summary>",
      "",
      "1. update in place `contoso-escalation-0afefe50-734e-4610-8a82-a144a2f49dea-definition` (RegistrationDefinition): properties changed",
      "",
      "</details>",
      "",
    ]);
    expect(result.status).toBe(0);
  });

  it("caches the base's access by base commit: a second review plans only the working tree", () => {
    const project = committedProject();
    edit(
      project,
      "offers/contoso-escalation.yaml",
      "maximumActivationDuration: PT4H",
      "maximumActivationDuration: PT2H",
    );
    const first = runCli("diff", ["--stack", "fabrikam", "--base", "main"], project);
    const cache = join(project, "node_modules", ".cache", "lighthouse-diff");
    const [entry] = readdirSync(cache);
    expect(readdirSync(cache)).toEqual([entry]);
    // Proof that the second run reads the cache: an entry edited by hand shows in the review.
    const cached = JSON.parse(readFileSync(join(cache, entry), "utf8"));
    cached.state = cached.state.filter((resource: { name: string }) => !resource.name.startsWith("contoso-escalation"));
    writeFileSync(join(cache, entry), JSON.stringify(cached));
    const second = runCli("diff", ["--stack", "fabrikam", "--base", "main"], project);
    expect(first.stdout).toContain("JIT duration lowered from PT4H to PT2H");
    expect(second.stdout).toContain('delegation **added**: offer "Contoso Escalation" on Fabrikam (1 subscription)');
    // Another base commit is another entry.
    git(project, "commit", "-qam", "shorter JIT");
    runCli("diff", ["--stack", "fabrikam", "--base", "HEAD"], project);
    expect(readdirSync(cache)).toHaveLength(2);
  });

  it("exits 1 when a side is invalid", () => {
    const broken = committedProject();
    edit(broken, "offers/contoso-operations.yaml", "role: Reader", "role: Owner");
    const result = runCli("diff", ["--stack", "northwind", "--base", "main"], broken);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(
      /in the working tree: stack northwind is not valid:\noffers\/contoso-operations\.yaml:\d+:\d+: error: Owner cannot be used/,
    );
    // The base revision (run in a worker thread) reports the same way.
    git(broken, "commit", "-qam", "broken");
    edit(broken, "offers/contoso-operations.yaml", "role: Owner", "role: Reader");
    const base = runCli("diff", ["--stack", "northwind", "--base", "HEAD"], broken);
    expect(base.status).toBe(1);
    expect(base.stdout).toMatch(
      /at HEAD: stack northwind is not valid:\noffers\/contoso-operations\.yaml:\d+:\d+: error: Owner cannot be used/,
    );
  });
});
