import { resourceGroupScope } from "../azure/scopes";
import { fullyRead } from "../yaml/validate";
import {
  reviewCustomerTenant,
  reviewDelegatedRoleAssignment,
  reviewScopeDelegated,
  reviewSharedGrants,
  reviewSubscriptionId,
  type DelegationUnderReview,
  type GrantingDelegation,
} from "./delegation";
import { finding, type Finding } from "./table";
import { reviewFederatedSubjects } from "./trust";

/**
 * The rules only a whole stack file can break, once: a delegation to the customer's own tenant, a
 * tenant id where a subscription belongs, one principal and role granted by two offers in one
 * subscription, identities and role assignments outside what the customer delegated (or, in
 * managing mode, not allowed by a User Access Administrator authorization), and managing mode's
 * one managing tenant. The stack loader (src/stack/load.ts) resolves the file and locates these
 * findings; every part is reviewed as far as it could be read.
 */

/** Where each part of a stack file lies, for the findings' paths. */
export interface StackPaths {
  delegations: PropertyKey[];
  identities: PropertyKey[];
  systemAssignedIdentities: PropertyKey[];
  mode: PropertyKey[];
}

interface RoleAssignmentUnderReview {
  role?: { roleDefinitionId: string };
  scope?: string;
}

interface IdentityUnderReview {
  subscriptionId?: unknown;
  resourceGroup?: unknown;
  federatedCredentials?: Parameters<typeof reviewFederatedSubjects>[0];
  roleAssignments?: Array<RoleAssignmentUnderReview | undefined>;
}

interface SystemIdentityUnderReview {
  resourceId?: unknown;
  roleAssignments?: Array<RoleAssignmentUnderReview | undefined>;
}

export interface StackUnderReview {
  customerTenantId?: string;
  /** Each delegation entry: its offer's managing tenant when the offer could be read, and its subscription ids as written. */
  delegations: Array<{ managedByTenantId?: string; subscriptionIds: unknown[] } | undefined>;
  /** Each offer placed in a subscription, with the index of its entry. */
  granting: Array<GrantingDelegation & { entry: number }>;
  /**
   * What the identity rules need: every delegation placed (each offer read, each entry whole)
   * and the mode read. Undefined otherwise, and those rules wait.
   */
  placed?: { mode: "onboarding" | "managing"; delegations: DelegationUnderReview[] };
  identities: Array<IdentityUnderReview | undefined>;
  systemAssignedIdentities: Array<SystemIdentityUnderReview | undefined>;
}

const at = (path: PropertyKey[], findings: Finding[]) =>
  findings.map((item) => ({ ...item, path: [...path, ...item.path] }));

/** Every stack-wide finding, each at its path in the stack file. */
export function reviewStack(stack: StackUnderReview, paths: StackPaths): Finding[] {
  return [
    ...reviewDelegationEntries(stack, paths.delegations),
    ...reviewSharedGrants(stack.granting).map(({ index, ...item }) => ({
      ...item,
      path: [...paths.delegations, stack.granting[index].entry, "offer"],
    })),
    ...(stack.placed ? reviewIdentities(stack, stack.placed, paths) : []),
  ];
}

/** Each entry's tenants: the offer's managing tenant is not the customer's; no subscription is a tenant. */
function reviewDelegationEntries(stack: StackUnderReview, path: PropertyKey[]): Finding[] {
  return stack.delegations.flatMap((entry, index) => {
    if (!entry) return [];
    const tenants = { customer: stack.customerTenantId, managing: entry.managedByTenantId };
    return [
      ...entry.subscriptionIds.flatMap((subscriptionId, target) =>
        typeof subscriptionId === "string"
          ? reviewSubscriptionId(subscriptionId, tenants, [...path, index, "subscriptions", target, "subscriptionId"])
          : [],
      ),
      // At the entry's offer: that is what to change.
      ...(entry.managedByTenantId !== undefined && stack.customerTenantId !== undefined
        ? reviewCustomerTenant(entry.managedByTenantId, stack.customerTenantId).map((item) => ({
            ...item,
            path: [...path, index, "offer"],
          }))
        : []),
    ];
  });
}

/**
 * Identities and their role assignments against the delegations, each readable one on its own;
 * in managing mode, the one managing tenant the deployment signs in to.
 */
function reviewIdentities(
  stack: StackUnderReview,
  placed: NonNullable<StackUnderReview["placed"]>,
  paths: StackPaths,
): Finding[] {
  const { mode, delegations } = placed;
  const findings: Finding[] = [];
  // A stack that delegates nothing deploys into its own tenant (e.g. the MSP's pipeline identity).
  const reviewRoleAssignments = (path: PropertyKey[], assignments: Array<RoleAssignmentUnderReview | undefined> = []) =>
    assignments.forEach((assignment, index) => {
      if (!assignment || !fullyRead(assignment) || !assignment.role || assignment.scope === undefined) return;
      findings.push(
        ...at(
          [...path, "roleAssignments", index],
          mode === "managing"
            ? reviewDelegatedRoleAssignment(assignment.role.roleDefinitionId, assignment.scope, delegations)
            : delegations.length > 0
              ? reviewScopeDelegated(assignment.scope, delegations, ["scope"])
              : [],
        ),
      );
    });

  stack.identities.forEach((identity, index) => {
    const path = [...paths.identities, index];
    findings.push(...at(path, reviewFederatedSubjects(identity?.federatedCredentials ?? [])));
    if (
      mode === "managing" &&
      typeof identity?.subscriptionId === "string" &&
      typeof identity.resourceGroup === "string"
    ) {
      const scope = resourceGroupScope(identity.subscriptionId, identity.resourceGroup);
      findings.push(...at(path, reviewScopeDelegated(scope, delegations, ["resourceGroup"])));
    }
    reviewRoleAssignments(path, identity?.roleAssignments);
  });
  stack.systemAssignedIdentities.forEach((identity, index) => {
    const path = [...paths.systemAssignedIdentities, index];
    if (mode === "managing" && typeof identity?.resourceId === "string")
      findings.push(...at(path, reviewScopeDelegated(identity.resourceId, delegations, ["resourceId"])));
    reviewRoleAssignments(path, identity?.roleAssignments);
  });

  // Through Lighthouse, the deployment signs in to the managing tenant: the offers must agree on it.
  const managingTenants = [
    ...new Set(stack.delegations.flatMap((entry) => (entry?.managedByTenantId ? [entry.managedByTenantId] : []))),
  ];
  if (mode === "managing" && managingTenants.length !== 1)
    findings.push(
      finding(
        "managing-tenant-single",
        paths.mode,
        managingTenants.length === 0
          ? `managing mode works through delegations: list them under ${String(paths.delegations.at(-1))}`
          : `managing mode signs in to one managing tenant, but the offers name ${managingTenants.join(" and ")}`,
      ),
    );
  return findings;
}
