import { lastSegment, resourceGroupScope, subscriptionOfScope, subscriptionScope } from "../azure/scopes";
import { armGuid } from "../azure/guid";
import type { SystemAssignedIdentityDocument, UserAssignedIdentityDocument } from "./schema";

export interface ResolvedRoleAssignment {
  roleDefinitionId: string;
  roleName: string;
  scope: string;
  description?: string;
}

export interface FederatedCredential {
  name: string;
  issuer: string;
  subject: string;
  audiences: string[];
}

/** A user-assigned identity as the stack file declares it, roles resolved. */
export interface ResolvedUserAssignedIdentity {
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  tags?: Record<string, string>;
  isolationScope?: "None" | "Regional";
  federatedCredentials: FederatedCredential[];
  roleAssignments: ResolvedRoleAssignment[];
}

/** Roles for the system-assigned identity of an existing resource. */
export interface ResolvedSystemAssignedIdentity {
  resourceId: string;
  roleAssignments: ResolvedRoleAssignment[];
}

export function userAssignedIdentityResourceId(subscriptionId: string, resourceGroup: string, name: string): string {
  return `${resourceGroupScope(subscriptionId, resourceGroup)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
}

/** `/subscriptions/<id>/providers/Microsoft.Authorization/roleDefinitions/<role>`, in the scope's subscription. */
export function roleDefinitionResourceId(scope: string, roleDefinitionGuid: string): string {
  return `${subscriptionScope(subscriptionOfScope(scope))}/providers/Microsoft.Authorization/roleDefinitions/${roleDefinitionGuid}`;
}

/**
 * A role assignment's name: ARM `guid(principal resource id, role, scope)`, all lower case.
 * It is known before deployment (the principal id is not), stable across runs, and one per
 * principal, role and scope, as Azure allows.
 */
export function roleAssignmentGuid(principalResourceId: string, roleDefinitionGuid: string, scope: string): string {
  return armGuid(principalResourceId.toLowerCase(), roleDefinitionGuid, scope.toLowerCase());
}

/** Pulumi logical name of a user-assigned identity's component: unique per subscription and group. */
export const identityComponentName = (subscriptionId: string, resourceGroup: string, name: string) =>
  `identity-${subscriptionId}-${resourceGroup}-${name}`.toLowerCase();

/** Pulumi logical name of the roles of an existing resource's system-assigned identity. */
export const systemIdentityComponentName = (resourceId: string) =>
  `system-identity-${lastSegment(resourceId)}-${armGuid(resourceId.toLowerCase()).slice(0, 8)}`.toLowerCase();

const resolveRoleAssignments = (
  assignments: UserAssignedIdentityDocument["roleAssignments"],
): ResolvedRoleAssignment[] =>
  assignments.map(({ role, scope, description }) => ({
    ...role,
    scope,
    ...(description !== undefined ? { description } : {}),
  }));

export function resolveUserAssignedIdentity(document: UserAssignedIdentityDocument): ResolvedUserAssignedIdentity {
  const { resourceGroup, roleAssignments, ...rest } = document;
  return { ...rest, resourceGroup, roleAssignments: resolveRoleAssignments(roleAssignments) };
}

export function resolveSystemAssignedIdentity(
  document: SystemAssignedIdentityDocument,
): ResolvedSystemAssignedIdentity {
  return { resourceId: document.resourceId, roleAssignments: resolveRoleAssignments(document.roleAssignments) };
}

/**
 * The outputs a system-assigned identity's component registers (`registerOutputs`): whose
 * identity it is, and its principal. Such an identity is no resource of the stack (it is read
 * from Azure at deploy time), so this is how the access view learns of it.
 */
export interface SystemAssignedIdentityOutputs {
  /** The resource whose system-assigned identity it is. */
  resourceId: string;
  principalId: string;
}
