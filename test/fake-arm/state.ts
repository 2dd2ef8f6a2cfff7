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

/** The registration definitions and assignments Azure would return once a stack is deployed. */
export function deployedState(stack: ResolvedStack) {
  const definitions: Array<Record<string, any>> = []; // eslint-disable-line @typescript-eslint/no-explicit-any
  const assignments: Array<Record<string, any>> = []; // eslint-disable-line @typescript-eslint/no-explicit-any
  for (const { subscriptionId, delegations } of stack.subscriptions) {
    for (const { offer, resourceGroups } of delegations) {
      const id = registrationDefinitionResourceId(subscriptionId, offer.registrationDefinitionId);
      definitions.push({
        id,
        name: offer.registrationDefinitionId,
        type: "Microsoft.ManagedServices/registrationDefinitions",
        properties: { ...definitionProperties(offer), provisioningState: "Succeeded", managedByTenantName: "Contoso", manageeTenantId: stack.customer.tenantId, manageeTenantName: stack.customer.name },
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
