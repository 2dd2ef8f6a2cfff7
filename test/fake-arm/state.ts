import { delegatedScopes, registrationAssignmentGuid, registrationAssignmentResourceId, registrationDefinitionResourceId } from "../../src/delegation";
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
      const id = registrationDefinitionResourceId(subscriptionId, offer.registrationDefinitionId);
      definitions.push({
        id,
        name: offer.registrationDefinitionId,
        type: "Microsoft.ManagedServices/registrationDefinitions",
        properties: {
          ...definitionProperties(offer),
          provisioningState: "Succeeded",
          ...(tenantNames[offer.managedByTenantId] ? { managedByTenantName: tenantNames[offer.managedByTenantId] } : {}),
          manageeTenantId: stack.customer.tenantId,
          manageeTenantName: stack.customer.name,
        },
        systemData,
      });
      for (const scope of delegatedScopes(subscriptionId, resourceGroups)) {
        const name = registrationAssignmentGuid(offer.registrationDefinitionId, scope);
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
export function roleDefinitionsOf(azList: Array<{ name: string; roleName: string; roleType: string; permissions: unknown[] }>) {
  return azList.map((role) => ({
    id: `/providers/Microsoft.Authorization/roleDefinitions/${role.name}`,
    name: role.name,
    type: "Microsoft.Authorization/roleDefinitions",
    properties: { roleName: role.roleName, type: role.roleType, permissions: role.permissions },
  }));
}
