import { lastSegment } from "./scopes";
/**
 * What Azure defines, once: the API versions this toolkit speaks and the Managed Services API's
 * defaults. Every module that needs one of these imports it from here.
 */

/** Microsoft.ManagedServices: registration definitions and assignments (REST spec, seed). */
export const MANAGED_SERVICES_API_VERSION = "2022-10-01";
/** Microsoft.Authorization role definitions (the built-in role catalog) and role assignments. */
export const AUTHORIZATION_API_VERSION = "2022-04-01";
/**
 * Microsoft.ManagedIdentity (seed managed-identity-client.md: the client's default); also the
 * first GA version with `isolationScope` and the system-assigned `identities/default` lookup.
 */
export const MANAGED_IDENTITY_API_VERSION = "2024-11-30";
/** Azure Resource Graph queries. */
export const RESOURCE_GRAPH_API_VERSION = "2021-03-01";
/** The Activity Log (Microsoft.Insights event types). */
export const ACTIVITY_LOG_API_VERSION = "2015-04-01";
/** Microsoft.Resources deployments (the exported template's nested deployments). */
export const DEPLOYMENTS_API_VERSION = "2022-09-01";

/** Microsoft.Authorization policy definitions and assignments (the management-group onboarding policy). */
export const POLICY_API_VERSION = "2021-06-01";
/** Microsoft.PolicyInsights remediations. */
export const POLICY_INSIGHTS_API_VERSION = "2021-10-01";
/** Microsoft.Management: a management group's descendants. */
export const MANAGEMENT_GROUPS_API_VERSION = "2021-04-01";
/** Microsoft.ManagementPartner: the partner ID a principal is linked to (Partner Admin Link). */
export const MANAGEMENT_PARTNER_API_VERSION = "2018-02-01";

/** The API's defaults for a just-in-time policy (REST spec 2022-10-01, JustInTimeAccessPolicy). */
export const JIT_DEFAULTS = { multiFactorAuthProvider: "None", maximumActivationDuration: "PT8H" } as const;

/** `8e3a...` from either a bare GUID or `/providers/Microsoft.Authorization/roleDefinitions/8e3a...`. */
export function roleGuid(roleDefinitionId: string): string {
  return lastSegment(roleDefinitionId).toLowerCase();
}
