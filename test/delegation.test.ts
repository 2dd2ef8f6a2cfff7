import { describe, expect, it } from "vitest";
import { assignedDefinitionKey, definitionKey } from "../src/delegation";
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
    ["/providers/Microsoft.Management/managementGroups/mg", { kind: "other" }],
  ])("%s", (scope, expected) => {
    expect(scopeKindOf(scope)).toEqual(expected);
  });
});
