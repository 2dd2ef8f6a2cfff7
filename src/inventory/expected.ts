import { definitionKey, delegatedScopes, delegationGuids } from "../delegation";
import { subscriptionScope } from "../azure/scopes";
import { definitionProperties } from "../offer/model";
import { delegationViewOf, type DelegationView } from "../access/view";
import type { ResolvedStack } from "../stack/load";

/**
 * What the stack's offers delegate, in either mode, as access views: per listed subscription, and
 * per subscription found below each management group (`managementGroupSubscriptions`, as read from
 * Azure), where its policy deploys the same delegation; a subscription listed both ways once.
 */
export function expectedDelegations(
  stack: ResolvedStack,
  managementGroupSubscriptions: ReadonlyMap<string, readonly string[]> = new Map(),
): DelegationView[] {
  const direct = directDelegations(stack);
  const seen = new Set(direct.map((view) => definitionKey(view.subscriptionId, view.definitionGuid)));
  const byPolicy = stack.managementGroups.flatMap(({ offer, managementGroupId }) =>
    (managementGroupSubscriptions.get(managementGroupId) ?? []).flatMap((subscriptionId): DelegationView[] => {
      const key = definitionKey(subscriptionId, offer.definitionGuid);
      if (seen.has(key)) return [];
      seen.add(key);
      const scopes = delegatedScopes(subscriptionId);
      return [
        {
          ...delegationViewOf(subscriptionId, offer.definitionGuid, definitionProperties(offer), scopes),
          managementGroupId,
        },
      ];
    }),
  );
  return [...direct, ...byPolicy];
}

function directDelegations(stack: ResolvedStack): DelegationView[] {
  return stack.subscriptions.flatMap(({ subscriptionId, delegations }) =>
    delegations.map(({ offer, resourceGroups, naming, adopt }) =>
      delegationViewOf(
        subscriptionId,
        delegationGuids(naming, offer, subscriptionId, resourceGroups, adopt).definition,
        definitionProperties(offer),
        delegatedScopes(subscriptionId, resourceGroups),
      ),
    ),
  );
}

/** The scopes to read for a stack: each subscription, and each resource group it delegates. */
export function stackScopes(stack: ResolvedStack): string[] {
  return [
    ...new Set(
      stack.subscriptions.flatMap(({ subscriptionId, delegations }) => [
        subscriptionScope(subscriptionId),
        ...delegations.flatMap((d) => (d.resourceGroups ? delegatedScopes(subscriptionId, d.resourceGroups) : [])),
      ]),
    ),
  ];
}
