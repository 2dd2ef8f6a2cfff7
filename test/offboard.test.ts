import { describe, expect, it } from "vitest";
import { offboardingText, planOffboarding } from "../src/offboard/offboard";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, runCli, tempProject } from "./helpers/project";

/** npm run offboard: the whole plan is compared, line by line. */
const SUB = "0afefe50-734e-4610-8a82-a144a2f49dea";
const URN = (type: string, name: string) =>
  `urn:pulumi:fabrikam::lighthouse::lighthouse:delegation:LighthouseDelegation$azure-native:managedservices:${type}::${name}`;

describe("npm run offboard", () => {
  it("one offer: the access that ends, the access it also ends, and the commands in order", async () => {
    // The escalation offer as it shipped before: its Delete Role held by the operations offer's principal too.
    const sharing = readFileSync(join(REPO_ROOT, "offers", "contoso-escalation.yaml"), "utf8").replace(
      /principalId: 7a1c3e5f-9b2d-4f6a-8c0e-2d4f6a8c0e1b\n\s+principalIdDisplayName: Escalation offboarding automation/,
      "principalId: 5d7e9f10-2b3c-4d5e-9f60-718293a4b5c6\n    principalIdDisplayName: Offboarding automation",
    );
    const root = tempProject({ "offers/contoso-escalation.yaml": sharing });
    // Outside the working directory, an offer file is named by its absolute path.
    const plan = await planOffboarding(root, "fabrikam", join(root, "offers", "contoso-escalation.yaml"));
    expect(offboardingText(plan, "stacks/Pulumi.fabrikam.yaml").split("\n")).toEqual([
      `Offboarding "Contoso Escalation" from stack fabrikam (Fabrikam). Nothing is deleted by this command.`,
      "",
      "Access that ends:",
      `  "Contoso Escalation" in subscription ${SUB}, at /subscriptions/${SUB}`,
      "    permanent  Escalation engineers (3e0ed8c6-e902-4fc5-863c-e3ddbb2ae2a2): Reader",
      "    permanent  Offboarding automation (5d7e9f10-2b3c-4d5e-9f60-718293a4b5c6): Managed Services Registration assignment Delete Role",
      "    eligible   Escalation engineers (3e0ed8c6-e902-4fc5-863c-e3ddbb2ae2a2): Contributor; MFA Azure; up to PT4H; approvers: Duty managers (d9b22cd6-6407-43cc-8c60-07c56df0b51a)",
      "",
      "Warning: removing these delegations also removes access another delegation grants (same principal, role and scope):",
      `  Offboarding automation (5d7e9f10-2b3c-4d5e-9f60-718293a4b5c6): Managed Services Registration assignment Delete Role at /subscriptions/${SUB}, also granted by "Contoso Managed Operations": Azure removes it from that delegation too, and a plain pulumi up does not restore it; afterwards re-create that delegation's assignment: pulumi up --stack fabrikam --replace '${URN("RegistrationAssignment", `contoso-operations-${SUB}-subscription`)}'`,
      "",
      "Then, in this order (registration assignments before definitions):",
      `  1. pulumi destroy --stack fabrikam --target '${URN("RegistrationAssignment", `contoso-escalation-${SUB}-subscription`)}' --yes`,
      `  2. pulumi destroy --stack fabrikam --target '${URN("RegistrationDefinition", `contoso-escalation-${SUB}-definition`)}' --yes`,
      "  3. remove the offer's entry from stacks/Pulumi.fabrikam.yaml, or the next pulumi up creates the delegation again",
      "",
      "Or without Pulumi, signed in to the customer's tenant; from the managing tenant, a principal with the Managed Services Registration assignment Delete Role may run the assignment deletions only (it allows registrationAssignments/delete, not definitions, which go with the customer):",
      // guid(definition, scope) and guid(tenant, name), computed with Python's uuid.uuid5 under ARM's namespace.
      `  az rest --method delete --url "https://management.azure.com/subscriptions/${SUB}/providers/Microsoft.ManagedServices/registrationAssignments/466ff95e-6a97-50a7-b7c0-bfdec6e7c6e0?api-version=2022-10-01"`,
      `  az rest --method delete --url "https://management.azure.com/subscriptions/${SUB}/providers/Microsoft.ManagedServices/registrationDefinitions/21490c93-e56b-5e37-a1ab-a6af9fa3c920?api-version=2022-10-01"`,
      `  ("Contoso Escalation" gives the Delete Role to Offboarding automation (5d7e9f10-2b3c-4d5e-9f60-718293a4b5c6))`,
    ]);
  });

  it("the whole customer: every delegation, assignments of every resource group before any definition", async () => {
    const plan = await planOffboarding(REPO_ROOT, "northwind");
    expect(plan.shared).toEqual([]);
    expect(
      plan.pulumi.map((command) =>
        command
          .replace(
            /^pulumi destroy --stack northwind --target 'urn:pulumi:northwind::lighthouse::lighthouse:delegation:LighthouseDelegation\$azure-native:managedservices:/,
            "",
          )
          .replace(/' --yes$/, ""),
      ),
    ).toEqual([
      "RegistrationAssignment::contoso-operations-9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d-rg-rg-app",
      "RegistrationAssignment::contoso-operations-9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d-rg-rg-data",
      "RegistrationAssignment::contoso-operations-a4b5c6d7-e8f9-4a0b-8c1d-2e3f4a5b6c7d-rg-rg-shared",
      "RegistrationDefinition::contoso-operations-9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d-definition",
      "RegistrationDefinition::contoso-operations-a4b5c6d7-e8f9-4a0b-8c1d-2e3f4a5b6c7d-definition",
    ]);
    // guid(guid(tenant, 'Contoso Managed Operations'), scope): Python's uuid.uuid5 under ARM's namespace.
    expect(plan.azure[0]).toBe(
      `az rest --method delete --url "https://management.azure.com/subscriptions/9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d/resourceGroups/rg-app/providers/Microsoft.ManagedServices/registrationAssignments/9766917c-a15f-5b2d-b90d-2c7561547439?api-version=2022-10-01"`,
    );
  });

  it.each([
    [
      ["--stack", "northwind-managed"],
      "error: stack northwind-managed only lists its delegations (managing mode): offboard through the stack that deploys them\n",
    ],
    [
      ["--stack", "fabrikam", "--offer", "offers/nope.yaml"],
      "error: stack fabrikam delegates no offer from offers/nope.yaml\n",
    ],
    [["--stack", "contoso-pipelines"], "error: stack contoso-pipelines delegates nothing\n"],
  ])("refuses %j with exit 2", (args, stderr) => {
    expect(runCli("offboard", args)).toMatchObject({ status: 2, stderr, stdout: "" });
  });
});
