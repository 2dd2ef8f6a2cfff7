import { describe, expect, it } from "vitest";
import {
  assignedDefinitionKey,
  assignmentLabels,
  definitionKey,
  delegatedScopes,
  delegationGuids,
  delegationName,
  formerDelegationName,
} from "../src/delegation";
import { scopeKindOf } from "../src/azure/scopes";

const SUB = "0AFEFE50-734E-4610-8A82-A144A2F49DEA";
const GUID = "2370EB03-671F-565D-8FCD-C1BC9E0FE4B8";

describe("which assignment belongs to which definition", () => {
  it("ties an assignment to the definition of its scope's subscription and its registrationDefinitionId's GUID, case aside", () => {
    const definitionId = `/subscriptions/${SUB}/providers/Microsoft.ManagedServices/registrationDefinitions/${GUID}`;
    expect(assignedDefinitionKey(`/subscriptions/${SUB}/resourceGroups/rg-app`, definitionId)).toBe(
      "0afefe50-734e-4610-8a82-a144a2f49dea 2370eb03-671f-565d-8fcd-c1bc9e0fe4b8",
    );
    expect(assignedDefinitionKey(`/subscriptions/${SUB}`, definitionId.toLowerCase())).toBe(definitionKey(SUB, GUID));
    expect(assignedDefinitionKey(`/subscriptions/${SUB}`, GUID)).toBeUndefined();
    expect(assignedDefinitionKey(`/subscriptions/${SUB}`, undefined)).toBeUndefined();
  });
});

describe("scope kinds", () => {
  it.each([
    [`/subscriptions/${SUB}`, { kind: "subscription" }],
    [`/subscriptions/${SUB}/resourceGroups/rg-app`, { kind: "resource group", name: "rg-app" }],
    [`/subscriptions/${SUB}/resourceGroups/rg-app/`, { kind: "resource group", name: "rg-app" }],
    [
      `/subscriptions/${SUB}/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/vm-1`,
      { kind: "resource", name: "vm-1" },
    ],
    ["/providers/Microsoft.Management/managementGroups/mg", { kind: "management group", name: "mg" }],
  ])("%s", (scope, expected) => {
    expect(scopeKindOf(scope)).toEqual(expected);
  });
});

describe("naming, edge by edge (src/delegation.ts)", () => {
  const SUB = "0afefe50-734e-4610-8a82-a144a2f49dea";

  it.each([
    [undefined, [`/subscriptions/${SUB}`]],
    [[], [`/subscriptions/${SUB}`]],
    [
      ["rg-a", "RG-B"],
      [`/subscriptions/${SUB}/resourceGroups/rg-a`, `/subscriptions/${SUB}/resourceGroups/RG-B`],
    ],
  ])("delegatedScopes with resource groups %j", (groups, expected) => {
    expect(delegatedScopes(SUB.toUpperCase(), groups)).toEqual(expected);
  });

  it.each([
    ["offers/Contoso Ops.yaml", "contoso-ops"],
    ["offers/Contoso  --  Ops.YAML", "contoso-ops"],
    ["offers\\team\\--ops--.yml", "ops"],
    ["offers/x.yml", "x"],
    ["offers/x.yml.yaml", "x-yml"],
    ["offers/---.yaml", "offer"],
    ["ops", "ops"],
  ])("delegationName(%j) starts with %j", (file, slug) => {
    expect(delegationName(file, SUB.toUpperCase())).toBe(`${slug}-${SUB}`);
  });

  it.each([
    ["Contoso Managed Operations", "contoso-managed-operations"],
    ["--Contoso  Ops!--", "contoso-ops"],
    ["!!!", "offer"],
  ])("formerDelegationName(%j) starts with %j", (name, slug) => {
    expect(formerDelegationName(name, SUB.toUpperCase())).toBe(`${slug}-${SUB}`);
  });

  it.each([
    [undefined, { label: "subscription", formerLabels: [] }],
    ["rg-app", { label: "rg-rg-app", formerLabels: [] }],
    ["RG-App", { label: "rg-rg-app", formerLabels: ["rg-RG-App"] }],
  ])("assignmentLabels(%j)", (group, expected) => {
    expect(assignmentLabels(group)).toEqual(expected);
  });

  it("samples naming without resource groups: the assignment is guid(mspOfferName), as Microsoft's template names it", () => {
    // guid('Contoso Managed Operations'), computed with Python's uuid5 (test/import-arm.test.ts).
    const offer = { name: "Contoso Managed Operations", definitionGuid: "2370eb03-671f-565d-8fcd-c1bc9e0fe4b8" };
    expect(delegationGuids("samples", offer, SUB, [])).toEqual({
      definition: "fb8a52e8-81dd-5d2b-9420-f62eab4b5057",
      assignments: ["fb8a52e8-81dd-5d2b-9420-f62eab4b5057"],
    });
  });

  it.each([
    [`/subscriptions/${SUB}/providers/Microsoft.ManagedServices/registrationDefinitions/ABC`, `${SUB} abc`],
    [`/subscriptions/${SUB}/providers/microsoft.managedservices/REGISTRATIONDEFINITIONS/abc`, `${SUB} abc`],
    [`/subscriptions/${SUB}/providers/Microsoft.ManagedServices/registrationDefinitions/abc/more`, undefined],
    ["abc", undefined],
    [undefined, undefined],
  ])("assignedDefinitionKey(scope, %j) is %j", (definitionId, expected) => {
    expect(assignedDefinitionKey(`/subscriptions/${SUB.toUpperCase()}/resourceGroups/rg`, definitionId)).toBe(expected);
  });
});
