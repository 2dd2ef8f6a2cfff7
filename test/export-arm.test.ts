import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { armParameters, armTemplate } from "../src/export/arm";
import { loadOffer } from "../src/offer/load";
import { runOffline } from "../src/offline";
import { LighthouseDelegation } from "../components";
import { deploy } from "./helpers/arm-evaluator";
import { REPO_ROOT, runCli } from "./helpers/project";
import { specProblems } from "./helpers/rest-spec";

const SUB = "0afefe50-734e-4610-8a82-a144a2f49dea";
const offerOf = (file: string) => loadOffer(join(REPO_ROOT, "offers", file)).offer!;
const parameterValues = (parameters: ReturnType<typeof armParameters>) =>
  Object.fromEntries(Object.entries(parameters.parameters).map(([name, parameter]) => [name, parameter.value]));

/** What ARM would PUT, from the exported files, next to what the Pulumi component registers. */
async function bothWays(file: string, resourceGroups?: string[]) {
  const offer = offerOf(file);
  const template = JSON.parse(JSON.stringify(armTemplate(offer, { resourceGroups })));
  const parameters = JSON.parse(JSON.stringify(armParameters(offer, { resourceGroups })));
  const arm = deploy(template, parameterValues(parameters), SUB);
  const { resources } = await runOffline(
    "lighthouse",
    "export",
    () => new LighthouseDelegation("d", { offer, subscriptionId: SUB, resourceGroups }),
  );
  const pulumi = resources.filter((resource) => resource.custom);
  return { template, parameters, arm, pulumi };
}

describe("ARM template export", () => {
  it.each([
    ["subscription", "contoso-operations.yaml", undefined],
    ["one resource group", "contoso-operations.yaml", ["rg-app"]],
    [
      "several resource groups, eligible authorizations with approvers",
      "contoso-escalation.yaml",
      ["rg-app", "rg-data", "RG-Mixed.Case"],
    ],
  ])("%s: ARM computes the component's names, scopes and bodies", async (_name, file, resourceGroups) => {
    const { arm, pulumi } = await bothWays(file, resourceGroups);
    const definition = pulumi.find((resource) => resource.type.endsWith("RegistrationDefinition"))!;
    const [armDefinition, ...armAssignments] = arm;
    expect(armDefinition.type).toBe("Microsoft.ManagedServices/registrationDefinitions");
    expect(armDefinition.name).toBe(definition.inputs.registrationDefinitionId);
    expect(armDefinition.body.properties).toEqual(definition.inputs.properties);

    const assignments = pulumi.filter((resource) => resource.type.endsWith("RegistrationAssignment"));
    expect(armAssignments.map((assignment) => assignment.name)).toEqual(
      assignments.map((assignment) => assignment.inputs.registrationAssignmentId),
    );
    expect(armAssignments.map((assignment) => assignment.resourceGroup)).toEqual(resourceGroups ?? [undefined]);
    for (const assignment of armAssignments) {
      expect(assignment.body.properties).toEqual({
        registrationDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.ManagedServices/registrationDefinitions/${definition.inputs.registrationDefinitionId}`,
      });
    }
  });

  it("has the subscription deployment schema, API 2022-10-01 and the samples' parameters", async () => {
    const { template, parameters } = await bothWays("contoso-escalation.yaml", ["rg-app"]);
    expect(template.$schema).toBe(
      "https://schema.management.azure.com/schemas/2019-08-01/subscriptionDeploymentTemplate.json#",
    );
    expect(Object.keys(template.parameters)).toEqual([
      "mspOfferName",
      "mspOfferDescription",
      "managedByTenantId",
      "authorizations",
      "eligibleAuthorizations",
      "resourceGroups",
    ]);
    expect(template.resources.map((resource: { type: string }) => resource.type)).toEqual([
      "Microsoft.ManagedServices/registrationDefinitions",
      "Microsoft.Resources/deployments",
    ]);
    expect(template.resources[1].properties.template.resources[0]).toMatchObject({
      type: "Microsoft.ManagedServices/registrationAssignments",
      apiVersion: "2022-10-01",
    });
    expect(template.resources[0].apiVersion).toBe("2022-10-01");
    expect(parameters.$schema).toBe(
      "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
    );
    expect(parameters.parameters.resourceGroups.value).toEqual([{ rgName: "rg-app" }]);
  });

  it.each(["contoso-operations.yaml", "contoso-escalation.yaml"])(
    "%s: resource bodies conform to the REST spec",
    async (file) => {
      const { arm } = await bothWays(file, ["rg-app"]);
      expect(specProblems("RegistrationDefinition", arm[0].body)).toEqual([]);
      expect(specProblems("RegistrationAssignment", arm[1].body)).toEqual([]);
    },
  );

  it("the spec check catches what Azure would refuse", () => {
    expect(
      specProblems("RegistrationDefinition", {
        properties: {
          authorizations: [{ principalId: "x" }],
          eligibleAuthorizations: [
            { principalId: "y", roleDefinitionId: "z", justInTimeAccessPolicy: { multiFactorAuthProvider: "Sms" } },
          ],
        },
      }),
    ).toEqual([
      "RegistrationDefinition.properties.managedByTenantId: required",
      "RegistrationDefinition.properties.authorizations[0].roleDefinitionId: required",
      "RegistrationDefinition.properties.eligibleAuthorizations[0].justInTimeAccessPolicy.multiFactorAuthProvider: 'Sms' is not one of Azure, None",
    ]);
    expect(
      specProblems("RegistrationAssignment", {
        properties: { registrationDefinitionId: "x", provisioningState: "Succeeded" },
      }),
    ).toEqual(["RegistrationAssignment.properties.provisioningState: read-only, must not be sent"]);
  });

  it("round trip: the parameters, read back, resolve to the definition properties the component sends", async () => {
    const { parameters, pulumi } = await bothWays("contoso-escalation.yaml");
    const readBack = JSON.parse(JSON.stringify(parameters)).parameters;
    const properties = {
      registrationDefinitionName: readBack.mspOfferName.value,
      description: readBack.mspOfferDescription.value,
      managedByTenantId: readBack.managedByTenantId.value,
      authorizations: readBack.authorizations.value,
      eligibleAuthorizations: readBack.eligibleAuthorizations.value,
    };
    expect(properties).toEqual(
      pulumi.find((resource) => resource.type.endsWith("RegistrationDefinition"))!.inputs.properties,
    );
  });

  it("npm run export writes both files; refuses Bicep and bad resource groups; exit 1 on a broken offer", () => {
    const out = mkdtempSync(join(tmpdir(), "export-"));
    const result = runCli("export", [
      "arm",
      "--offer",
      "offers/contoso-operations.yaml",
      "--resource-groups",
      "rg-app,rg-data",
      "--out",
      out,
    ]);
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split("\n")).toEqual([
      join(out, "contoso-operations.json"),
      join(out, "contoso-operations.parameters.json"),
    ]);
    expect(
      JSON.parse(readFileSync(join(out, "contoso-operations.parameters.json"), "utf8")).parameters.resourceGroups.value,
    ).toHaveLength(2);
    expect(runCli("export", ["arm", "--offer", "offers/contoso-operations.yaml", "--format", "bicep"])).toMatchObject({
      status: 2,
      stderr: expect.stringContaining("Bicep"),
    });
    expect(
      runCli("export", ["arm", "--offer", "offers/contoso-operations.yaml", "--resource-groups", "bad."]),
    ).toMatchObject({ status: 2, stderr: expect.stringContaining("not a valid resource group name") });
    expect(runCli("export", ["arm", "--offer", "offers/nope.yaml", "--out", out])).toMatchObject({
      status: 1,
      stderr: expect.stringContaining("offers/nope.yaml:1:1: error: cannot read file"),
    });
    // An output folder that cannot be created: a plain message, no stack trace.
    const blocked = runCli("export", [
      "arm",
      "--offer",
      "offers/contoso-operations.yaml",
      "--out",
      join(out, "contoso-operations.json", "sub"),
    ]);
    expect(blocked.status).toBe(1);
    expect(blocked.stderr).toMatch(/^error: cannot mkdir .*contoso-operations\.json\/sub: E(NOTDIR|EXIST)\n$/);
  });
});
