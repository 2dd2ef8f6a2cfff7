import { delegatedScopes, delegationGuids } from "../delegation";
import { subscriptionScope } from "../azure/scopes";
import { definitionProperties } from "../offer/model";
import { delegationViewOf, type DelegationView } from "../access/view";
import type { ResolvedStack } from "../stack/load";

/** What the stack's offers delegate, in either mode, as access views. */
export function expectedDelegations(stack: ResolvedStack): DelegationView[] {
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
