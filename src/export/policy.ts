import { basename } from "node:path";
import { managementGroupNames } from "../delegation";
import { POLICY_API_VERSION, POLICY_INSIGHTS_API_VERSION, AUTHORIZATION_API_VERSION } from "../azure/definitions";
import { managementGroupScope } from "../azure/scopes";
import { OWNER_ROLE_ID } from "../roles/support";
import type { ResolvedOffer } from "../offer/model";
import { armParameters, armTemplate } from "./arm";

/**
 * Onboarding every subscription of a management group: an Azure Policy with a deployIfNotExists
 * effect, in the shape of Microsoft's workaround sample (Azure-Lighthouse-samples
 * `templates/policy-delegate-management-groups`): for each subscription without the offer's
 * registration definition, it deploys the toolkit's own subscription template (src/export/arm.ts,
 * toolkit names) with the offer's values, so a subscription onboarded by the policy holds exactly
 * the definition and assignment `npm run export` or the LighthouseDelegation component would
 * create there. Differences from the sample, each on purpose:
 * - the existence check names the definition (`details.name`, the toolkit's GUID for the offer;
 *   Microsoft Learn, "Azure Policy definitions deployIfNotExists effect": name "specifies the exact
 *   name of the resource to match", required only when `details.type` equals the `if` type)
 *   besides its managing tenant: another offer of the same provider does not satisfy it;
 * - the values are written into the rule (one policy per offer) instead of policy parameters;
 * - the deployment location is the stack's, not a fixed `westeurope`.
 * Like the sample, the assignment's identity holds Owner at the management group: the deployment
 * writes registration definitions and assignments, which needs `roleAssignments/write`
 * (Microsoft's onboarding docs ask Owner or a role with that action); Owner is what the sample
 * grants. Not run against Azure here: the policy engine's evaluation is unknown beyond the sample
 * and the documented deployIfNotExists schema (details.name, existenceCondition, deployment).
 */

/** The role the policy assignment's identity needs at the management group (Microsoft's sample: Owner). */
export const REMEDIATION_ROLE_ID = OWNER_ROLE_ID;
export const roleDefinitionTenantId = (roleGuid: string) =>
  `/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`;

/**
 * A string beginning with `[` is an expression to ARM (and, in a policy definition deployed by a
 * template, to the template first): `[[` makes it a literal again. Every string of `value`.
 */
export function escapeExpressions(value: unknown): unknown {
  return mapStrings(value, (text) => (text.startsWith("[") ? `[${text}` : text));
}

/** The values {@link escapeExpressions} escaped, as the policy engine passes them on. */
export function unescapeExpressions(value: unknown): unknown {
  return mapStrings(value, (text) => (text.startsWith("[[") ? text.slice(1) : text));
}

/** `value` with every string in it, at any depth, replaced by `change(string)`. */
function mapStrings(value: unknown, change: (text: string) => string): unknown {
  if (typeof value === "string") return change(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, change));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, change)]));
  return value;
}

/**
 * What a management-group policy's rule (as {@link delegationPolicyDefinition} writes it) deploys
 * in each subscription: the definition's GUID and properties; undefined for any other rule.
 */
export function policyDelegation(
  policyRule: unknown,
): { definitionGuid: string; properties: Record<string, unknown> } | undefined {
  const details = (policyRule as { then?: { details?: Record<string, unknown> } } | undefined)?.then?.details;
  const parameters = (details?.deployment as { properties?: { parameters?: unknown } } | undefined)?.properties
    ?.parameters;
  if (
    details?.type !== "Microsoft.ManagedServices/registrationDefinitions" ||
    typeof details.name !== "string" ||
    !parameters
  )
    return undefined;
  const value = (name: string) =>
    unescapeExpressions((parameters as Record<string, { value?: unknown } | undefined>)[name]?.value);
  return {
    definitionGuid: details.name,
    properties: {
      registrationDefinitionName: value("mspOfferName"),
      managedByTenantId: value("managedByTenantId"),
      authorizations: value("authorizations") ?? [],
      ...(value("eligibleAuthorizations") ? { eligibleAuthorizations: value("eligibleAuthorizations") } : {}),
    },
  };
}

/** The policy definition's properties for `offer`: what Pulumi sends and what the export declares. */
export function delegationPolicyDefinition(offer: ResolvedOffer, location: string) {
  // The file's name only: a path would differ between machines, and so would the deployed policy.
  const source = basename(offer.file);
  const template = armTemplate(offer, { source });
  const { parameters } = armParameters(offer);
  return {
    displayName: `Azure Lighthouse: delegate '${offer.name}'`.slice(0, 128),
    description: `Deploys the Azure Lighthouse delegation of the offer '${offer.name}' (managing tenant ${offer.managedByTenantId}) to every subscription that does not have it. Generated from ${source} by the toolkit.`,
    mode: "All",
    policyType: "Custom",
    policyRule: {
      if: { allOf: [{ field: "type", equals: "Microsoft.Resources/subscriptions" }] },
      then: {
        effect: "deployIfNotExists",
        details: {
          type: "Microsoft.ManagedServices/registrationDefinitions",
          name: offer.definitionGuid,
          deploymentScope: "Subscription",
          existenceScope: "Subscription",
          roleDefinitionIds: [roleDefinitionTenantId(REMEDIATION_ROLE_ID)],
          existenceCondition: {
            field: "Microsoft.ManagedServices/registrationDefinitions/managedByTenantId",
            equals: offer.managedByTenantId,
          },
          deployment: {
            location,
            properties: {
              mode: "incremental",
              template,
              // A string beginning with "[" is an expression to ARM; escaped on the assumption that the
              // policy engine evaluates these values too (unknown: were it to pass them on as they are,
              // such a value would keep a doubled bracket). Offer values rarely begin with "[".
              parameters: escapeExpressions(parameters),
            },
          },
        },
      },
    },
  };
}

export interface ManagementGroupTarget {
  managementGroupId: string;
  /** Region of the policy assignment's identity and of each subscription deployment. */
  location: string;
  /** Also delegate the subscriptions already there (a remediation task). */
  remediate: boolean;
}

/** The ids of what the policy onboarding declares at a management group. */
export function managementGroupResourceIds(offer: ResolvedOffer, managementGroupId: string) {
  const names = managementGroupNames(offer.file, offer.definitionGuid, managementGroupId);
  const scope = managementGroupScope(managementGroupId);
  return {
    names,
    scope,
    policyDefinitionId: `${scope}/providers/Microsoft.Authorization/policyDefinitions/${names.policyDefinitionName}`,
    policyAssignmentId: `${scope}/providers/Microsoft.Authorization/policyAssignments/${names.policyAssignmentName}`,
    roleAssignmentId: `${scope}/providers/Microsoft.Authorization/roleAssignments/${names.roleAssignmentName}`,
  };
}

/**
 * The whole onboarding of a management group as one `managementGroupDeploymentTemplate`: the
 * policy definition, its assignment with a system-assigned identity, that identity's Owner role
 * at the management group and, when asked, a remediation for the subscriptions already there.
 * The policy's own expressions are escaped (`[[`): ARM must keep them for the policy engine.
 */
export function managementGroupTemplate(offer: ResolvedOffer, target: ManagementGroupTarget, source?: string) {
  const ids = managementGroupResourceIds(offer, target.managementGroupId);
  const { names } = ids;
  const definition = delegationPolicyDefinition(offer, target.location);
  return {
    $schema: "https://schema.management.azure.com/schemas/2019-08-01/managementGroupDeploymentTemplate.json#",
    contentVersion: "1.0.0.0",
    metadata: {
      description: `Azure Lighthouse onboarding of every subscription of management group '${target.managementGroupId}' for the offer '${offer.name}', generated from ${source ?? offer.file} (the toolkit's names)`,
    },
    resources: [
      {
        type: "Microsoft.Authorization/policyDefinitions",
        apiVersion: POLICY_API_VERSION,
        name: names.policyDefinitionName,
        properties: escapeExpressions(definition),
      },
      {
        type: "Microsoft.Authorization/policyAssignments",
        apiVersion: POLICY_API_VERSION,
        name: names.policyAssignmentName,
        location: target.location,
        identity: { type: "SystemAssigned" },
        dependsOn: [ids.policyDefinitionId],
        properties: {
          displayName: escapeExpressions(definition.displayName),
          policyDefinitionId: ids.policyDefinitionId,
        },
      },
      {
        type: "Microsoft.Authorization/roleAssignments",
        apiVersion: AUTHORIZATION_API_VERSION,
        name: names.roleAssignmentName,
        dependsOn: [ids.policyAssignmentId],
        properties: {
          roleDefinitionId: roleDefinitionTenantId(REMEDIATION_ROLE_ID),
          principalId: `[reference('${ids.policyAssignmentId}', '${POLICY_API_VERSION}', 'full').identity.principalId]`,
          principalType: "ServicePrincipal",
        },
      },
      ...(target.remediate
        ? [
            {
              type: "Microsoft.PolicyInsights/remediations",
              apiVersion: POLICY_INSIGHTS_API_VERSION,
              name: names.remediationName,
              dependsOn: [ids.roleAssignmentId],
              properties: { policyAssignmentId: ids.policyAssignmentId, resourceDiscoveryMode: "ExistingNonCompliant" },
            },
          ]
        : []),
    ],
  };
}
