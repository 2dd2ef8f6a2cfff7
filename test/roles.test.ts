import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { builtInRoleNames, builtInRoles, roleById, roleByName, unknownRoleMessage } from "../src/roles/catalog";
import { didYouMean } from "../src/suggest";
import { grantsAction, lighthouseRoleSupport, type PermissionBlock } from "../src/roles/support";

// Real permissions of a few built-in roles (scripts/import-reference.ts copies them).
const roles: Record<string, { id: string; permissions: PermissionBlock[] }> = JSON.parse(
  readFileSync(join(__dirname, "fixtures", "role-permissions.json"), "utf8"),
);
const verdict = (name: string) => lighthouseRoleSupport(roles[name].id, roles[name].permissions);

describe("Lighthouse role support, from real permissions", () => {
  it.each([
    ["Owner", "no", /Owner/],
    ["Log Analytics Contributor", "no", /DataActions/],
    ["Storage Blob Data Reader", "no", /DataActions/],
    ["Locks Contributor", "no", /locks\/write/],
    ["Access Review Operator Service Role", "no", /roleAssignments\/delete/],
    ["User Access Administrator", "delegation-only", /delegatedRoles/],
  ])("%s is %s", (name, usable, reason) => {
    const support = verdict(name);
    expect(support.usable).toBe(usable);
    expect("reason" in support ? support.reason : "").toMatch(reason);
  });

  it.each([
    "Contributor",
    "Reader",
    "Virtual Machine Contributor",
    "Managed Services Registration assignment Delete Role",
    "Resource Policy Contributor",
  ])("%s is usable", (name) => {
    expect(verdict(name)).toEqual({ usable: "yes" });
  });

  it("the shipped catalog holds the same verdicts the rule computes", () => {
    for (const [name, role] of Object.entries(roles)) {
      expect(roleById(role.id)?.lighthouse, name).toEqual(lighthouseRoleSupport(role.id, role.permissions));
    }
  });
});

describe("wildcard permission evaluation", () => {
  const contributorLike: PermissionBlock[] = [
    {
      actions: ["*"],
      notActions: ["Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write"],
      dataActions: [],
    },
  ];

  it("expands wildcards and subtracts notActions, case-insensitively", () => {
    expect(grantsAction(contributorLike, "Microsoft.Compute/virtualMachines/write")).toBe(true);
    expect(grantsAction(contributorLike, "Microsoft.Authorization/roleAssignments/write")).toBe(false);
    expect(
      grantsAction(
        [{ actions: ["*"], notActions: [], dataActions: [] }],
        "Microsoft.Authorization/roleAssignments/write",
      ),
    ).toBe(true);
  });

  it("is not a plain string match either way", () => {
    // Contributor's notActions contain the text "Microsoft.Authorization/*/Write", yet it is supported...
    expect(lighthouseRoleSupport("00000000-0000-0000-0000-000000000001", contributorLike)).toEqual({ usable: "yes" });
    // ...while '*/write' never names roleAssignments, yet grants it.
    const writer = [{ actions: ["*/write"], notActions: [], dataActions: [] }];
    expect(lighthouseRoleSupport("00000000-0000-0000-0000-000000000002", writer).usable).toBe("no");
  });

  it("treats several permission blocks as a union", () => {
    const blocks: PermissionBlock[] = [
      { actions: ["*/read"], notActions: [], dataActions: [] },
      { actions: ["Microsoft.Authorization/locks/*"], notActions: [], dataActions: [] },
    ];
    expect(grantsAction(blocks, "Microsoft.Authorization/locks/delete")).toBe(true);
  });
});

describe("role catalog", () => {
  it("covers every built-in role with a verdict", () => {
    expect(builtInRoles.length).toBeGreaterThan(900);
    for (const role of builtInRoles) expect(["yes", "no", "delegation-only"]).toContain(role.lighthouse.usable);
  });

  it("finds roles by name case-insensitively and by id", () => {
    expect(roleByName("contributor")?.id).toBe("b24988ac-6180-42a0-ab88-20f7382dd24c");
    expect(roleById("ACDD72A7-3385-48EF-BD42-F606FBA81AE7")?.name).toBe("Reader");
  });

  it("suggests the closest role name", () => {
    expect(unknownRoleMessage("Contributer")).toBe("unknown role 'Contributer': not an Azure built-in role name");
    expect(didYouMean("Contributer", builtInRoleNames)).toBe("; did you mean 'Contributor'?");
    expect(didYouMean("Totally Unknown Thing Role Name", builtInRoleNames)).toBe("");
  });

  it("finds names whatever their spacing: the catalog itself has a trailing space", () => {
    expect(roleByName("Azure Arc VMware Administrator role")?.id).toBe("ddc140ed-e463-4246-9145-7c664192013f");
    expect(roleByName("  azure arc   vmware administrator ROLE ")?.id).toBe("ddc140ed-e463-4246-9145-7c664192013f");
  });
});
