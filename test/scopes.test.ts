import { describe, expect, it } from "vitest";
import {
  hasDotSegments,
  lastSegment,
  parseExtensionResourceId,
  parseResourceId,
  parseUserAssignedIdentityId,
  scopeContains,
  scopeKindOf,
  scopeOfExtensionResource,
  subscriptionOfScope,
} from "../src/azure/scopes";

/**
 * The one ARM-id parser (src/azure/scopes.ts). ARM ids compare case-insensitively (Azure has
 * answered `microsoft.managedservices` and `SUBSCRIPTIONS`), and a trailing '/' or a '..' segment
 * must never make a scope look like another.
 */
const SUB = "0afefe50-734e-4610-8a82-a144a2f49dea";

describe("ARM ids", () => {
  it.each([
    [`/subscriptions/${SUB}`, SUB],
    [`/SUBSCRIPTIONS/${SUB.toUpperCase()}/resourceGroups/rg`, SUB],
    [`/subscriptions/${SUB}/`, SUB],
    [`subscriptions/${SUB}`, ""],
    [`/providers/Microsoft.Management/managementGroups/mg`, ""],
    [42, ""],
  ])("subscriptionOfScope(%s) is %j", (scope, expected) => {
    expect(subscriptionOfScope(scope)).toBe(expected);
  });

  it.each([
    [`/subscriptions/${SUB}`, { kind: "subscription" }],
    [`/subscriptions/${SUB}/`, { kind: "subscription" }],
    [`/subscriptions/${SUB}/ResourceGroups/rg-App`, { kind: "resource group", name: "rg-App" }],
    [
      `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-1`,
      { kind: "resource", name: "vm-1" },
    ],
    [`/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/x`, { kind: "other" }],
    ["/", { kind: "other" }],
  ])("scopeKindOf(%s)", (scope, expected) => {
    expect(scopeKindOf(scope)).toEqual(expected);
  });

  it.each([
    ["a/b/c", "c"],
    ["c", "c"],
    ["a/b/", ""],
    ["", ""],
  ])("lastSegment(%j) is %j", (id, expected) => {
    expect(lastSegment(id)).toBe(expected);
  });

  it.each([
    ["/subscriptions/x/resourceGroups/..", true],
    ["/subscriptions/x/./resourceGroups/rg", true],
    ["..", true],
    ["/subscriptions/x/resourceGroups/rg..name", false],
    ["/subscriptions/x/resourceGroups/.rg", false],
  ])("hasDotSegments(%j) is %j", (path, expected) => {
    expect(hasDotSegments(path)).toBe(expected);
  });

  it("parseResourceId takes a resource in a group apart, in any case; anything else is undefined", () => {
    expect(
      parseResourceId(
        `/Subscriptions/${SUB.toUpperCase()}/resourcegroups/rg-App/providers/Microsoft.Compute/virtualMachines/vm-1/extensions/ext`,
      ),
    ).toEqual({
      subscriptionId: SUB,
      resourceGroup: "rg-App",
      namespace: "Microsoft.Compute",
      path: ["virtualMachines", "vm-1", "extensions", "ext"],
    });
    for (const id of [
      `/subscriptions/${SUB}/resourceGroups/rg`,
      `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/`,
      `/subscriptions/${SUB}/providers/Microsoft.Compute/virtualMachines/vm`,
      `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm/`,
    ])
      expect(parseResourceId(id)).toBeUndefined();
  });

  it("parseExtensionResourceId finds the scope and the name, in any case, and nothing in another type", () => {
    const id = `/subscriptions/${SUB}/resourceGroups/rg/providers/microsoft.managedservices/REGISTRATIONASSIGNMENTS/9c2a0e61-0000-4000-8000-000000000001`;
    expect(parseExtensionResourceId(id, "Microsoft.ManagedServices", "registrationAssignments")).toEqual({
      scope: `/subscriptions/${SUB}/resourceGroups/rg`,
      name: "9c2a0e61-0000-4000-8000-000000000001",
    });
    expect(
      parseExtensionResourceId(`${id}/extra/segments`, "Microsoft.ManagedServices", "registrationAssignments"),
    ).toEqual({ scope: `/subscriptions/${SUB}/resourceGroups/rg`, name: "9c2a0e61-0000-4000-8000-000000000001" });
    expect(parseExtensionResourceId(id, "Microsoft.ManagedServices", "registrationDefinitions")).toBeUndefined();
    expect(scopeOfExtensionResource(id, "Microsoft.ManagedServices")).toBe(`/subscriptions/${SUB}/resourceGroups/rg`);
    expect(scopeOfExtensionResource(`/subscriptions/${SUB}`, "Microsoft.ManagedServices")).toBe(
      `/subscriptions/${SUB}`,
    );
  });

  it("parseUserAssignedIdentityId refuses what would change where a request goes", () => {
    const id = `/subscriptions/${SUB}/resourceGroups/rg(1)/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-a`;
    expect(parseUserAssignedIdentityId(id)).toEqual({ subscriptionId: SUB, resourceGroup: "rg(1)", name: "id-a" });
    for (const bad of [`${id}?x=1`, `${id}#f`, `${id}/more`, `//host${id}`, id.replace(SUB, "not-a-guid")])
      expect(parseUserAssignedIdentityId(bad)).toBeUndefined();
  });

  it.each([
    [`/subscriptions/${SUB}`, `/subscriptions/${SUB}/resourceGroups/rg`, true],
    [`/subscriptions/${SUB}/`, `/SUBSCRIPTIONS/${SUB.toUpperCase()}/resourceGroups/rg`, true],
    [`/subscriptions/${SUB}/resourceGroups/rg`, `/subscriptions/${SUB}/resourceGroups/rg/`, true],
    [`/subscriptions/${SUB}/resourceGroups/rg`, `/subscriptions/${SUB}/resourceGroups/rg-other`, false],
    [`/subscriptions/${SUB}/resourceGroups/rg`, `/subscriptions/${SUB}`, false],
  ])("scopeContains(%s, %s) is %j", (outer, inner, expected) => {
    expect(scopeContains(outer, inner)).toBe(expected);
  });
});
