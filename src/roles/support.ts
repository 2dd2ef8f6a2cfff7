/**
 * Which built-in roles Azure Lighthouse accepts in an authorization, computed from the role's
 * real permissions (seed tenants-users-roles.txt, "Role support for Azure Lighthouse").
 * This is the one place that rule is written; the role catalog generator applies it.
 */

/** One permission block of a role definition, as `az role definition list` prints it. */
export interface PermissionBlock {
  actions: string[];
  notActions: string[];
  dataActions: string[];
}

export const OWNER_ROLE_ID = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
export const USER_ACCESS_ADMINISTRATOR_ROLE_ID = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9";
export const REGISTRATION_ASSIGNMENT_DELETE_ROLE_ID = "91c1777a-f3dc-4fae-b103-61d183457e46";

/**
 * The concrete actions behind the seed's list of unsupported actions (`*\/write`,
 * `Microsoft.Authorization/*`, `.../roleAssignments/write`, ...). Every pattern in that list grants
 * at least one of these, so a role is unsupported exactly when it grants one of them.
 */
export const FORBIDDEN_ACTIONS = [
  "Microsoft.Authorization/roleAssignments/write",
  "Microsoft.Authorization/roleAssignments/delete",
  "Microsoft.Authorization/roleDefinitions/write",
  "Microsoft.Authorization/roleDefinitions/delete",
  "Microsoft.Authorization/classicAdministrators/write",
  "Microsoft.Authorization/classicAdministrators/delete",
  "Microsoft.Authorization/locks/write",
  "Microsoft.Authorization/locks/delete",
  "Microsoft.Authorization/denyAssignments/write",
  "Microsoft.Authorization/denyAssignments/delete",
] as const;

/** How a built-in role may be used in a Lighthouse authorization. */
export type RoleSupport =
  | { usable: "yes" }
  /** User Access Administrator: only with `delegatedRoles`, to assign roles to managed identities. */
  | { usable: "delegation-only"; reason: string }
  | { usable: "no"; reason: string };

/** Azure action patterns: `*` matches any run of characters (including `/`), case-insensitive. */
function patternMatches(pattern: string, action: string): boolean {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`, "i").test(action);
}

/** True when some block's actions grant `action` and that block's notActions do not take it away. */
export function grantsAction(blocks: PermissionBlock[], action: string): boolean {
  return blocks.some(
    (block) =>
      block.actions.some((pattern) => patternMatches(pattern, action)) &&
      !block.notActions.some((pattern) => patternMatches(pattern, action)),
  );
}

/**
 * Whether holding the role earns partner recognition (and partner earned credit): Microsoft
 * credits a linked principal's built-in role that can write or delete (Lighthouse docs,
 * partner-earned-credit.md: "an Azure built-in role that is eligible for PEC"; Partner Center:
 * roles with write or delete permissions, so Reader is not). An action granted that ends in
 * `/write`, `/delete` or a wildcard counts.
 */
export function earnsPartnerCredit(blocks: PermissionBlock[]): boolean {
  return blocks.some((block) => block.actions.some((action) => /(\/write|\/delete|\*)$/i.test(action)));
}

/** The Lighthouse verdict for one built-in role. */
export function lighthouseRoleSupport(roleId: string, blocks: PermissionBlock[]): RoleSupport {
  const id = roleId.toLowerCase();
  if (id === OWNER_ROLE_ID) return { usable: "no", reason: "Azure Lighthouse does not support the Owner role" };
  if (id === USER_ACCESS_ADMINISTRATOR_ROLE_ID) {
    return {
      usable: "delegation-only",
      reason: "User Access Administrator is supported only to assign its delegatedRoles to managed identities",
    };
  }
  const dataActions = blocks.flatMap((block) => block.dataActions);
  if (dataActions.length > 0) {
    return {
      usable: "no",
      reason: `the role has DataActions (${dataActions.slice(0, 3).join(", ")}${dataActions.length > 3 ? ", ..." : ""}), which Azure Lighthouse does not support`,
    };
  }
  const forbidden = FORBIDDEN_ACTIONS.filter((action) => grantsAction(blocks, action));
  if (forbidden.length > 0) {
    return {
      usable: "no",
      reason: `the role grants ${forbidden.slice(0, 2).join(", ")}${forbidden.length > 2 ? ", ..." : ""}, which Azure Lighthouse does not support`,
    };
  }
  return { usable: "yes" };
}
