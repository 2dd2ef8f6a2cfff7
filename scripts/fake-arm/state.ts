import { armGuid } from "../../src/azure/guid";
import {
  roleDefinitionResourceId,
  userAssignedIdentityResourceId,
  type ResolvedRoleAssignment,
} from "../../src/identity/model";
import { delegatedScopes, registrationAssignmentGuid } from "../../src/delegation";
import { registrationAssignmentResourceId, registrationDefinitionResourceId } from "../../src/azure/scopes";
import { definitionProperties } from "../../src/offer/model";
import type { ResolvedStack } from "../../src/stack/load";

const systemData = {
  createdBy: "onboarding@fabrikam.example",
  createdByType: "User",
  createdAt: "2026-10-01T09:00:00Z",
  lastModifiedBy: "onboarding@fabrikam.example",
  lastModifiedByType: "User",
  lastModifiedAt: "2026-10-01T09:00:00Z",
};

/**
 * The registration definitions and assignments Azure would return once a stack is deployed.
 * `tenantNames` gives managing tenants their display names (Azure knows them; offers do not).
 */
export function deployedState(stack: ResolvedStack, tenantNames: Record<string, string> = {}) {
  const definitions: Array<Record<string, any>> = []; // eslint-disable-line @typescript-eslint/no-explicit-any
  const assignments: Array<Record<string, any>> = []; // eslint-disable-line @typescript-eslint/no-explicit-any
  for (const { subscriptionId, delegations } of stack.subscriptions) {
    for (const { offer, resourceGroups } of delegations) {
      const id = registrationDefinitionResourceId(subscriptionId, offer.definitionGuid);
      definitions.push({
        id,
        name: offer.definitionGuid,
        type: "Microsoft.ManagedServices/registrationDefinitions",
        properties: {
          ...definitionProperties(offer),
          provisioningState: "Succeeded",
          ...(tenantNames[offer.managedByTenantId]
            ? { managedByTenantName: tenantNames[offer.managedByTenantId] }
            : {}),
          manageeTenantId: stack.customer.tenantId,
          manageeTenantName: stack.customer.name,
        },
        systemData,
      });
      for (const scope of delegatedScopes(subscriptionId, resourceGroups)) {
        const name = registrationAssignmentGuid(offer.definitionGuid, scope);
        assignments.push({
          id: registrationAssignmentResourceId(scope, name),
          name,
          type: "Microsoft.ManagedServices/registrationAssignments",
          properties: { registrationDefinitionId: id, provisioningState: "Succeeded" },
          systemData,
        });
      }
    }
  }
  return { definitions, assignments };
}

/** `az role definition list` output as ARM's role definitions list returns it. */
export function roleDefinitionsOf(
  azList: Array<{ name: string; roleName: string; roleType: string; permissions: unknown[] }>,
) {
  return azList.map((role) => ({
    id: `/providers/Microsoft.Authorization/roleDefinitions/${role.name}`,
    name: role.name,
    type: "Microsoft.Authorization/roleDefinitions",
    properties: { roleName: role.roleName, type: role.roleType, permissions: role.permissions },
  }));
}

/**
 * The managed identities Azure would hold once a stack is deployed: each declared identity with
 * its federated credentials and role assignments, and each referenced resource's system-assigned
 * identity with its roles. Principal and client ids are made up (stable per identity).
 */
export function deployedIdentities(stack: ResolvedStack) {
  const identities: Array<Record<string, any>> = []; // eslint-disable-line @typescript-eslint/no-explicit-any
  const federatedCredentials: Array<Record<string, any>> = []; // eslint-disable-line @typescript-eslint/no-explicit-any
  const systemIdentities: Array<Record<string, any>> = []; // eslint-disable-line @typescript-eslint/no-explicit-any
  const roleAssignments: Array<Record<string, any>> = []; // eslint-disable-line @typescript-eslint/no-explicit-any
  const assign = (principalId: string, assignments: ResolvedRoleAssignment[]) => {
    for (const { roleDefinitionId, scope } of assignments) {
      const name = armGuid(principalId, roleDefinitionId, scope.toLowerCase());
      roleAssignments.push({
        id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
        name,
        type: "Microsoft.Authorization/roleAssignments",
        properties: {
          roleDefinitionId: roleDefinitionResourceId(scope, roleDefinitionId),
          principalId,
          principalType: "ServicePrincipal",
          scope,
        },
      });
    }
  };
  for (const identity of stack.identities) {
    const id = userAssignedIdentityResourceId(identity.subscriptionId, identity.resourceGroup, identity.name);
    const principalId = armGuid(id, "principal");
    identities.push({
      id,
      name: identity.name,
      type: "Microsoft.ManagedIdentity/userAssignedIdentities",
      location: identity.location,
      ...(identity.tags ? { tags: identity.tags } : {}),
      properties: {
        principalId,
        clientId: armGuid(id, "client"),
        tenantId: stack.customer.tenantId,
        ...(identity.isolationScope ? { isolationScope: identity.isolationScope } : {}),
      },
    });
    for (const credential of identity.federatedCredentials) {
      federatedCredentials.push({
        id: `${id}/federatedIdentityCredentials/${credential.name}`,
        name: credential.name,
        type: "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
        properties: { issuer: credential.issuer, subject: credential.subject, audiences: credential.audiences },
      });
    }
    assign(principalId, identity.roleAssignments);
  }
  for (const system of stack.systemAssignedIdentities) {
    const principalId = armGuid(system.resourceId, "principal");
    systemIdentities.push({
      id: `${system.resourceId}/providers/Microsoft.ManagedIdentity/identities/default`,
      name: "default",
      properties: { principalId, tenantId: stack.customer.tenantId },
    });
    assign(principalId, system.roleAssignments);
  }
  return { identities, federatedCredentials, systemIdentities, roleAssignments };
}

/**
 * The managing tenant as Microsoft Graph would describe the stack's principals (each as the kind
 * its offer says, groups security-enabled), and the Activity Log entries of the stack's
 * onboarding an hour before `now`.
 */
export function managingTenantOf(stack: ResolvedStack, now = new Date()) {
  const directory = new Map<string, Record<string, unknown>>();
  const kinds = { User: "user", Group: "group", ServicePrincipal: "servicePrincipal" } as const;
  const events: Array<Record<string, unknown>> = [];
  for (const { subscriptionId, delegations } of stack.subscriptions) {
    for (const { offer, resourceGroups } of delegations) {
      const principals = [
        ...offer.authorizations,
        ...offer.eligibleAuthorizations,
        ...offer.eligibleAuthorizations.flatMap((item) => item.justInTimeAccessPolicy.managedByTenantApprovers ?? []),
      ];
      for (const principal of principals) {
        const kind = kinds[principal.principalType ?? "Group"];
        directory.set(principal.principalId, {
          "@odata.type": `#microsoft.graph.${kind}`,
          id: principal.principalId,
          displayName: principal.principalIdDisplayName ?? principal.principalId,
          ...(kind === "group" ? { securityEnabled: true } : {}),
          ...(kind === "servicePrincipal" ? { appId: armGuid(principal.principalId, "app") } : {}),
        });
      }
      for (const scope of delegatedScopes(subscriptionId, resourceGroups)) {
        const operation = "Microsoft.ManagedServices/registrationAssignments/write";
        events.push({
          eventTimestamp: new Date(now.getTime() - 3_600_000).toISOString(),
          caller: "onboarding@customer.example",
          operationName: { value: operation },
          status: { value: "Succeeded" },
          authorization: {
            action: operation,
            scope: registrationAssignmentResourceId(scope, registrationAssignmentGuid(offer.definitionGuid, scope)),
          },
        });
      }
    }
  }
  return { directory: [...directory.values()], events };
}
