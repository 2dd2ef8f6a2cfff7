import { JIT_DEFAULTS, roleGuid } from "../azure/definitions";
import { assignedDefinitionKey, definitionKey } from "../delegation";
import { managementGroupScope, subscriptionOfScope } from "../azure/scopes";
import { policyDelegation } from "../export/policy";
import { isUserAssignedIdentity, TYPES } from "../azure/resourceTypes";
import { roleLabel } from "../roles/catalog";
import { groupBy } from "../repeats";
import type { RegisteredResource } from "../offline";
import type { SystemAssignedIdentityOutputs } from "../identity/model";

/**
 * Who gets which access where, read back from the resources a program registers: the common
 * ground of the plan's text and the access review. Built from resource inputs, never from the
 * YAML, so resources declared in code are described (and reviewed) the same way.
 */

export interface Principal {
  id: string;
  name?: string;
}

export interface Grant {
  principal: Principal;
  roleId: string;
  role: string;
  /** User Access Administrator: the roles it may assign to managed identities. */
  delegatedRoles?: string[];
  /** Eligible (just-in-time) grants only. */
  jit?: { multiFactorAuthProvider: string; maximumActivationDuration: string; approvers: Principal[] };
}

export interface DelegationView {
  /** Adopted from Azure (Pulumi import) rather than created. */
  adopted?: boolean;
  /** Deployed by Azure Policy to every subscription of this management group ("" as `subscriptionId`). */
  managementGroupId?: string;
  subscriptionId: string;
  offer: string;
  definitionGuid: string;
  managedByTenantId: string;
  scopes: string[];
  permanent: Grant[];
  eligible: Grant[];
}

export interface IdentityRoleView {
  role: string;
  roleId: string;
  scope: string;
  /** Assigned from the managing tenant through Lighthouse. */
  delegated: boolean;
}

export interface IdentityView {
  /** The identity's name, or the resource id whose system-assigned identity it is. */
  name: string;
  kind: "user-assigned" | "system-assigned";
  subscriptionId?: string;
  resourceGroup?: string;
  location?: string;
  isolationScope?: string;
  federatedCredentials: Array<{ name: string; issuer: string; subject: string }>;
  roleAssignments: IdentityRoleView[];
}

export interface AccessView {
  delegations: DelegationView[];
  /** Offers delegated to every subscription of a management group, by policy (only when there are any). */
  managementGroups?: DelegationView[];
  identities: IdentityView[];
}

type Inputs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const text = (value: unknown) => (value === undefined || value === null ? "" : String(value));

/** A delegation as an access view sees it, from RegistrationDefinitionProperties in the API's shape. */
export function delegationViewOf(
  subscriptionId: string,
  definitionGuid: string,
  properties: Inputs,
  scopes: string[],
): DelegationView {
  return {
    subscriptionId,
    offer: text(properties.registrationDefinitionName || definitionGuid),
    definitionGuid,
    managedByTenantId: text(properties.managedByTenantId).toLowerCase(),
    scopes: [...scopes].sort(),
    permanent: ((properties.authorizations ?? []) as Inputs[]).map(grantOf),
    eligible: ((properties.eligibleAuthorizations ?? []) as Inputs[]).map((authorization) =>
      grantOf({ justInTimeAccessPolicy: {}, ...authorization }),
    ),
  };
}

function grantOf(authorization: Inputs): Grant {
  const roleId = roleGuid(text(authorization.roleDefinitionId));
  const policy = authorization.justInTimeAccessPolicy as Inputs | undefined;
  return {
    principal: {
      id: text(authorization.principalId).toLowerCase(),
      ...(authorization.principalIdDisplayName ? { name: text(authorization.principalIdDisplayName) } : {}),
    },
    roleId,
    role: roleLabel(roleId),
    ...(authorization.delegatedRoleDefinitionIds
      ? { delegatedRoles: (authorization.delegatedRoleDefinitionIds as string[]).map((id) => roleLabel(roleGuid(id))) }
      : {}),
    ...(policy
      ? {
          jit: {
            multiFactorAuthProvider: text(policy.multiFactorAuthProvider ?? JIT_DEFAULTS.multiFactorAuthProvider),
            maximumActivationDuration: text(policy.maximumActivationDuration ?? JIT_DEFAULTS.maximumActivationDuration),
            approvers: ((policy.managedByTenantApprovers ?? []) as Inputs[]).map((approver) => ({
              id: text(approver.principalId).toLowerCase(),
              ...(approver.principalIdDisplayName ? { name: text(approver.principalIdDisplayName) } : {}),
            })),
          },
        }
      : {}),
  };
}

/** What the access view reads of a resource: a registration, or the state a deployment of it leaves. */
export type ViewedResource = Pick<
  RegisteredResource,
  "type" | "name" | "inputs" | "outputs" | "providerName" | "importId"
>;

export function accessView(resources: ViewedResource[]): AccessView {
  const ofType = (type: string) => resources.filter((resource) => resource.type === type);
  const providers = new Map(ofType(TYPES.provider).map((provider) => [provider.name, provider.inputs]));
  const assignments = ofType(TYPES.assignment);

  // Assignments indexed once by the definition they belong to: linear in the stack's size.
  const keyOf = (assignment: ViewedResource) =>
    assignedDefinitionKey(assignment.inputs.scope, (assignment.inputs as Inputs).properties?.registrationDefinitionId);
  const scopesOf = groupBy(
    assignments.filter((assignment) => keyOf(assignment) !== undefined),
    (assignment) => keyOf(assignment)!,
  );

  const delegations = ofType(TYPES.definition).map((definition): DelegationView => {
    const guid = text(definition.inputs.registrationDefinitionId).toLowerCase();
    const subscriptionId = subscriptionOfScope(definition.inputs.scope);
    const scopes = (scopesOf.get(definitionKey(subscriptionId, guid)) ?? []).map((assignment) =>
      text(assignment.inputs.scope),
    );
    const view = delegationViewOf(subscriptionId, guid, (definition.inputs.properties ?? {}) as Inputs, scopes);
    return definition.importId ? { ...view, adopted: true } : view;
  });

  const managementGroups = ofType(TYPES.policyDefinition).flatMap((policy): DelegationView[] => {
    const deployed = policyDelegation(policy.inputs.policyRule);
    const managementGroupId = text(policy.inputs.managementGroupId);
    if (!deployed) return [];
    const scope = managementGroupScope(managementGroupId);
    return [{ ...delegationViewOf("", deployed.definitionGuid, deployed.properties, [scope]), managementGroupId }];
  });

  // Identities and their roles, linked as Azure links them: a role assignment's principalId is
  // the identity's principal (a user-assigned identity's output, or what a system-assigned
  // identity's component registered), never through the program's parent layout.
  const credentialsOf = groupBy(
    ofType(TYPES.federatedCredential),
    (credential) => `${text(credential.inputs.resourceName)}\n${text(credential.inputs.resourceGroupName)}`,
  );
  const rolesOf = groupBy(ofType(TYPES.roleAssignment), (assignment) => text(assignment.inputs.principalId));
  const roleView = (assignment: ViewedResource): IdentityRoleView => {
    const roleId = roleGuid(text(assignment.inputs.roleDefinitionId));
    return {
      role: roleLabel(roleId),
      roleId,
      scope: text(assignment.inputs.scope),
      delegated: Boolean(assignment.inputs.delegatedManagedIdentityResourceId),
    };
  };
  const rolesOfPrincipal = (principalId: unknown) =>
    typeof principalId === "string" && principalId ? (rolesOf.get(principalId) ?? []).map(roleView) : [];
  const identities: IdentityView[] = resources
    .filter((resource) => isUserAssignedIdentity(resource.type, resource.inputs))
    .map((identity) => {
      const name = text(identity.inputs.resourceName);
      const resourceGroup = text(identity.inputs.resourceGroupName);
      const provider = identity.providerName ? providers.get(identity.providerName) : undefined;
      const properties = (identity.inputs as Inputs).properties as Inputs | undefined;
      return {
        name,
        kind: "user-assigned",
        ...(provider?.subscriptionId ? { subscriptionId: text(provider.subscriptionId) } : {}),
        resourceGroup,
        location: text(identity.inputs.location),
        ...(properties?.isolationScope ? { isolationScope: text(properties.isolationScope) } : {}),
        federatedCredentials: (credentialsOf.get(`${name}\n${resourceGroup}`) ?? []).map((credential) => ({
          name: text(credential.inputs.federatedIdentityCredentialResourceName),
          issuer: text(credential.inputs.issuer),
          subject: text(credential.inputs.subject),
        })),
        roleAssignments: rolesOfPrincipal(
          identity.outputs.principalId ?? (identity.outputs.properties as Inputs | undefined)?.principalId,
        ),
      };
    });
  for (const access of ofType(TYPES.systemIdentityAccess)) {
    const { resourceId, principalId } = access.outputs as Partial<SystemAssignedIdentityOutputs>;
    identities.push({
      name: text(resourceId),
      kind: "system-assigned",
      federatedCredentials: [],
      roleAssignments: rolesOfPrincipal(principalId),
    });
  }
  // A policy assignment's own identity (the management-group policy's, which deploys delegations
  // with Owner at the management group): reviewed like any identity that gains a role.
  for (const assignment of ofType(TYPES.policyAssignment)) {
    const identity = assignment.outputs.identity as Inputs | undefined;
    if (!identity) continue;
    identities.push({
      name: `${text(assignment.inputs.scope)}/providers/Microsoft.Authorization/policyAssignments/${text(assignment.inputs.policyAssignmentName)}`,
      kind: "system-assigned",
      federatedCredentials: [],
      roleAssignments: rolesOfPrincipal(identity.principalId),
    });
  }
  const byKey =
    <T>(key: (item: T) => string) =>
    (a: T, b: T) =>
      key(a).localeCompare(key(b));
  for (const identity of identities) identity.roleAssignments.sort(byKey((role) => `${role.scope} ${role.role}`));
  return {
    delegations: delegations.sort(byKey((delegation) => `${delegation.subscriptionId} ${delegation.offer}`)),
    ...(managementGroups.length
      ? { managementGroups: managementGroups.sort(byKey((group) => `${group.managementGroupId} ${group.offer}`)) }
      : {}),
    identities: identities.sort(byKey((identity) => `${identity.subscriptionId ?? ""} ${identity.name}`)),
  };
}
