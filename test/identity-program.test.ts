import { describe, expect, it } from "vitest";
import { UserAssignedIdentity } from "@pulumi/azure-native/managedidentity";
import { RoleAssignment } from "@pulumi/azure-native/authorization";
import { Provider } from "@pulumi/azure-native/provider";
import { ManagedIdentity, SystemAssignedIdentityAccess, type ManagedIdentityArgs } from "../components";
import { accessView } from "../src/access/view";
import { runOffline, type RegisteredResource } from "../src/offline";
import { lighthouseProgram } from "../app/program";
import { PROJECT_NAME } from "../src/stack/schema";
import { REPO_ROOT } from "./helpers/project";

const MSP_TENANT = "83ace5cd-bcc3-441a-bd86-e6a75360cecc";
const FABRIKAM_SUB = "0afefe50-734e-4610-8a82-a144a2f49dea";
const NORTHWIND_SUB = "9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d";

const run = (stackName: string) =>
  runOffline(PROJECT_NAME, stackName, () => lighthouseProgram({ projectRoot: REPO_ROOT, stackName }));
const ofType = (resources: RegisteredResource[], type: string) =>
  resources.filter((resource) => resource.type === type);

describe("identities in onboarding mode (fabrikam)", () => {
  it("creates the user-assigned identity with the typed resource, in the right group and region", async () => {
    const { resources } = await run("fabrikam");
    const [identity] = ofType(resources, "azure-native:managedidentity:UserAssignedIdentity");
    expect(identity.name).toBe(`identity-${FABRIKAM_SUB}-rg-automation-id-contoso-automation-identity`);
    expect(identity.inputs).toEqual({
      resourceName: "id-contoso-automation",
      resourceGroupName: "rg-automation",
      location: "westeurope",
      tags: { owner: "contoso", purpose: "runbooks" },
    });
    expect(identity.providerName).toBe(`azure-${FABRIKAM_SUB}`);
  });

  it("adds the GitHub Actions OIDC credential with the default audience", async () => {
    const { resources } = await run("fabrikam");
    expect(
      ofType(resources, "azure-native:managedidentity:FederatedIdentityCredential").map(
        (credential) => credential.inputs,
      ),
    ).toEqual([
      {
        resourceGroupName: "rg-automation",
        resourceName: "id-contoso-automation",
        federatedIdentityCredentialResourceName: "github-contoso-ops-production",
        issuer: "https://token.actions.githubusercontent.com",
        subject: "repo:contoso/fabrikam-ops:environment:production",
        audiences: ["api://AzureADTokenExchange"],
      },
    ]);
  });

  it("assigns roles to the identity's principal as a service principal, without delegation", async () => {
    const { resources } = await run("fabrikam");
    const assignments = ofType(resources, "azure-native:authorization:RoleAssignment");
    expect(assignments.map((assignment) => assignment.inputs)).toEqual([
      {
        scope: `/subscriptions/${FABRIKAM_SUB}`,
        // guid(lower-case identity id, role, scope) and the offline principal stand-in: Python's uuid5.
        roleAssignmentName: "73e417ed-3088-50d8-b914-a595d848909a",
        roleDefinitionId: `/subscriptions/${FABRIKAM_SUB}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`,
        principalId: "d17abbf3-af78-5a40-8f44-2369f70cac24",
        principalType: "ServicePrincipal",
      },
      expect.objectContaining({
        scope: `/subscriptions/${FABRIKAM_SUB}/resourceGroups/rg-app`,
        roleDefinitionId: `/subscriptions/${FABRIKAM_SUB}/providers/Microsoft.Authorization/roleDefinitions/9980e02c-c2be-4d73-94e8-173b1dc7cf3c`,
      }),
    ]);
    expect(assignments[1].inputs).not.toHaveProperty("delegatedManagedIdentityResourceId");
  });
});

describe("identities in managing mode (northwind-managed)", () => {
  it("deploys no delegation, and signs in to the managing tenant", async () => {
    const { resources } = await run("northwind-managed");
    expect(resources.filter((resource) => resource.type.startsWith("azure-native:managedservices"))).toEqual([]);
    expect(ofType(resources, "pulumi:providers:azure-native").map((provider) => provider.inputs)).toEqual([
      expect.objectContaining({ subscriptionId: NORTHWIND_SUB, tenantId: MSP_TENANT }),
    ]);
  });

  it("deploys an identity with isolationScope at API 2024-11-30", async () => {
    const { resources } = await run("northwind-managed");
    expect(ofType(resources, "azure-native:managedidentity:UserAssignedIdentity")).toEqual([]);
    const [identity] = ofType(resources, "azure-native:resources:Resource");
    expect(identity.inputs).toEqual({
      apiVersion: "2024-11-30",
      resourceProviderNamespace: "Microsoft.ManagedIdentity",
      parentResourcePath: "",
      resourceType: "userAssignedIdentities",
      resourceName: "id-policy-remediation",
      resourceGroupName: "rg-app",
      location: "westeurope",
      properties: { isolationScope: "Regional" },
    });
  });

  it("marks every role assignment as delegated, naming the customer's managed identity", async () => {
    const { resources } = await run("northwind-managed");
    const identityId = `/subscriptions/${NORTHWIND_SUB}/resourceGroups/rg-app/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-policy-remediation`;
    const vmId = `/subscriptions/${NORTHWIND_SUB}/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/vm-app-01`;
    // Registration order follows output resolution, not the file: compare sorted.
    const assignments = ofType(resources, "azure-native:authorization:RoleAssignment");
    expect(
      assignments
        .map((assignment) => [assignment.inputs.delegatedManagedIdentityResourceId, assignment.inputs.roleDefinitionId])
        .sort(),
    ).toEqual([
      [
        vmId,
        `/subscriptions/${NORTHWIND_SUB}/providers/Microsoft.Authorization/roleDefinitions/749f88d5-cbae-40b8-bcfc-e573ddc772fa`,
      ],
      [
        identityId,
        `/subscriptions/${NORTHWIND_SUB}/providers/Microsoft.Authorization/roleDefinitions/749f88d5-cbae-40b8-bcfc-e573ddc772fa`,
      ],
      [
        identityId,
        `/subscriptions/${NORTHWIND_SUB}/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c`,
      ],
    ]);
  });

  it("looks up the VM's system-assigned principal with the seed's get-by-scope call", async () => {
    const { resources } = await run("northwind-managed");
    const vmAssignment = ofType(resources, "azure-native:authorization:RoleAssignment").find((assignment) =>
      assignment.name.startsWith("system-identity-"),
    )!;
    // runOffline answers getResource only for .../providers/Microsoft.ManagedIdentity/identities/default of that VM.
    // guid("offline", "principal", "rg:rg-app/microsoft.compute/virtualmachines/vm-app-01/providers/microsoft.managedidentity"): Python's uuid5.
    expect(vmAssignment.inputs.principalId).toBe("edb9fc80-7f49-5d4c-a8e5-32642dbbadf4");
    const component = /^(system-identity-vm-app-01-[0-9a-f]{8})-role-/.exec(vmAssignment.name)![1];
    expect(vmAssignment.name).toBe(`${component}-role-${vmAssignment.inputs.roleAssignmentName}`);
    expect(vmAssignment.aliases).toEqual([`${component}-role-0`]);
  });

  it("names are identical across runs", async () => {
    const names = async () =>
      (await run("northwind-managed")).resources.map(
        (resource) => `${resource.urn} ${resource.inputs.roleAssignmentName ?? ""}`,
      );
    expect(await names()).toEqual(await names());
  });
});

describe("the pipelines' own identity (contoso-pipelines)", () => {
  it("has the OIDC credentials the workflows sign in with, in the MSP's tenant", async () => {
    const { resources } = await run("contoso-pipelines");
    expect(ofType(resources, "pulumi:providers:azure-native").map((provider) => provider.inputs.tenantId)).toEqual([
      MSP_TENANT,
    ]);
    expect(
      ofType(resources, "azure-native:managedidentity:FederatedIdentityCredential").map((credential) => [
        credential.inputs.issuer,
        credential.inputs.subject,
      ]),
    ).toEqual([
      // No pull-request subject: pull requests run offline and get no token.
      ["https://token.actions.githubusercontent.com", "repo:contoso/lighthouse:environment:production"],
      [
        "https://vstoken.dev.azure.com/6f7e8d9c-0b1a-4c2d-9e3f-4a5b6c7d8e9f",
        "sc://contoso/lighthouse/lighthouse-production",
      ],
    ]);
    expect(resources.some((resource) => resource.type.startsWith("azure-native:managedservices"))).toBe(false);
    expect(ofType(resources, "azure-native:authorization:RoleAssignment")[0].inputs.roleDefinitionId).toMatch(
      /\/roleDefinitions\/ba92f5b4-2d11-453d-a403-e96b0029c9fe$/,
    );
  });
});

describe("ManagedIdentity on its own", () => {
  const identityAlone = (args: Partial<ManagedIdentityArgs>) =>
    runOffline(
      "any",
      "dev",
      () =>
        new ManagedIdentity("mi", {
          identityName: "mi-test",
          subscriptionId: FABRIKAM_SUB,
          resourceGroupName: "rg",
          location: "westeurope",
          ...args,
        }),
    );

  it("names role assignments from their content: removing one renames none, and the old positional names are aliases", async () => {
    const reader = {
      roleDefinitionId: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
      scope: `/subscriptions/${FABRIKAM_SUB}`,
    };
    const contributor = {
      roleDefinitionId: "b24988ac-6180-42a0-ab88-20f7382dd24c",
      scope: `/subscriptions/${FABRIKAM_SUB}/resourceGroups/rg-app`,
    };
    const assignmentsOf = async (roleAssignments: Array<typeof reader>) => {
      const { resources } = await identityAlone({ roleAssignments });
      return ofType(resources, "azure-native:authorization:RoleAssignment").map(({ name, aliases }) => ({
        name,
        aliases,
      }));
    };
    const both = await assignmentsOf([reader, contributor]);
    const contributorOnly = await assignmentsOf([contributor]);
    // Azure's names for these two assignments, guid(identity id, role, scope), computed independently (Python uuid5).
    const readerName = "mi-role-563d50ef-ae0d-5a50-a920-04d5b2174e04";
    const contributorName = "mi-role-96758edc-8b31-5241-b022-cff0e8a3f3f6";
    expect(both).toEqual([
      { name: readerName, aliases: ["mi-role-0"] },
      { name: contributorName, aliases: ["mi-role-1"] },
    ]);
    // Without the first, the second keeps its name: Pulumi sees no change (the alias only maps old stacks).
    expect(contributorOnly).toEqual([{ name: contributorName, aliases: ["mi-role-0"] }]);
  });

  it("registers its outputs: client, principal and tenant ids and the identity's resource id", async () => {
    const { resources } = await runOffline("any", "dev", () => {
      const provider = new Provider("customer", { subscriptionId: FABRIKAM_SUB, tenantId: MSP_TENANT });
      new ManagedIdentity(
        "mi",
        { identityName: "mi-test", subscriptionId: FABRIKAM_SUB, resourceGroupName: "rg", location: "westeurope" },
        { providers: [provider] },
      );
    });
    const [component] = ofType(resources, "lighthouse:identity:ManagedIdentity");
    // The offline stand-ins for Azure's ids: guid("offline", kind, lower-case identity id), from Python's uuid5.
    expect(component.outputs).toEqual({
      clientId: "ceec9572-b00c-5623-8624-3432df646708",
      principalId: "119a6375-b396-5f18-ba07-5d6b906fab97",
      tenantId: MSP_TENANT,
      resourceId: `/subscriptions/${FABRIKAM_SUB}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/mi-test`,
    });
  });

  it("writes federated credentials one after another, never concurrently", async () => {
    const credentials = ["one", "two", "three"].map((name) => ({
      name,
      issuer: "https://issuer.example",
      subject: `s-${name}`,
    }));
    const { resources } = await identityAlone({ federatedCredentials: credentials });
    const [identity] = ofType(resources, "azure-native:managedidentity:UserAssignedIdentity");
    const written = ofType(resources, "azure-native:managedidentity:FederatedIdentityCredential");
    expect(written.map((credential) => credential.name)).toEqual(["mi-fic-one", "mi-fic-two", "mi-fic-three"]);
    expect(written[0].dependencies).toContain(identity.urn);
    expect(written[1].dependencies).toContain(written[0].urn);
    expect(written[2].dependencies).toContain(written[1].urn);
    for (const credential of written)
      expect(resources.find((resource) => resource.urn === credential.parentUrn)?.type).toBe(
        "lighthouse:identity:ManagedIdentity",
      );
  });
});

describe("the access view links identities and roles as Azure does, not by the program's layout", () => {
  const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
  const CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c";
  const VM = `/subscriptions/${FABRIKAM_SUB}/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/vm-1`;

  it("plain azure-native resources (no component, no parent) and a system-assigned identity's registered outputs", async () => {
    const { resources } = await runOffline("any", "dev", () => {
      const identity = new UserAssignedIdentity("plain", {
        resourceName: "id-plain",
        resourceGroupName: "rg-plain",
        location: "northeurope",
      });
      new RoleAssignment("plain-reader", {
        scope: `/subscriptions/${FABRIKAM_SUB}`,
        roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${READER}`,
        principalId: identity.principalId,
        principalType: "ServicePrincipal",
      });
      // Someone else's principal: no identity of the stack holds this role.
      new RoleAssignment("other", {
        scope: `/subscriptions/${FABRIKAM_SUB}`,
        roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${READER}`,
        principalId: "11111111-2222-3333-4444-555555555555",
      });
      new SystemAssignedIdentityAccess("vm", {
        resourceId: VM,
        roleAssignments: [
          { roleDefinitionId: CONTRIBUTOR, scope: `/subscriptions/${FABRIKAM_SUB}/resourceGroups/rg-app` },
        ],
      });
    });
    expect(accessView(resources)).toEqual({
      delegations: [],
      identities: [
        {
          name: VM,
          kind: "system-assigned",
          federatedCredentials: [],
          roleAssignments: [
            {
              role: "Contributor",
              roleId: CONTRIBUTOR,
              scope: `/subscriptions/${FABRIKAM_SUB}/resourceGroups/rg-app`,
              delegated: false,
            },
          ],
        },
        {
          name: "id-plain",
          kind: "user-assigned",
          resourceGroup: "rg-plain",
          location: "northeurope",
          federatedCredentials: [],
          roleAssignments: [
            { role: "Reader", roleId: READER, scope: `/subscriptions/${FABRIKAM_SUB}`, delegated: false },
          ],
        },
      ],
    });
  });
});
