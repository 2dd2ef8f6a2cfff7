import { armGuid } from "./azure/guid";
import { resourceGroupScope, subscriptionOfScope, subscriptionScope } from "./azure/scopes";

/**
 * Where delegations live, and their deterministic names. ARM templates compute the same values
 * (`subscription().id`, `resourceGroup().id`, `guid(...)`), so a template-onboarded delegation
 * and a Pulumi-onboarded one are the same resources.
 */

/** The scopes an offer is assigned at: the subscription, or each listed resource group. */
export function delegatedScopes(subscriptionId: string, resourceGroups?: readonly string[]): string[] {
  return resourceGroups && resourceGroups.length > 0
    ? resourceGroups.map((group) => resourceGroupScope(subscriptionId, group))
    : [subscriptionScope(subscriptionId)];
}

/**
 * The registration assignment's GUID: ARM `guid(definitionGuid, scope)`. One assignment per
 * definition and scope (Lighthouse allows no more); other offers and other providers on the
 * same scope get other GUIDs.
 */
export function registrationAssignmentGuid(registrationDefinitionGuid: string, scope: string): string {
  return armGuid(registrationDefinitionGuid, scope);
}

/**
 * The Pulumi logical name of an offer's delegation in a subscription: `<offer-name-slug>-<subscription>`.
 * It follows the offer's name (as its GUID does) and not its file, so moving a file changes
 * nothing, while a new managing tenant keeps the name and replaces the definition (delete first).
 */
export function delegationName(offerName: string, subscriptionId: string): string {
  const slug = offerName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return `${slug || "offer"}-${subscriptionId.toLowerCase()}`;
}

/**
 * How a delegation's resources are named.
 * - `toolkit`: definition `guid(managedByTenantId, name)`, assignment `guid(definition, scope)`.
 * - `samples`: as Microsoft's onboarding templates (Azure-Lighthouse-samples) name them:
 *   definition `guid(mspOfferName)`; assignment `guid(mspOfferName)` on a subscription and
 *   `guid(rgName)` on a resource group. Redeploying then updates a delegation onboarded with
 *   those templates instead of creating a second, parallel one.
 */
export const NAMING_SCHEMES = ["toolkit", "samples"] as const;
export type DelegationNaming = (typeof NAMING_SCHEMES)[number];

/** The definition's and each assignment's GUID (in the order of {@link delegatedScopes}) under `naming`. */
export function delegationGuids(
  naming: DelegationNaming,
  offer: { name: string; definitionGuid: string },
  subscriptionId: string,
  resourceGroups?: readonly string[],
): { definition: string; assignments: string[] } {
  if (naming === "samples") {
    return {
      definition: armGuid(offer.name),
      assignments:
        resourceGroups && resourceGroups.length > 0
          ? resourceGroups.map((group) => armGuid(group))
          : [armGuid(offer.name)],
    };
  }
  return {
    definition: offer.definitionGuid,
    assignments: delegatedScopes(subscriptionId, resourceGroups).map((scope) =>
      registrationAssignmentGuid(offer.definitionGuid, scope),
    ),
  };
}

/** What ties registration assignments to their definition: the definition's subscription and GUID. */
export const definitionKey = (subscriptionId: string, definitionGuid: string) =>
  `${subscriptionId.toLowerCase()} ${definitionGuid.toLowerCase()}`;

/**
 * The definition an assignment belongs to, as a {@link definitionKey}: the subscription of the
 * assignment's scope and the GUID its registrationDefinitionId (a definition's resource id) ends
 * with; undefined when that is no definition id.
 */
export function assignedDefinitionKey(scope: unknown, registrationDefinitionId: unknown): string | undefined {
  const guid = /\/registrationDefinitions\/([^/]+)$/i.exec(String(registrationDefinitionId ?? ""))?.[1];
  return guid === undefined ? undefined : definitionKey(subscriptionOfScope(scope), guid);
}
