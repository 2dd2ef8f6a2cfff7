import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./helpers/project";
import { GROUP_ENTRY, MG, load, messages, stackFile } from "./helpers/management-group";

// What the stack loader makes of management groups (no program run: in the mutation run).

describe("a stack's management groups", () => {
  it("resolve with their offer, location and remediation (default on)", () => {
    const { stack, diagnostics } = load(
      stackFile(`${GROUP_ENTRY}\n        - {managementGroupId: mg-b, location: northeurope, remediate: false}`),
    );
    expect(diagnostics).toEqual([]);
    expect(stack!.managementGroups.map(({ offer, ...target }) => [offer.name, target])).toEqual([
      ["Contoso Managed Operations", { managementGroupId: MG, location: "westeurope", remediate: true }],
      ["Contoso Managed Operations", { managementGroupId: "mg-b", location: "northeurope", remediate: false }],
    ]);
    expect(stack!.subscriptions).toEqual([]);
  });

  it("is refused where a subscription would be, and where the policy cannot work, all at once", () => {
    expect(
      messages(
        stackFile(
          [
            "      naming: samples",
            "      managementGroups:",
            `        - {managementGroupId: ${MG}, location: West Europe}`,
            `        - {managementGroupId: ${MG.toUpperCase()}, location: westeurope}`,
            "        - {managementGroupId: 'mg.', location: westeurope}",
          ].join("\n"),
        ),
      ),
    ).toEqual([
      "stacks/Pulumi.woodgrove.yaml:6:7: error: naming: samples is for subscriptions a template already onboarded; the management-group policy deploys the toolkit's names: list the management group in an entry without naming: samples",
      "stacks/Pulumi.woodgrove.yaml:7:60: error: an Azure region name in lower case without spaces, e.g. westeurope",
      `stacks/Pulumi.woodgrove.yaml:8:31: error: management group ${MG.toUpperCase()} is already listed for this offer (managementGroups[0])`,
      "stacks/Pulumi.woodgrove.yaml:9:31: error: a management group id is 1 to 90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.'",
    ]);
    expect(messages(stackFile(GROUP_ENTRY, "  lighthouse:mode: managing"))).toEqual([
      "stacks/Pulumi.woodgrove.yaml:6:7: error: managing mode deploys through existing delegations, which never cover a management group: the customer's onboarding stack deploys the management-group policy",
    ]);
    expect(messages(stackFile("      naming: toolkit"))).toEqual([
      "stacks/Pulumi.woodgrove.yaml:4:7: error: list the subscriptions (or managementGroups) this offer is delegated to",
    ]);
    // The customer's own tenant as the managing tenant: refused for a management group as for a subscription.
    expect(
      messages(
        stackFile(GROUP_ENTRY).replace("3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b", "83ace5cd-bcc3-441a-bd86-e6a75360cecc"),
      ),
    ).toEqual([
      "stacks/Pulumi.woodgrove.yaml:4:14: error: managedByTenantId 83ace5cd-bcc3-441a-bd86-e6a75360cecc is the customer's own tenant; a tenant cannot delegate to itself [managing-tenant-is-customer]",
    ]);
  });

  it("refuses two offers that would write the same policy at one management group", () => {
    const copy = readFileSync(join(REPO_ROOT, "offers", "contoso-operations.yaml"), "utf8");
    const text = `${stackFile(GROUP_ENTRY)}\n    - offer: offers/copy.yaml\n${GROUP_ENTRY}\n`;
    const { root, diagnostics } = load(text, { "offers/copy.yaml": copy });
    expect(
      diagnostics.map((diagnostic) => [diagnostic.line, diagnostic.column, diagnostic.message.replace(`${root}/`, "")]),
    ).toEqual([
      [
        8,
        14,
        `offers offers/contoso-operations.yaml and offers/copy.yaml deploy the same policy at management group ${MG} (the same name and managing tenant); rename one offer`,
      ],
    ]);
  });
});
