import { scopeContains } from "../azure/scopes";
import { roleLabel } from "../roles/catalog";
import { USER_ACCESS_ADMINISTRATOR_ROLE_ID } from "../roles/support";
import { quote } from "../text";
import { roleGuid } from "../azure/definitions";
import { finding, type Finding } from "./table";

/**
 * Rules about delegations as deployed: who may delegate to whom, and which scopes and roles a
 * customer's delegations open to the managing tenant (definitions' own rules: lighthouse.ts).
 */

/** A delegation whose managing tenant is the customer's own tenant: Lighthouse refuses it. */
export function reviewCustomerTenant(managedByTenantId: string, customerTenantId: string): Finding[] {
  if (managedByTenantId.toLowerCase() !== customerTenantId.toLowerCase()) return [];
  return [
    finding(
      "managing-tenant-is-customer",
      ["managedByTenantId"],
      `managedByTenantId ${managedByTenantId} is the customer's own tenant; a tenant cannot delegate to itself`,
    ),
  ];
}

/** An offer as the identity rules see it: where it is delegated, and what it authorizes. */
export interface DelegationUnderReview {
  offerName: string;
  scopes: string[];
  authorizations: Array<{ roleDefinitionId: string; delegatedRoleDefinitionIds?: string[] }>;
}

/** A scope (of an identity or a role assignment) must lie inside a delegated scope. */
export function reviewScopeDelegated(
  scope: string,
  delegations: DelegationUnderReview[],
  path: PropertyKey[],
): Finding[] {
  if (delegations.some((delegation) => delegation.scopes.some((delegated) => scopeContains(delegated, scope))))
    return [];
  return [finding("scope-not-delegated", path, `${scope} is not inside any scope this customer delegated`)];
}

/**
 * A role assignment made from the managing tenant through Lighthouse: allowed only when an offer
 * delegated at a scope containing it has a User Access Administrator authorization whose
 * delegatedRoles include the role (seed tenants-users-roles.txt).
 */
export function reviewDelegatedRoleAssignment(
  roleDefinitionId: string,
  scope: string,
  delegations: DelegationUnderReview[],
): Finding[] {
  const covering = delegations.filter((delegation) =>
    delegation.scopes.some((delegated) => scopeContains(delegated, scope)),
  );
  if (covering.length === 0) return reviewScopeDelegated(scope, delegations, ["scope"]);
  const roleId = roleGuid(roleDefinitionId);
  const allowedBy = (delegation: DelegationUnderReview) =>
    delegation.authorizations
      .filter((authorization) => roleGuid(authorization.roleDefinitionId) === USER_ACCESS_ADMINISTRATOR_ROLE_ID)
      .flatMap((authorization) => (authorization.delegatedRoleDefinitionIds ?? []).map(roleGuid));
  if (covering.some((delegation) => allowedBy(delegation).includes(roleId))) return [];
  const offers = covering
    .map((delegation) => {
      const allowed = allowedBy(delegation);
      return `offer ${quote(delegation.offerName)} allows ${allowed.length > 0 ? allowed.map(roleLabel).join(", ") : "none (no User Access Administrator authorization)"}`;
    })
    .join("; ");
  return [
    finding(
      "role-not-delegated",
      ["roleDefinitionId"],
      `${roleLabel(roleId)} cannot be assigned through Lighthouse at ${scope}: ${offers}`,
    ),
  ];
}
