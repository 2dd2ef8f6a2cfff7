import * as pulumi from "@pulumi/pulumi";
import { RoleAssignment } from "@pulumi/azure-native/authorization";
import { roleAssignmentGuid, roleDefinitionResourceId } from "../src/identity/model";

/** One role for a managed identity: a built-in role's GUID at an ARM scope. */
export interface IdentityRoleAssignmentArgs {
  /** Role definition GUID (e.g. from an offer's resolved roles). Plain: part of the assignment's GUID. */
  roleDefinitionId: string;
  /** Where the role applies: a subscription, resource group or resource id. Plain: part of the assignment's GUID. */
  scope: string;
  /** Shown in the Azure portal. Default: none. */
  description?: pulumi.Input<string>;
}

/** What of a role assignment decides its name, for {@link requirePlainArguments}. */
export const ROLE_ASSIGNMENT_NAMING = {
  "roleAssignments[].roleDefinitionId": "the role assignments' GUIDs",
  "roleAssignments[].scope": "the role assignments' GUIDs",
};
export const roleAssignmentNaming = (assignments: IdentityRoleAssignmentArgs[] | undefined) => ({
  "roleAssignments[].roleDefinitionId": assignments?.map((assignment) => assignment.roleDefinitionId),
  "roleAssignments[].scope": assignments?.map((assignment) => assignment.scope),
});

/**
 * Declares the role assignments of one managed identity, as children of `parent`. Not a
 * component itself: both identity components (user-assigned, system-assigned) call it.
 * Children are named `<name>-role-<roleAssignmentName>`, and the Azure names are
 * `guid(principal resource id, role, scope)`; `delegatedThroughLighthouse` adds
 * `delegatedManagedIdentityResourceId`, which Azure requires when the managing tenant assigns
 * a role to a customer's managed identity through Lighthouse.
 */
export function assignRolesToIdentity(
  parent: pulumi.Resource,
  name: string,
  identity: { principalId: pulumi.Input<string>; resourceId: string; delegatedThroughLighthouse: boolean },
  assignments: IdentityRoleAssignmentArgs[],
): RoleAssignment[] {
  return assignments.map((assignment, index) => {
    const roleAssignmentName = roleAssignmentGuid(identity.resourceId, assignment.roleDefinitionId, assignment.scope);
    // Named from content, so that removing one assignment leaves the others alone; the alias
    // carries stacks deployed when children were named by position (`-role-<index>`) over.
    return new RoleAssignment(
      `${name}-role-${roleAssignmentName}`,
      {
        scope: assignment.scope,
        roleAssignmentName,
        roleDefinitionId: roleDefinitionResourceId(assignment.scope, assignment.roleDefinitionId),
        principalId: identity.principalId,
        principalType: "ServicePrincipal",
        ...(assignment.description !== undefined ? { description: assignment.description } : {}),
        ...(identity.delegatedThroughLighthouse ? { delegatedManagedIdentityResourceId: identity.resourceId } : {}),
      },
      { parent, aliases: [{ name: `${name}-role-${index}` }] },
    );
  });
}
