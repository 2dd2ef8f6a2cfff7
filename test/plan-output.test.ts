import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { RegistrationAssignment, RegistrationDefinition } from "@pulumi/azure-native/managedservices";
import { UserAssignedIdentity } from "@pulumi/azure-native/managedidentity";
import { RoleAssignment } from "@pulumi/azure-native/authorization";
import { Provider } from "@pulumi/azure-native/provider";
import { policyPackServer } from "./helpers/pack";
import * as pulumi from "@pulumi/pulumi";
import { PolicyPackError, PolicyPackServer } from "../src/crossguard/analyzer";
import { AnalysisThread } from "../src/crossguard/analysisThread";
import { accessView } from "../src/access/view";
import { hasMandatoryViolations, planJson, planProgram, planText, stackState, type Plan } from "../src/plan/plan";
import { REPO_ROOT } from "./helpers/project";

const pack = policyPackServer();
const SUB = "0afefe50-734e-4610-8a82-a144a2f49dea";
const URN = "urn:pulumi:probe::lighthouse::";
const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const IDENTITY_ID = `/subscriptions/${SUB}/resourceGroups/rg-automation/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-automation`;

/** A program written by hand with every option the plan shows: no stack file, no offer file. */
function program() {
  // The SDK sends a provider's configuration as strings: the plan shows what the engine receives.
  const provider = new Provider("customer", {
    subscriptionId: SUB,
    tenantId: "0e06d6a3-55ae-40a3-ac29-350808980808",
    useMsi: false,
  });
  const definition = new RegistrationDefinition(
    "ops-definition",
    {
      scope: `/subscriptions/${SUB}`,
      registrationDefinitionId: "2370eb03-671f-565d-8fcd-c1bc9e0fe4b8",
      properties: {
        registrationDefinitionName: "Ops",
        managedByTenantId: "83ace5cd-bcc3-441a-bd86-e6a75360cecc",
        authorizations: [
          {
            principalId: "f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc",
            principalIdDisplayName: "Tier 1",
            roleDefinitionId: READER,
          },
        ],
      },
    },
    { provider },
  );
  new RegistrationAssignment(
    "ops-assignment",
    {
      scope: `/subscriptions/${SUB}`,
      registrationAssignmentId: "9766917c-a15f-5b2d-b90d-2c7561547439",
      properties: { registrationDefinitionId: definition.id },
    },
    { provider, deleteBeforeReplace: true },
  );
  const identity = new UserAssignedIdentity(
    "automation",
    { resourceName: "id-automation", resourceGroupName: "rg-automation", location: "westeurope" },
    { provider, aliases: [{ name: "old-automation" }], import: IDENTITY_ID },
  );
  new RoleAssignment(
    "automation-reader",
    {
      scope: `/subscriptions/${SUB}`,
      roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${READER}`,
      principalId: identity.principalId,
      principalType: "ServicePrincipal",
    },
    { provider, dependsOn: [definition] },
  );
  return { customer: "Probe Customer" };
}

describe("the plan of a hand-written program", () => {
  let plan: Plan;
  const planned = async () => (plan ??= await planProgram("probe", program, { pack: pack() }));

  it("lists every custom resource by type and name, with the inputs and options that reach Azure", async () => {
    expect((await planned()).customer).toBe("Probe Customer");
    expect(planJson(await planned())).toEqual({
      stack: "probe",
      resources: [
        {
          type: "azure-native:authorization:RoleAssignment",
          name: "automation-reader",
          inputs: {
            // Azure generates the principal id at deploy time: never the offline stand-in.
            principalId: "[unknown until deployed]",
            principalType: "ServicePrincipal",
            roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${READER}`,
            scope: `/subscriptions/${SUB}`,
          },
          options: {
            // The identity whose output it takes, and the explicit dependsOn, sorted.
            dependsOn: [
              `${URN}azure-native:managedidentity:UserAssignedIdentity::automation`,
              `${URN}azure-native:managedservices:RegistrationDefinition::ops-definition`,
            ],
            provider: "customer",
          },
        },
        {
          type: "azure-native:managedidentity:UserAssignedIdentity",
          name: "automation",
          inputs: { location: "westeurope", resourceGroupName: "rg-automation", resourceName: "id-automation" },
          options: { dependsOn: [], import: IDENTITY_ID, provider: "customer", aliases: ["old-automation"] },
        },
        {
          type: "azure-native:managedservices:RegistrationAssignment",
          name: "ops-assignment",
          inputs: {
            properties: {
              registrationDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.ManagedServices/registrationDefinitions/2370eb03-671f-565d-8fcd-c1bc9e0fe4b8`,
            },
            registrationAssignmentId: "9766917c-a15f-5b2d-b90d-2c7561547439",
            scope: `/subscriptions/${SUB}`,
          },
          options: {
            dependsOn: [`${URN}azure-native:managedservices:RegistrationDefinition::ops-definition`],
            deleteBeforeReplace: true,
            provider: "customer",
          },
        },
        {
          type: "azure-native:managedservices:RegistrationDefinition",
          name: "ops-definition",
          inputs: {
            properties: {
              authorizations: [
                {
                  principalId: "f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc",
                  principalIdDisplayName: "Tier 1",
                  roleDefinitionId: READER,
                },
              ],
              managedByTenantId: "83ace5cd-bcc3-441a-bd86-e6a75360cecc",
              registrationDefinitionName: "Ops",
            },
            registrationDefinitionId: "2370eb03-671f-565d-8fcd-c1bc9e0fe4b8",
            scope: `/subscriptions/${SUB}`,
          },
          options: { dependsOn: [], provider: "customer" },
        },
        {
          type: "pulumi:providers:azure-native",
          name: "customer",
          // azure-native's provider adds its default environment.
          inputs: {
            environment: "public",
            subscriptionId: SUB,
            tenantId: "0e06d6a3-55ae-40a3-ac29-350808980808",
            useMsi: "false",
          },
          options: { dependsOn: [] },
        },
      ],
      violations: [
        {
          policy: "lighthouse-recommend-delete-role",
          enforcementLevel: "advisory",
          message:
            "properties.authorizations: no authorization has the Managed Services Registration assignment Delete Role: only the customer will be able to remove this delegation",
          resource: {
            type: "azure-native:managedservices:RegistrationDefinition",
            name: "ops-definition",
            urn: `${URN}azure-native:managedservices:RegistrationDefinition::ops-definition`,
          },
        },
      ],
    });
  });

  it("keeps JSON keys sorted at every depth (byte-stable output)", async () => {
    const [, , , definition] = planJson(await planned()).resources;
    expect(Object.keys(definition.inputs)).toEqual(["properties", "registrationDefinitionId", "scope"]);
    expect(Object.keys(definition.inputs.properties as object)).toEqual([
      "authorizations",
      "managedByTenantId",
      "registrationDefinitionName",
    ]);
  });

  it("says who gets what where, then the violations, and takes the customer from the program", async () => {
    expect(planText(await planned()).split("\n")).toEqual([
      "Plan for stack probe: 5 resources",
      "",
      `Subscription ${SUB}`,
      '  Offer "Ops" (managing tenant 83ace5cd-bcc3-441a-bd86-e6a75360cecc, definition 2370eb03-671f-565d-8fcd-c1bc9e0fe4b8)',
      `    delegated scopes: /subscriptions/${SUB}`,
      "    permanent  Tier 1 (f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc): Reader",
      "  Identity id-automation (rg-automation, westeurope)",
      `    role       Reader at /subscriptions/${SUB}`,
      "",
      "Policy violations:",
      "  advisory lighthouse-recommend-delete-role on ops-definition: properties.authorizations: no authorization has the Managed Services Registration assignment Delete Role: only the customer will be able to remove this delegation",
    ]);
    expect(plan.customer).toBe("Probe Customer");
    expect(hasMandatoryViolations(plan)).toBe(false);
  });
});

class Wrapper extends pulumi.ComponentResource {
  constructor(name: string) {
    super("test:plan:Wrapper", name, {});
  }
}

describe("the plan of a program that breaks a mandatory policy inside a component", () => {
  const OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
  const DELETE_ROLE = "91c1777a-f3dc-4fae-b103-61d183457e46";
  const rogue = () =>
    planProgram(
      "rogue",
      () => {
        const wrapper = new Wrapper("wrapper");
        new RegistrationDefinition(
          "rogue",
          {
            scope: `/subscriptions/${SUB}`,
            registrationDefinitionId: "11111111-2222-4333-8444-555555555555",
            properties: {
              registrationDefinitionName: "Rogue",
              managedByTenantId: "83ace5cd-bcc3-441a-bd86-e6a75360cecc",
              authorizations: [
                {
                  principalId: "f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc",
                  principalIdDisplayName: "Tier 1",
                  roleDefinitionId: OWNER,
                },
                {
                  principalId: "5d7e9f10-2b3c-4d5e-9f60-718293a4b5c6",
                  principalIdDisplayName: "Offboarding",
                  roleDefinitionId: DELETE_ROLE,
                },
              ],
            },
          },
          { parent: wrapper },
        );
      },
      { pack: pack() },
    );

  it("lists only custom resources, with the component as their parent, and fails on the mandatory violation", async () => {
    const plan = await rogue();
    expect(plan.resources.map(({ type, name, options }) => ({ type, name, options }))).toEqual([
      {
        type: "azure-native:managedservices:RegistrationDefinition",
        name: "rogue",
        options: { parent: "urn:pulumi:rogue::lighthouse::test:plan:Wrapper::wrapper", dependsOn: [] },
      },
    ]);
    expect("customer" in plan).toBe(false);
    expect(hasMandatoryViolations(plan)).toBe(true);
    expect(planText(plan).split("\n").slice(-2)).toEqual([
      "Policy violations:",
      "  mandatory lighthouse-role-not-supported on rogue: properties.authorizations.0.roleDefinitionId: Owner cannot be used with Azure Lighthouse: Azure Lighthouse does not support the Owner role; use Contributor (plus User Access Administrator with delegatedRoles to assign roles to managed identities) instead (role data: az role definition list (built-in roles), snapshot of 2026-08-22)",
    ]);
  });

  it("says there are none when no policy objects", async () => {
    const plan = await planProgram("quiet", () => new Wrapper("nothing"), { pack: pack() });
    expect(planText(plan)).toBe("Plan for stack quiet: 0 resources\n\nPolicy violations: none");
    expect(hasMandatoryViolations(plan)).toBe(false);
  });

  it("fails with the pack's error and what the pack wrote to stderr when a policy fails", async () => {
    const directory = join(__dirname, "fixtures", "failing-pack");
    const failing = await PolicyPackServer.start({
      directory,
      entry: join(directory, "index.ts"),
      execArgv: ["--import", "tsx"],
    });
    try {
      const failure = await planProgram("broken", program, { pack: failing }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(PolicyPackError);
      // CrossGuard's report (with the failing policy's stack), then the pack's stderr.
      const lines = (failure as Error).message.split("\n");
      expect(lines.slice(0, 2)).toEqual([
        "policy pack: Error validating resource with policy 'always-fails' from policy pack 'failing@v0.0.1':",
        "Error: rule data not found",
      ]);
      // The failing policy's own frame first (its path and line vary: a checkout, a mutation sandbox).
      expect(lines[2]).toMatch(/^ {4}at validateResource \(.+\/failing-pack\/index\.ts:\d+:\d+\)$/);
      expect(lines.slice(3, -1).filter((line) => !line.startsWith("    at "))).toEqual([]);
      expect(lines.at(-1)).toBe("failing pack: rule data not found");
    } finally {
      failing.close();
    }
  });

  it("a program that fails fails the plan with its own error, and leaves no analysis running", async () => {
    const close = vi.spyOn(AnalysisThread.prototype, "close");
    try {
      const error = new pulumi.RunError("stack broken is not valid");
      const failing = () => {
        new Wrapper("before");
        throw error;
      };
      await expect(planProgram("broken", failing, { pack: pack() })).rejects.toBe(error);
      await vi.waitFor(() => expect(close).toHaveBeenCalledTimes(1));
    } finally {
      close.mockRestore();
    }
  });

  it("fails, with nothing left unhandled, when the policy pack cannot start", async () => {
    const failed = Promise.reject(new PolicyPackError("the policy pack did not start within a minute"));
    await expect(planProgram("nopack", () => new Wrapper("nothing"), { pack: failed })).rejects.toThrow(
      "the policy pack did not start within a minute",
    );
  });
});

describe("a stack's access without the policy pack", () => {
  it("is the customer and who gets what where", async () => {
    const { customer, state } = await stackState(REPO_ROOT, "northwind");
    const access = accessView(state);
    expect(customer).toBe("Northwind Traders");
    expect(access.identities).toEqual([]);
    expect(access.delegations.map((delegation) => [delegation.subscriptionId, delegation.scopes])).toEqual([
      [
        "9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d",
        [
          "/subscriptions/9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d/resourceGroups/rg-app",
          "/subscriptions/9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d/resourceGroups/rg-data",
        ],
      ],
      [
        "a4b5c6d7-e8f9-4a0b-8c1d-2e3f4a5b6c7d",
        ["/subscriptions/a4b5c6d7-e8f9-4a0b-8c1d-2e3f4a5b6c7d/resourceGroups/rg-shared"],
      ],
    ]);
  });
});
