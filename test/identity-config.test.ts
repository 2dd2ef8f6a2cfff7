import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OfferCache } from "../src/offer/cache";
import { loadStack } from "../src/stack/load";
import { REPO_ROOT, tempProject } from "./helpers/project";

const FABRIKAM = readFileSync(join(REPO_ROOT, "stacks", "Pulumi.fabrikam.yaml"), "utf8");
const MANAGED = readFileSync(join(REPO_ROOT, "stacks", "Pulumi.northwind-managed.yaml"), "utf8");
const SUB = "9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d";

function messages(stackText: string) {
  const root = tempProject({ "stacks/Pulumi.test.yaml": stackText });
  const result = loadStack(join(root, "stacks", "Pulumi.test.yaml"), new OfferCache());
  return {
    stack: result.stack,
    lines: result.diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.message}`),
  };
}

/** Each case: one edit of an example stack that must produce one located error. */
const failing: Array<[string, string, [string, string], RegExp]> = [
  [
    "an identity name too short",
    FABRIKAM,
    ["name: id-contoso-automation", "name: id"],
    /^17:13 error identity name 'id' must be 3 to 128 characters/,
  ],
  [
    "a federated credential name starting with '-'",
    FABRIKAM,
    ["name: github-contoso-ops-production", "name: -github"],
    /^23:17 error federated credential name '-github' must be 3 to 120 characters/,
  ],
  [
    "a federated credential name of 121 characters",
    FABRIKAM,
    ["name: github-contoso-ops-production", `name: g${"x".repeat(120)}`],
    /^23:17 error federated credential name 'gx{120}' must be 3 to 120/,
  ],
  [
    "an http issuer",
    FABRIKAM,
    ["https://token.actions", "http://token.actions"],
    /^24:19 error issuer 'http:\/\/token\.actions\.githubusercontent\.com' must be an https URL/,
  ],
  [
    "an empty subject",
    FABRIKAM,
    ["subject: repo:contoso/fabrikam-ops:environment:production", 'subject: ""'],
    /^25:20 error subject must not be empty/,
  ],
  [
    "empty audiences",
    FABRIKAM,
    [
      "subject: repo:contoso/fabrikam-ops:environment:production",
      "subject: repo:contoso/fabrikam-ops:environment:production\n          audiences: []",
    ],
    /^26:11 error list at least one audience/,
  ],
  [
    "a duplicate issuer and subject",
    FABRIKAM,
    [
      "          subject: repo:contoso/fabrikam-ops:environment:production\n",
      "          subject: repo:contoso/fabrikam-ops:environment:production\n        - name: second\n          issuer: https://token.actions.githubusercontent.com\n          subject: repo:contoso/fabrikam-ops:environment:production\n",
    ],
    /^28:20 error issuer and subject are the same as federatedCredentials\[0\]/,
  ],
  [
    "21 federated credentials",
    FABRIKAM,
    [
      "          subject: repo:contoso/fabrikam-ops:environment:production\n",
      "          subject: repo:contoso/fabrikam-ops:environment:production\n" +
        Array.from(
          { length: 20 },
          (_, i) => `        - {name: cred-${i}, issuer: "https://issuer.example", subject: "s${i}"}\n`,
        ).join(""),
    ],
    /^22:7 error at most 20 federated credentials per identity/,
  ],
  [
    "an unknown isolation scope",
    FABRIKAM,
    ["tags: {owner: contoso, purpose: runbooks}", "isolationScope: Global"],
    /^21:23 error .*Regional/,
  ],
  [
    "a location that is no region name",
    FABRIKAM,
    ["location: westeurope", "location: west europe!"],
    /^20:17 error location 'west europe!' must be a region name/,
  ],
  [
    "a scope that is not an ARM scope",
    FABRIKAM,
    ["scope: /subscriptions/0afefe50-734e-4610-8a82-a144a2f49dea\n", "scope: subscriptions/abc\n"],
    /^28:18 error 'subscriptions\/abc' is not an ARM scope/,
  ],
  [
    "a role assignment outside the delegated scopes",
    FABRIKAM,
    [
      "scope: /subscriptions/0afefe50-734e-4610-8a82-a144a2f49dea\n",
      "scope: /subscriptions/11111111-2222-4333-8444-555555555555\n",
    ],
    /^28:18 error \/subscriptions\/11111111-2222-4333-8444-555555555555 is not inside any scope this customer delegated/,
  ],
  [
    "a role not in the User Access Administrator's delegatedRoles (managing)",
    MANAGED,
    ["        - role: Contributor\n", "        - role: Reader\n"],
    /^28:17 error Reader cannot be assigned through Lighthouse at \/subscriptions\/9b1c.*\/resourceGroups\/rg-app: offer 'Contoso Managed Operations' allows Contributor, Monitoring Contributor/,
  ],
  [
    "an identity in a group that is not delegated (managing)",
    MANAGED,
    ["resourceGroup: rg-app", "resourceGroup: rg-other"],
    /^19:22 error \/subscriptions\/9b1c.*\/resourceGroups\/rg-other is not inside any scope/,
  ],
  [
    "a system-assigned identity outside the delegated scopes (managing)",
    MANAGED,
    ["resourceGroups/rg-app/providers/Microsoft.Compute", "resourceGroups/rg-web/providers/Microsoft.Compute"],
    /^33:19 error .*rg-web\/providers\/Microsoft\.Compute\/virtualMachines\/vm-app-01 is not inside any scope/,
  ],
  [
    "a system-assigned identity given by a scope, not a resource id",
    MANAGED,
    ["resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/vm-app-01", "resourceGroups/rg-app"],
    /^33:19 error .* is not a resource id/,
  ],
  [
    "a duplicate identity",
    FABRIKAM + FABRIKAM.slice(FABRIKAM.indexOf("    - name: id-contoso")),
    ["", ""],
    /error identity 'id-contoso-automation' is already declared in entry 0/,
  ],
  [
    "an unknown identity key",
    FABRIKAM,
    ["      location: westeurope", "      region: westeurope"],
    /^20:7 error unknown key 'region'/,
  ],
  [
    "an unknown mode",
    MANAGED,
    ["lighthouse:mode: managing", "lighthouse:mode: remote"],
    /^5:20 error .*onboarding.*managing/,
  ],
];

describe("identity declarations", () => {
  it("the example stacks are valid, and resolve identities with defaults", () => {
    const { stack, lines } = messages(FABRIKAM);
    expect(lines).toEqual([]);
    expect(stack?.identities[0].federatedCredentials[0].audiences).toEqual(["api://AzureADTokenExchange"]);
    expect(stack?.identities[0].roleAssignments[1]).toEqual({
      roleDefinitionId: "9980e02c-c2be-4d73-94e8-173b1dc7cf3c",
      roleName: "Virtual Machine Contributor",
      scope: "/subscriptions/0afefe50-734e-4610-8a82-a144a2f49dea/resourceGroups/rg-app",
    });
    const managed = messages(MANAGED);
    expect(managed.lines).toEqual([]);
    expect(managed.stack).toMatchObject({
      mode: "managing",
      deploymentTenantId: "83ace5cd-bcc3-441a-bd86-e6a75360cecc",
    });
  });

  it.each(failing)("rejects %s", (_name, base, [from, to], expected) => {
    expect(base.includes(from)).toBe(true);
    const { stack, lines } = messages(base.replace(from, to));
    expect(stack).toBeUndefined();
    expect(
      lines.some((line) => expected.test(line)),
      lines.join("\n"),
    ).toBe(true);
  });

  it("accepts what the managing-mode cases refuse when done right", () => {
    const text = MANAGED.replace("        - role: Contributor\n", "        - role: Monitoring Contributor\n");
    expect(messages(text).lines).toEqual([]);
  });

  it("managing mode signs in to one managing tenant", () => {
    const otherTenantOffer = readFileSync(join(REPO_ROOT, "offers", "contoso-escalation.yaml"), "utf8").replace(
      "managedByTenantId: 83ace5cd-bcc3-441a-bd86-e6a75360cecc",
      "managedByTenantId: de83f4a9-a76a-4025-a91a-91171923eac7",
    );
    const root = tempProject({
      "offers/other.yaml": otherTenantOffer,
      "stacks/Pulumi.test.yaml": MANAGED.replace(
        "  lighthouse:identities:",
        `    - offer: offers/other.yaml\n      subscriptions: [{subscriptionId: ${SUB}}]\n  lighthouse:identities:`,
      ),
    });
    const { diagnostics } = loadStack(join(root, "stacks", "Pulumi.test.yaml"), new OfferCache());
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual([
      "5:20 managing mode signs in to one managing tenant, but the offers name 83ace5cd-bcc3-441a-bd86-e6a75360cecc and de83f4a9-a76a-4025-a91a-91171923eac7",
    ]);
  });

  it("a stack must deploy something, and managing mode needs delegations", () => {
    const empty = "config:\n  lighthouse:customer: {name: X, tenantId: 01c0bcd5-4f47-4e4b-b492-418b7e2a8854}\n";
    expect(messages(empty).lines).toEqual([
      "1:1 error the stack deploys nothing: list lighthouse:delegations (or identities)",
    ]);
    const identitiesOnly = MANAGED.replace(/ {2}lighthouse:delegations:\n(?: {4,}.*\n)+/, "");
    expect(messages(identitiesOnly).lines).toContain(
      "5:20 error managing mode works through delegations: list them under lighthouse:delegations",
    );
  });

  it("a stack without delegations (the MSP's own tenant) may assign roles anywhere", () => {
    const { stack, lines } = messages(readFileSync(join(REPO_ROOT, "stacks", "Pulumi.contoso-pipelines.yaml"), "utf8"));
    expect(lines).toEqual([]);
    expect(stack?.identities[0].roleAssignments[0].roleName).toBe("Storage Blob Data Contributor");
  });

  it("normalises scopes so that case never changes a name", () => {
    const text = FABRIKAM.replace(
      "scope: /subscriptions/0afefe50-734e-4610-8a82-a144a2f49dea/resourceGroups/rg-app",
      "scope: /SUBSCRIPTIONS/0AFEFE50-734E-4610-8A82-A144A2F49DEA/resourcegroups/rg-app",
    );
    const { stack } = messages(text);
    expect(stack?.identities[0].roleAssignments[1].scope).toBe(
      `/subscriptions/0afefe50-734e-4610-8a82-a144a2f49dea/resourceGroups/rg-app`,
    );
  });
});
