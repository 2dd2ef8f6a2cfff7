import { armGuid } from "./azure/guid";
import { managementGroupScope, resourceGroupScope, subscriptionOfScope, subscriptionScope } from "./azure/scopes";

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

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");

/**
 * The Pulumi logical name of an offer's delegation in a subscription: `<offer-file-slug>-<subscription>`,
 * the offer file's name without folder and extension. It is keyed on the file, which ops teams do
 * not rename to retitle an offer: a change of the offer's `name` (or managing tenant) then keeps the
 * URN and changes the definition's GUID, a replacement that azure-native deletes first, as
 * Lighthouse asks when principals are reused (update-delegation.md). A renamed file is a new URN:
 * the review shows its create refused while the old delegation exists.
 */
export function delegationName(offerFile: string, subscriptionId: string): string {
  const stem = offerFile.replace(/^.*[\\/]/, "").replace(/\.ya?ml$/i, "");
  return `${slug(stem) || "offer"}-${subscriptionId.toLowerCase()}`;
}

/** The name stacks deployed before the file keyed it, `<offer-name-slug>-<subscription>`: an alias, so they keep their URNs. */
export function formerDelegationName(offerName: string, subscriptionId: string): string {
  return `${slug(offerName) || "offer"}-${subscriptionId.toLowerCase()}`;
}

/**
 * An assignment's label in its logical name (`<delegation>-<label>`): `subscription`, or
 * `rg-<group>` in lower case, since ARM compares resource group names without case; a group
 * renamed in case only is then the same URN, replaced delete-first, never a second assignment on
 * the same scope (which ARM refuses). `formerLabels`: the label as written, which stacks deployed
 * before used (an alias).
 */
export function assignmentLabels(resourceGroup?: string): { label: string; formerLabels: string[] } {
  if (resourceGroup === undefined) return { label: "subscription", formerLabels: [] };
  const label = `rg-${resourceGroup.toLowerCase()}`;
  return { label, formerLabels: label === `rg-${resourceGroup}` ? [] : [`rg-${resourceGroup}`] };
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

/** GUIDs a delegation was onboarded with, pinned by `adopt` (the toolkit's for those not given). */
export interface AdoptedGuids {
  registrationDefinitionId?: string;
  registrationAssignmentIds?: string[];
}

/**
 * The definition's and each assignment's GUID (in the order of {@link delegatedScopes}): adopted
 * ones as given, an adopted definition's assignments `guid(definition, scope)`, the rest under `naming`.
 */
export function delegationGuids(
  naming: DelegationNaming,
  offer: { name: string; definitionGuid: string },
  subscriptionId: string,
  resourceGroups?: readonly string[],
  adopt?: AdoptedGuids,
): { definition: string; assignments: string[] } {
  const named = namedGuids(naming, offer, subscriptionId, resourceGroups);
  if (!adopt) return named;
  const definition = adopt.registrationDefinitionId ?? named.definition;
  return {
    definition,
    assignments: delegatedScopes(subscriptionId, resourceGroups).map(
      (scope, index) =>
        adopt.registrationAssignmentIds?.[index] ??
        (adopt.registrationDefinitionId ? registrationAssignmentGuid(definition, scope) : named.assignments[index]),
    ),
  };
}

function namedGuids(
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

/**
 * The names of an offer's onboarding policy at a management group (src/export/policy.ts): the
 * policy definition and the remediation `lighthouse-<definition GUID>`; the assignment
 * `lh-` and 21 hex digits of guid(definition, scope), since ARM allows 24 characters for an
 * assignment name at a management group; the assignment identity's Owner role assignment
 * guid(scope, assignment, role). The delegation it deploys in each subscription is named as a
 * direct one (`toolkit`), so a subscription onboarded either way holds the same resources.
 * `logicalName`: `<offer-file-slug>-mg-<management group>`.
 */
export function managementGroupNames(offerFile: string, definitionGuid: string, managementGroupId: string) {
  const scope = managementGroupScope(managementGroupId).toLowerCase();
  const policyAssignmentName = `lh-${armGuid(definitionGuid, scope).replace(/-/g, "").slice(0, 21)}`;
  return {
    logicalName: delegationName(offerFile, `mg-${managementGroupId}`),
    policyDefinitionName: `lighthouse-${definitionGuid}`,
    policyAssignmentName,
    roleAssignmentName: armGuid(scope, policyAssignmentName, "owner"),
    remediationName: `lighthouse-${definitionGuid}`,
  };
}
