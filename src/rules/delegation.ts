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

/**
 * A subscription id that is a tenant's id: the customer's tenant id pasted into the wrong field,
 * the likeliest slip when both are copied from the portal. Tenant and subscription ids are
 * generated independently, so an equal pair is that slip.
 */
export function reviewSubscriptionId(
  subscriptionId: string,
  tenants: { customer?: string; managing?: string },
  path: PropertyKey[],
): Finding[] {
  const id = subscriptionId.toLowerCase();
  const whose =
    id === tenants.customer?.toLowerCase()
      ? "the customer's tenant id (lighthouse:customer tenantId)"
      : id === tenants.managing?.toLowerCase()
        ? "the managing tenant's id (the offer's managedByTenantId)"
        : undefined;
  return whose
    ? [
        finding(
          "subscription-is-tenant",
          path,
          `subscription ${subscriptionId} is ${whose}, not a subscription: copy the id from the customer's Subscriptions page (az account list)`,
        ),
      ]
    : [];
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

/** One delegation in one subscription, as the shared-grant rule sees it: what it authorizes. */
export interface GrantingDelegation {
  offerName: string;
  subscriptionId: string;
  authorizations: Array<{ principalId: string; principalIdDisplayName?: string; roleDefinitionId: string }>;
}

/**
 * The principal/role pairs that two delegations grant in one subscription: Azure removes such a
 * pair from every delegation of the subscription when one of them is removed ("removing one
 * delegation could cause users to lose access granted via the other delegations ... when the same
 * principalId and roleDefinitionId combination is included in multiple delegations",
 * remove-delegation.md), and a later pulumi up changes nothing that would restore it. One finding
 * per pair, at the later delegation (`index` into `delegations`), naming the earlier one.
 */
export function reviewSharedGrants(delegations: GrantingDelegation[]): Array<Finding & { index: number }> {
  const first = new Map<string, number>();
  const findings: Array<Finding & { index: number }> = [];
  delegations.forEach((delegation, index) => {
    for (const authorization of delegation.authorizations) {
      const key = `${delegation.subscriptionId.toLowerCase()} ${authorization.principalId.toLowerCase()} ${roleGuid(authorization.roleDefinitionId)}`;
      const earlier = first.get(key);
      if (earlier === undefined) {
        first.set(key, index);
        continue;
      }
      const other = delegations[earlier];
      if (other.offerName === delegation.offerName) continue;
      const principal = authorization.principalIdDisplayName
        ? `${quote(authorization.principalIdDisplayName)} (${authorization.principalId})`
        : authorization.principalId;
      findings.push({
        ...finding(
          "shared-grant",
          [],
          `${principal} holds ${roleLabel(roleGuid(authorization.roleDefinitionId))} through offers ${quote(other.offerName)} and ${quote(delegation.offerName)} in subscription ${delegation.subscriptionId}: removing either delegation removes it from the other too, and pulumi up does not restore it; after removing one, re-create the other's assignment (pulumi up --replace <its assignment's URN>)`,
        ),
        index,
      });
      first.set(key, index);
    }
  });
  return findings;
}
