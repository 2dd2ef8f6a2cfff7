import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { runOffline, type RegisteredResource } from "../src/offline";
import { lighthouseProgram } from "../app/program";
import { PROJECT_NAME } from "../src/stack/schema";
import { REPO_ROOT, tempProject } from "./helpers/project";

const DEFINITION = "azure-native:managedservices:RegistrationDefinition";
const ASSIGNMENT = "azure-native:managedservices:RegistrationAssignment";
const PROVIDER = "pulumi:providers:azure-native";
const COMPONENT = "lighthouse:delegation:LighthouseDelegation";

// guid(managing tenant, offer name) and guid(definition, scope) below: Python's uuid.uuid5 under ARM's namespace.
const OPERATIONS_GUID = "2370eb03-671f-565d-8fcd-c1bc9e0fe4b8";
const ESCALATION_GUID = "21490c93-e56b-5e37-a1ab-a6af9fa3c920";
const SUB_1 = "0afefe50-734e-4610-8a82-a144a2f49dea";
const SUB_2 = "6c8b2e14-9d3f-4a5b-8c7d-1e2f3a4b5c6d";

async function run(stackName: string, projectRoot = REPO_ROOT) {
  const { resources, result } = await runOffline(PROJECT_NAME, stackName, () =>
    lighthouseProgram({ projectRoot, stackName }),
  );
  const ofType = (type: string) => resources.filter((resource) => resource.type === type);
  return { resources, result, ofType };
}

const byName = (resources: RegisteredResource[], name: string) => resources.find((resource) => resource.name === name)!;

describe("stack program: whole subscriptions (fabrikam)", () => {
  it("registers one provider for the delegations and one per subscription holding identities, all in the customer's tenant", async () => {
    const { ofType } = await run("fabrikam");
    expect(ofType(PROVIDER).map((provider) => [provider.name, provider.inputs])).toEqual([
      // The delegations' subscription is only what azure-native signs in with: their URLs take the full scope.
      [
        "azure-delegations",
        { environment: "public", subscriptionId: SUB_1, tenantId: "0e06d6a3-55ae-40a3-ac29-350808980808" },
      ],
      [
        `azure-${SUB_1}`,
        { environment: "public", subscriptionId: SUB_1, tenantId: "0e06d6a3-55ae-40a3-ac29-350808980808" },
      ],
    ]);
  });

  it("sends the offer as the API's RegistrationDefinitionProperties, at /subscriptions/<id>", async () => {
    const { resources } = await run("fabrikam");
    const definition = byName(resources, `contoso-operations-${SUB_1}-definition`);
    expect(definition.type).toBe(DEFINITION);
    expect(definition.providerName).toBe("azure-delegations");
    expect(definition.inputs).toEqual({
      scope: `/subscriptions/${SUB_1}`,
      registrationDefinitionId: OPERATIONS_GUID,
      properties: {
        registrationDefinitionName: "Contoso Managed Operations",
        description: "24x7 operations by Contoso",
        managedByTenantId: "83ace5cd-bcc3-441a-bd86-e6a75360cecc",
        authorizations: [
          {
            principalId: "f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc",
            principalIdDisplayName: "Tier 1 Support",
            roleDefinitionId: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
          },
          {
            principalId: "0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7",
            principalIdDisplayName: "Operations engineers",
            roleDefinitionId: "b24988ac-6180-42a0-ab88-20f7382dd24c",
          },
          {
            principalId: "2b4d6f80-1a3c-4e5f-8a9b-0c1d2e3f4a5b",
            principalIdDisplayName: "Identity admins",
            roleDefinitionId: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
            delegatedRoleDefinitionIds: [
              "b24988ac-6180-42a0-ab88-20f7382dd24c",
              "749f88d5-cbae-40b8-bcfc-e573ddc772fa",
            ],
          },
          {
            principalId: "5d7e9f10-2b3c-4d5e-9f60-718293a4b5c6",
            principalIdDisplayName: "Offboarding automation",
            roleDefinitionId: "91c1777a-f3dc-4fae-b103-61d183457e46",
          },
        ],
      },
    });
  });

  it("has the same property shape as the seed's sample definition (eligible authorizations included)", async () => {
    const sample = JSON.parse(
      readFileSync(join(__dirname, "fixtures", "seed", "registration-definitions-list.json"), "utf8"),
    ).value[0].properties;
    const { resources } = await run("fabrikam");
    const sent = byName(resources, `contoso-escalation-${SUB_1}-definition`).inputs.properties as typeof sample;
    const shape = (value: unknown): unknown =>
      Array.isArray(value)
        ? shape(value[0])
        : value && typeof value === "object"
          ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]))
          : typeof value;
    const sampleShape = shape(sample) as Record<string, unknown>;
    for (const readOnly of ["provisioningState", "manageeTenantId", "manageeTenantName", "managedByTenantName"])
      delete sampleShape[readOnly];
    const sampleAuthorization = sampleShape.authorizations as Record<string, unknown>;
    delete sampleAuthorization.delegatedRoleDefinitionIds; // only the sample's UAA carries it
    expect(shape(sent)).toEqual(sampleShape);
  });

  it("assigns each definition at the subscription, wired to the definition's id", async () => {
    const { resources, ofType } = await run("fabrikam");
    expect(ofType(ASSIGNMENT)).toHaveLength(3);
    const assignment = byName(resources, `contoso-escalation-${SUB_1}-subscription`);
    expect(assignment.inputs).toEqual({
      scope: `/subscriptions/${SUB_1}`,
      registrationAssignmentId: "466ff95e-6a97-50a7-b7c0-bfdec6e7c6e0",
      properties: {
        registrationDefinitionId: `/subscriptions/${SUB_1}/providers/Microsoft.ManagedServices/registrationDefinitions/${ESCALATION_GUID}`,
      },
    });
  });

  it("parents every definition and assignment to its delegation component", async () => {
    // The SDK names the root stack as the alias's parent (runtime/resource.ts mapAliasesForRequest).
    const ROOT = "urn:pulumi:fabrikam::lighthouse::pulumi:pulumi:Stack::lighthouse-fabrikam";
    const { resources, ofType } = await run("fabrikam");
    const components = ofType(COMPONENT);
    expect(components.map((component) => component.name)).toEqual([
      `contoso-escalation-${SUB_1}`,
      `contoso-operations-${SUB_1}`,
      `contoso-operations-${SUB_2}`,
    ]);
    // Named from the offer file; stacks deployed when the offer's name keyed them keep their URNs.
    expect(components.map((component) => component.aliasSpecs)).toEqual([
      [],
      [{ name: `contoso-managed-operations-${SUB_1}`, parentUrn: ROOT }],
      [{ name: `contoso-managed-operations-${SUB_2}`, parentUrn: ROOT }],
    ]);
    // Each assignment is replaced with its definition: the engine deletes it before the definition.
    for (const assignment of ofType(ASSIGNMENT)) {
      const definition = byName(resources, assignment.name.replace(/-subscription$/, "-definition"));
      expect(assignment.replaceWith, assignment.name).toEqual([definition.urn]);
    }
    for (const child of [...ofType(DEFINITION), ...ofType(ASSIGNMENT)]) {
      const parent = resources.find((resource) => resource.urn === child.parentUrn);
      expect(parent?.type, child.name).toBe(COMPONENT);
      expect(child.name.startsWith(`${parent?.name}-`)).toBe(true);
      // One provider for every delegation of the stack: their URLs take the full scope.
      expect(child.providerName).toBe("azure-delegations");
    }
  });

  it("two offers in one subscription never collide", async () => {
    const { ofType } = await run("fabrikam");
    const ids = (type: string, key: string) =>
      ofType(type).map((resource) => `${resource.inputs.scope} ${resource.inputs[key]}`);
    expect(new Set(ids(DEFINITION, "registrationDefinitionId")).size).toBe(3);
    expect(new Set(ids(ASSIGNMENT, "registrationAssignmentId")).size).toBe(3);
  });

  it("is idempotent: a second run registers the same names and ids", async () => {
    const first = await run("fabrikam");
    const second = await run("fabrikam");
    const key = (resources: RegisteredResource[]) =>
      resources.map((resource) => [resource.urn, JSON.stringify(resource.inputs)]);
    expect(key(second.resources)).toEqual(key(first.resources));
  });

  it("exports a summary per subscription", async () => {
    const { result } = await run("fabrikam");
    const definitionId = await new Promise((resolve) =>
      result.summary[0].delegations[1].registrationDefinitionId.apply(resolve),
    );
    expect(result.customer).toBe("Fabrikam");
    expect(
      result.summary.map((subscription) => [subscription.subscriptionId, subscription.delegations.map((d) => d.offer)]),
    ).toEqual([
      [SUB_1, ["Contoso Managed Operations", "Contoso Escalation"]],
      [SUB_2, ["Contoso Managed Operations"]],
    ]);
    expect(definitionId).toBe(
      `/subscriptions/${SUB_1}/providers/Microsoft.ManagedServices/registrationDefinitions/${ESCALATION_GUID}`,
    );
  });
});

describe("stack program: resource groups (northwind)", () => {
  it("creates the definition at the subscription and one assignment per resource group", async () => {
    const { ofType } = await run("northwind");
    const sub = "9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d";
    expect(ofType(DEFINITION).map((definition) => definition.inputs.scope)).toEqual([
      `/subscriptions/${sub}`,
      "/subscriptions/a4b5c6d7-e8f9-4a0b-8c1d-2e3f4a5b6c7d",
    ]);
    const assignments = ofType(ASSIGNMENT);
    expect(assignments.map((assignment) => [assignment.name, assignment.inputs.scope])).toEqual([
      [`contoso-operations-${sub}-rg-rg-app`, `/subscriptions/${sub}/resourceGroups/rg-app`],
      [`contoso-operations-${sub}-rg-rg-data`, `/subscriptions/${sub}/resourceGroups/rg-data`],
      [
        "contoso-operations-a4b5c6d7-e8f9-4a0b-8c1d-2e3f4a5b6c7d-rg-rg-shared",
        "/subscriptions/a4b5c6d7-e8f9-4a0b-8c1d-2e3f4a5b6c7d/resourceGroups/rg-shared",
      ],
    ]);
    expect(assignments.slice(0, 2).map((assignment) => assignment.inputs.registrationAssignmentId)).toEqual([
      "9766917c-a15f-5b2d-b90d-2c7561547439",
      "88ab901b-b0c4-5c14-b99c-e1582f2c6c7c",
    ]);
    for (const assignment of assignments.slice(0, 2)) {
      expect(assignment.inputs.properties).toEqual({
        registrationDefinitionId: `/subscriptions/${sub}/providers/Microsoft.ManagedServices/registrationDefinitions/${OPERATIONS_GUID}`,
      });
    }
    expect(ofType(ASSIGNMENT).some((assignment) => assignment.inputs.scope === `/subscriptions/${sub}`)).toBe(false);
  });

  it("the same offer in two customers' subscriptions never collides", async () => {
    const fabrikam = await run("fabrikam");
    const northwind = await run("northwind");
    const definitionIds = [...fabrikam.ofType(DEFINITION), ...northwind.ofType(DEFINITION)].map(
      (d) => `${d.inputs.scope}/${d.inputs.registrationDefinitionId}`,
    );
    expect(new Set(definitionIds).size).toBe(definitionIds.length);
  });
});

describe("stack program: one resource group", () => {
  it("delegates exactly that group", async () => {
    const root = tempProject({
      "stacks/Pulumi.single.yaml": `config:
  lighthouse:customer: {name: Single, tenantId: 01c0bcd5-4f47-4e4b-b492-418b7e2a8854}
  lighthouse:delegations:
    - offer: offers/contoso-escalation.yaml
      subscriptions:
        - {subscriptionId: 9B1C3D5E-7F80-4A2B-9C3D-4E5F6A7B8C9D, resourceGroups: [rg-only]}
`,
    });
    const { ofType } = await run("single", root);
    expect(ofType(ASSIGNMENT).map((assignment) => assignment.inputs.scope)).toEqual([
      "/subscriptions/9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d/resourceGroups/rg-only",
    ]);
    expect(ofType(DEFINITION)[0].inputs.properties).toMatchObject({
      eligibleAuthorizations: [expect.objectContaining({ roleDefinitionId: "b24988ac-6180-42a0-ab88-20f7382dd24c" })],
    });
  });
});

describe("stack program: config errors", () => {
  it("stops with the validator's located messages", async () => {
    const root = tempProject({
      "stacks/Pulumi.broken.yaml": readFileSync(join(REPO_ROOT, "stacks", "Pulumi.fabrikam.yaml"), "utf8").replace(
        "contoso-escalation",
        "contoso-escalatoin",
      ),
    });
    const attempt = run("broken", root);
    await expect(attempt).rejects.toThrow(pulumi.RunError);
    await expect(attempt).rejects.toThrow(
      /stack broken is not valid:\n.*Pulumi\.broken\.yaml:12:14: error: offer file offers\/contoso-escalatoin\.yaml not found/,
    );
  });

  it("refuses a customer tenant that is the offer's managing tenant", async () => {
    const root = tempProject({
      "stacks/Pulumi.self.yaml": readFileSync(join(REPO_ROOT, "stacks", "Pulumi.fabrikam.yaml"), "utf8").replace(
        "0e06d6a3-55ae-40a3-ac29-350808980808",
        "83ace5cd-bcc3-441a-bd86-e6a75360cecc",
      ),
    });
    await expect(run("self", root)).rejects.toThrow(/is the customer's own tenant/);
  });
});
