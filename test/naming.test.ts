import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { OfferCache } from "../src/offer/cache";
import { runOffline } from "../src/offline";
import { loadStack } from "../src/stack/load";
import { lighthouseProgram } from "../app/program";
import { startFakeArm, type FakeArm } from "../scripts/fake-arm/server";
import { deployedFixture } from "./helpers/deployed";
import { REPO_ROOT, runCommandInProcess, tempProject } from "./helpers/project";
import { command as adoptCommand } from "../src/cli/adopt";
import { command as inventoryCommand } from "../src/cli/inventory";

/**
 * `naming: samples` on a delegation entry: the stack deploys under the names Microsoft's
 * onboarding templates use, so pulumi up updates a delegation onboarded with them (ARM's PUT on
 * the same id) instead of creating a second one. Vectors: Python's uuid.uuid5 (ARM's guid()).
 */
const OPERATIONS = "fb8a52e8-81dd-5d2b-9420-f62eab4b5057"; // guid('Contoso Managed Operations')
const RG_APP = "640b6484-5908-5001-ab32-9aa56db0a08e"; // guid('rg-app')
const RG_DATA = "b4a493a7-36e7-553b-9443-44c779ce1e53"; // guid('rg-data')
const NORTHWIND = readFileSync(join(REPO_ROOT, "stacks", "Pulumi.northwind.yaml"), "utf8");
const FABRIKAM = readFileSync(join(REPO_ROOT, "stacks", "Pulumi.fabrikam.yaml"), "utf8");
/** `naming: samples` on the offer's entry, and `adopt: true` on every subscription (Pulumi imports what the template made). */
const withSamplesNames = (stack: string, offer = "offers/contoso-operations.yaml") =>
  stack
    .replace(`- offer: ${offer}\n`, `- offer: ${offer}\n      naming: samples\n`)
    .replace(/( +)- subscriptionId: (\S+)\n/g, "$1- subscriptionId: $2\n$1  adopt: true\n");

let fake: FakeArm | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe("naming: samples", () => {
  it("names the definition guid(offer name) and each resource group's assignment guid(rgName)", async () => {
    const root = tempProject({ "stacks/Pulumi.northwind.yaml": withSamplesNames(NORTHWIND) });
    const { resources } = await runOffline("lighthouse", "northwind", () =>
      lighthouseProgram({ projectRoot: root, stackName: "northwind" }),
    );
    const ids = (type: string) =>
      resources
        .filter((resource) => resource.type.endsWith(type))
        .map((resource) => [
          resource.inputs.scope,
          resource.inputs.registrationDefinitionId ?? resource.inputs.registrationAssignmentId,
        ]);
    expect(ids("RegistrationDefinition")).toEqual([
      ["/subscriptions/9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d", OPERATIONS],
      ["/subscriptions/a4b5c6d7-e8f9-4a0b-8c1d-2e3f4a5b6c7d", OPERATIONS],
    ]);
    expect(ids("RegistrationAssignment")).toEqual([
      ["/subscriptions/9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d/resourceGroups/rg-app", RG_APP],
      ["/subscriptions/9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d/resourceGroups/rg-data", RG_DATA],
      [
        "/subscriptions/a4b5c6d7-e8f9-4a0b-8c1d-2e3f4a5b6c7d/resourceGroups/rg-shared",
        "23ee6a99-c2a2-5797-bd76-dada3a5cc393",
      ],
    ]);
    // Imported, never created: azure-native refuses to create a resource that exists (provider.go Create).
    expect(
      resources
        .filter((resource) => resource.custom && resource.type.includes("managedservices"))
        .map((resource) => resource.importId),
    ).toEqual([
      `/subscriptions/9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d/providers/Microsoft.ManagedServices/registrationDefinitions/${OPERATIONS}`,
      `/subscriptions/a4b5c6d7-e8f9-4a0b-8c1d-2e3f4a5b6c7d/providers/Microsoft.ManagedServices/registrationDefinitions/${OPERATIONS}`,
      `/subscriptions/9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d/resourceGroups/rg-app/providers/Microsoft.ManagedServices/registrationAssignments/${RG_APP}`,
      `/subscriptions/9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d/resourceGroups/rg-data/providers/Microsoft.ManagedServices/registrationAssignments/${RG_DATA}`,
      "/subscriptions/a4b5c6d7-e8f9-4a0b-8c1d-2e3f4a5b6c7d/resourceGroups/rg-shared/providers/Microsoft.ManagedServices/registrationAssignments/23ee6a99-c2a2-5797-bd76-dada3a5cc393",
    ]);
  });

  it("is refused without adopt: Pulumi cannot create what the template made, and the message says what to do", () => {
    const root = tempProject({
      "stacks/Pulumi.fabrikam.yaml": FABRIKAM.replace(
        "- offer: offers/contoso-escalation.yaml\n",
        "- offer: offers/contoso-escalation.yaml\n      naming: samples\n",
      ),
    });
    const { diagnostics } = loadStack(join(root, "stacks", "Pulumi.fabrikam.yaml"), new OfferCache());
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.message}`)).toEqual([
      "15:11 error naming: samples names the delegation Microsoft's onboarding template created in subscription 0afefe50-734e-4610-8a82-a144a2f49dea; pulumi up cannot create it again (azure-native refuses an existing resource): run npm run adopt -- --stack <stack> --write to adopt it, or remove naming: samples to create a delegation with the toolkit's names",
    ]);
  });

  it("names a whole-subscription assignment guid(offer name), like the definition", async () => {
    const root = tempProject({ "stacks/Pulumi.fabrikam.yaml": withSamplesNames(FABRIKAM) });
    const { resources } = await runOffline("lighthouse", "fabrikam", () =>
      lighthouseProgram({ projectRoot: root, stackName: "fabrikam" }),
    );
    const operations = resources.filter(
      (resource) => resource.name.startsWith("contoso-operations-") && resource.type.endsWith("RegistrationAssignment"),
    );
    expect(operations.map((resource) => resource.inputs.registrationAssignmentId)).toEqual([OPERATIONS, OPERATIONS]);
  });

  it("refuses two offers whose samples-named assignments would collide on one resource group", () => {
    const stack = NORTHWIND.replace(
      "  lighthouse:delegations:\n",
      "  lighthouse:delegations:\n    - offer: offers/contoso-escalation.yaml\n      naming: samples\n      subscriptions:\n        - subscriptionId: 9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d\n          resourceGroups: [rg-app]\n",
    );
    const root = tempProject({ "stacks/Pulumi.northwind.yaml": withSamplesNames(stack) });
    const { diagnostics } = loadStack(join(root, "stacks", "Pulumi.northwind.yaml"), new OfferCache());
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual([
      "14:14 with these names, an assignment of offers/contoso-operations.yaml in subscription 9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d is named like one of offers/contoso-escalation.yaml; use naming: toolkit for one of them",
    ]);
  });

  /** Fabrikam's Azure with the operations offer onboarded by Microsoft's template (its GUIDs). */
  const templateOnboarded = () => {
    const state = deployedFixture("fabrikam");
    for (const definition of state.definitions.filter(
      (item) => item.properties.registrationDefinitionName === "Contoso Managed Operations",
    )) {
      const oldId = definition.id;
      // guid("Contoso Managed Operations"), as the sample template names it (Python's uuid5).
      definition.name = "fb8a52e8-81dd-5d2b-9420-f62eab4b5057";
      definition.id = oldId.replace(/[^/]+$/, definition.name);
      for (const assignment of state.assignments.filter((item) => item.properties.registrationDefinitionId === oldId)) {
        assignment.properties.registrationDefinitionId = definition.id;
        assignment.id = assignment.id.replace(/[^/]+$/, definition.name);
        assignment.name = definition.name;
      }
    }
    return state;
  };

  it("adopt proposes it when it finds a delegation onboarded with Microsoft's template", async () => {
    const root = tempProject();
    fake = await startFakeArm(templateOnboarded());
    const result = await runCommandInProcess(
      adoptCommand,
      ["--stack", "fabrikam", "--endpoint", fake.url],
      { AZURE_ACCESS_TOKEN: "fake-token" },
      root,
    );
    expect(result.stdout.trim().split("\n")[0]).toBe(
      `adopt      0afefe50-734e-4610-8a82-a144a2f49dea "Contoso Managed Operations": definition ${OPERATIONS} and 1 assignment(s) at the GUIDs they were onboarded with; they are the names of Microsoft's onboarding templates: 'naming: samples' on the delegation entry keeps them for good`,
    );
    expect(result.status).toBe(0);
  });

  it("adopt --write, then inventory --drift: in sync (the adopted GUIDs are the stack's, for drift too)", async () => {
    const root = tempProject();
    fake = await startFakeArm(templateOnboarded());
    const env = { AZURE_ACCESS_TOKEN: "fake-token" };
    const adopted = await runCommandInProcess(
      adoptCommand,
      ["--stack", "fabrikam", "--write", "--endpoint", fake.url],
      env,
      root,
    );
    expect(adopted.status).toBe(0);
    const drift = await runCommandInProcess(
      inventoryCommand,
      ["--stack", "fabrikam", "--drift", "--endpoint", fake.url],
      env,
      root,
    );
    expect({ status: drift.status, stdout: drift.stdout, stderr: drift.stderr }).toEqual({
      status: 0,
      stdout: "In sync: Azure matches the offers.\n",
      stderr: "",
    });
  });
});
