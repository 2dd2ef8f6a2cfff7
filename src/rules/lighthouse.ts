import { scopeContains } from "../delegation";
import { durationSeconds } from "../duration";
import { repeats } from "../repeats";
import { roleById, roleCatalogSource, roleLabel } from "../roles/catalog";
import {
  OWNER_ROLE_ID,
  REGISTRATION_ASSIGNMENT_DELETE_ROLE_ID,
  USER_ACCESS_ADMINISTRATOR_ROLE_ID,
} from "../roles/support";

/**
 * The Azure Lighthouse rules a registration definition can break (../shared/reference
 * lighthouse-rules.md, seed tenants-users-roles.txt), each written once here and applied to the
 * API's own shape, so the offer loader, the policy pack and the plan all run the same code.
 */

export type Severity = "error" | "warning";

/** Every rule, with its severity and what it protects. The policy pack maps rules to policies. */
export const RULES = {
  "authorization-required": { severity: "error", description: "At least one permanent authorization is required." },
  "role-not-built-in": { severity: "error", description: "Only Azure built-in roles can be delegated (no custom roles)." },
  "role-not-supported": {
    severity: "error",
    description: "Owner, roles with DataActions and roles granting forbidden Microsoft.Authorization actions are not supported.",
  },
  "uaa-requires-delegated-roles": {
    severity: "error",
    description: "User Access Administrator needs a non-empty delegatedRoles list (never Owner or User Access Administrator).",
  },
  "delegated-roles-only-on-uaa": { severity: "error", description: "delegatedRoles is only valid on User Access Administrator." },
  "eligible-role-not-allowed": {
    severity: "error",
    description: "Eligible authorizations cannot use User Access Administrator nor carry delegatedRoles.",
  },
  "eligible-principal-type": { severity: "error", description: "Eligible principals and approvers cannot be service principals." },
  "jit-policy-consistent": { severity: "error", description: "Eligible authorizations of one role share one just-in-time policy." },
  "jit-duration": { severity: "error", description: "maximumActivationDuration is between PT30M and PT8H." },
  "jit-approvers": { severity: "error", description: "At most 10 approvers." },
  "duplicate-authorization": { severity: "error", description: "A principal holds a role once per list." },
  "marketplace-plan-limit": { severity: "error", description: "A Marketplace plan allows at most 20 authorizations." },
  "managing-tenant-is-customer": { severity: "error", description: "The managing tenant differs from the customer's tenant." },
  "recommend-delete-role": {
    severity: "warning",
    description: "Include the Managed Services Registration assignment Delete Role, so the provider can remove its own access.",
  },
  "eligible-without-permanent": {
    severity: "warning",
    description: "Eligible principals also hold a permanent authorization (e.g. Reader), or activation in the portal fails.",
  },
  "prefer-groups": { severity: "warning", description: "Grant groups or service principals rather than individual users." },
  "scope-not-delegated": {
    severity: "error",
    description: "Identities and their role assignments stay inside the scopes the customer delegated.",
  },
  "role-not-delegated": {
    severity: "error",
    description: "Through Lighthouse, a role is assigned to a managed identity only if a User Access Administrator authorization lists it in delegatedRoles.",
  },
} as const satisfies Record<string, { severity: Severity; description: string }>;

export type RuleId = keyof typeof RULES;

/** A rule broken at `path`, a path into the API-shaped definition (e.g. `authorizations.0.roleDefinitionId`). */
export interface Finding {
  rule: RuleId;
  severity: Severity;
  path: PropertyKey[];
  message: string;
}

export type PrincipalType = "User" | "Group" | "ServicePrincipal";

interface PrincipalUnderReview {
  principalId: string;
  principalIdDisplayName?: string;
  /** Known only from offer files; resources built in code may not say. */
  principalType?: PrincipalType;
}

interface AuthorizationUnderReview extends PrincipalUnderReview {
  /** A role definition GUID, or a full role definition resource id. */
  roleDefinitionId: string;
  delegatedRoleDefinitionIds?: string[];
}

interface EligibleAuthorizationUnderReview extends AuthorizationUnderReview {
  justInTimeAccessPolicy?: {
    multiFactorAuthProvider?: string;
    maximumActivationDuration?: string;
    managedByTenantApprovers?: PrincipalUnderReview[];
  };
}

/** RegistrationDefinitionProperties (plus `plan`) as the API, an offer file or a resource states them. */
export interface DefinitionUnderReview {
  managedByTenantId: string;
  authorizations?: AuthorizationUnderReview[];
  eligibleAuthorizations?: EligibleAuthorizationUnderReview[];
  plan?: unknown;
}

const finding = (rule: RuleId, path: PropertyKey[], message: string): Finding => ({ rule, severity: RULES[rule].severity, path, message });

const MIN_ACTIVATION_SECONDS = 30 * 60;
const MAX_ACTIVATION_SECONDS = 8 * 3600;
const MAX_APPROVERS = 10;
const MAX_PLAN_AUTHORIZATIONS = 20;

/** `8e3a...` from either a bare GUID or `/providers/Microsoft.Authorization/roleDefinitions/8e3a...`. */
export function roleGuid(roleDefinitionId: string): string {
  return (roleDefinitionId.split("/").pop() ?? roleDefinitionId).toLowerCase();
}

const who = (principal: PrincipalUnderReview) =>
  principal.principalIdDisplayName ? `'${principal.principalIdDisplayName}' (${principal.principalId})` : principal.principalId;

/** Reviews a registration definition; the findings come in the order of the definition. */
export function reviewRegistrationDefinition(definition: DefinitionUnderReview): Finding[] {
  const findings: Finding[] = [];
  const report = (rule: RuleId, path: PropertyKey[], message: string) =>
    findings.push({ rule, severity: RULES[rule].severity, path, message });
  const authorizations = definition.authorizations ?? [];
  const eligible = definition.eligibleAuthorizations ?? [];

  if (authorizations.length === 0) {
    report("authorization-required", ["authorizations"], "at least one permanent authorization is required, even when eligible authorizations are given");
  }

  authorizations.forEach((authorization, index) => {
    const path = ["authorizations", index];
    const roleId = roleGuid(authorization.roleDefinitionId);
    findings.push(...reviewRoleSupport(authorization.roleDefinitionId, [...path, "roleDefinitionId"]));
    const delegated = authorization.delegatedRoleDefinitionIds;
    if (roleId === USER_ACCESS_ADMINISTRATOR_ROLE_ID) {
      if (!delegated || delegated.length === 0) {
        report(
          "uaa-requires-delegated-roles",
          [...path, "roleDefinitionId"],
          "User Access Administrator is supported only with delegatedRoles: list the roles it may assign to managed identities",
        );
      }
      delegated?.forEach((delegatedId, delegatedIndex) => {
        findings.push(...reviewDelegatableRole(delegatedId, [...path, "delegatedRoleDefinitionIds", delegatedIndex]));
      });
    } else if (delegated !== undefined) {
      report(
        "delegated-roles-only-on-uaa",
        [...path, "delegatedRoleDefinitionIds"],
        `delegatedRoles is only valid with User Access Administrator, not ${roleLabel(roleId)}`,
      );
    }
    if (authorization.principalType === "User") {
      report("prefer-groups", [...path, "principalId"], `${who(authorization)} is an individual user; grant a security group instead`);
    }
  });

  const permanentPrincipals = new Set(authorizations.map((authorization) => authorization.principalId.toLowerCase()));
  const firstPolicyByRole = new Map<string, { index: number; key: string }>();
  eligible.forEach((authorization, index) => {
    const path = ["eligibleAuthorizations", index];
    const roleId = roleGuid(authorization.roleDefinitionId);
    if (roleId === USER_ACCESS_ADMINISTRATOR_ROLE_ID) {
      report("eligible-role-not-allowed", [...path, "roleDefinitionId"], "User Access Administrator cannot be an eligible authorization");
    } else {
      findings.push(...reviewRoleSupport(authorization.roleDefinitionId, [...path, "roleDefinitionId"]));
    }
    if (authorization.delegatedRoleDefinitionIds !== undefined) {
      report("eligible-role-not-allowed", [...path, "delegatedRoleDefinitionIds"], "eligible authorizations cannot carry delegatedRoles");
    }
    if (authorization.principalType === "ServicePrincipal") {
      report("eligible-principal-type", [...path, "principalId"], `${who(authorization)} is a service principal; eligible authorizations are for users and groups only`);
    } else if (authorization.principalType === "User") {
      report("prefer-groups", [...path, "principalId"], `${who(authorization)} is an individual user; grant a security group instead`);
    }
    if (!permanentPrincipals.has(authorization.principalId.toLowerCase())) {
      report(
        "eligible-without-permanent",
        [...path, "principalId"],
        `${who(authorization)} has no permanent authorization; give it Reader too, or activating in the portal fails`,
      );
    }

    const policy = authorization.justInTimeAccessPolicy ?? {};
    const policyPath = [...path, "justInTimeAccessPolicy"];
    const durationText = policy.maximumActivationDuration ?? "PT8H";
    const seconds = durationSeconds(durationText);
    if (seconds === undefined || seconds < MIN_ACTIVATION_SECONDS || seconds > MAX_ACTIVATION_SECONDS) {
      report("jit-duration", [...policyPath, "maximumActivationDuration"], `maximumActivationDuration ${durationText} is outside PT30M to PT8H`);
    }
    const approvers = policy.managedByTenantApprovers ?? [];
    if (approvers.length > MAX_APPROVERS) {
      report("jit-approvers", [...policyPath, "managedByTenantApprovers"], `${approvers.length} approvers; at most ${MAX_APPROVERS} are allowed`);
    }
    approvers.forEach((approver, approverIndex) => {
      if (approver.principalType === "ServicePrincipal") {
        report(
          "eligible-principal-type",
          [...policyPath, "managedByTenantApprovers", approverIndex, "principalId"],
          `approver ${who(approver)} is a service principal; approvers are users or groups`,
        );
      }
    });

    const policyKey = JSON.stringify([
      policy.multiFactorAuthProvider ?? "None",
      seconds ?? durationText,
      approvers.map((approver) => approver.principalId.toLowerCase()).sort(),
    ]);
    const first = firstPolicyByRole.get(roleId);
    if (!first) {
      firstPolicyByRole.set(roleId, { index, key: policyKey });
    } else if (first.key !== policyKey) {
      report(
        "jit-policy-consistent",
        policyPath,
        `eligible authorizations for ${roleLabel(roleId)} must share one justInTimeAccessPolicy; this one differs from eligibleAuthorizations[${first.index}]`,
      );
    }
  });

  for (const [listName, list] of [["authorizations", authorizations], ["eligibleAuthorizations", eligible]] as const) {
    for (const { index, first } of repeats<AuthorizationUnderReview>(list, (item) => `${item.principalId.toLowerCase()} ${roleGuid(item.roleDefinitionId)}`)) {
      const authorization = list[index];
      report("duplicate-authorization", [listName, index], `${who(authorization)} already has ${roleLabel(roleGuid(authorization.roleDefinitionId))} in ${listName}[${first}]`);
    }
  }

  const total = authorizations.length + eligible.length;
  if (definition.plan !== undefined && total > MAX_PLAN_AUTHORIZATIONS) {
    report("marketplace-plan-limit", ["plan"], `a Marketplace plan allows at most ${MAX_PLAN_AUTHORIZATIONS} authorizations (permanent and eligible); this offer has ${total}`);
  }
  if (!authorizations.some((authorization) => roleGuid(authorization.roleDefinitionId) === REGISTRATION_ASSIGNMENT_DELETE_ROLE_ID)) {
    report(
      "recommend-delete-role",
      ["authorizations"],
      "no authorization has the Managed Services Registration assignment Delete Role: only the customer will be able to remove this delegation",
    );
  }
  return findings;
}

/** Built in and supported by Lighthouse: the checks every role reference gets. */
export function reviewRoleSupport(roleDefinitionId: string, path: PropertyKey[]): Finding[] {
  const role = roleById(roleGuid(roleDefinitionId));
  if (!role) {
    return [finding("role-not-built-in", path, `role definition ${roleDefinitionId} is not an Azure built-in role; Azure Lighthouse supports built-in roles only`)];
  }
  if (role.lighthouse.usable === "no") {
    return [finding("role-not-supported", path, `${role.name} cannot be used with Azure Lighthouse: ${role.lighthouse.reason} (role data: ${roleCatalogSource})`)];
  }
  return [];
}

/** A role a User Access Administrator may assign to managed identities: supported, never Owner or UAA itself. */
export function reviewDelegatableRole(roleDefinitionId: string, path: PropertyKey[]): Finding[] {
  const id = roleGuid(roleDefinitionId);
  if (id === OWNER_ROLE_ID || id === USER_ACCESS_ADMINISTRATOR_ROLE_ID) {
    return [finding("uaa-requires-delegated-roles", path, `${roleLabel(id)} cannot be a delegated role`)];
  }
  return reviewRoleSupport(roleDefinitionId, path);
}

/** A delegation whose managing tenant is the customer's own tenant: Lighthouse refuses it. */
export function reviewCustomerTenant(managedByTenantId: string, customerTenantId: string): Finding[] {
  if (managedByTenantId.toLowerCase() !== customerTenantId.toLowerCase()) return [];
  return [
    {
      rule: "managing-tenant-is-customer",
      severity: RULES["managing-tenant-is-customer"].severity,
      path: ["managedByTenantId"],
      message: `managedByTenantId ${managedByTenantId} is the customer's own tenant; a tenant cannot delegate to itself`,
    },
  ];
}

/** An offer as the identity rules see it: where it is delegated, and what it authorizes. */
export interface DelegationUnderReview {
  offerName: string;
  scopes: string[];
  authorizations: AuthorizationUnderReview[];
}


/** A scope (of an identity or a role assignment) must lie inside a delegated scope. */
export function reviewScopeDelegated(scope: string, delegations: DelegationUnderReview[], path: PropertyKey[]): Finding[] {
  if (delegations.some((delegation) => delegation.scopes.some((delegated) => scopeContains(delegated, scope)))) return [];
  return [finding("scope-not-delegated", path, `${scope} is not inside any scope this customer delegated`)];
}

/**
 * A role assignment made from the managing tenant through Lighthouse: allowed only when an offer
 * delegated at a scope containing it has a User Access Administrator authorization whose
 * delegatedRoles include the role (seed tenants-users-roles.txt).
 */
export function reviewDelegatedRoleAssignment(roleDefinitionId: string, scope: string, delegations: DelegationUnderReview[]): Finding[] {
  const covering = delegations.filter((delegation) => delegation.scopes.some((delegated) => scopeContains(delegated, scope)));
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
      return `offer '${delegation.offerName}' allows ${allowed.length > 0 ? allowed.map(roleLabel).join(", ") : "none (no User Access Administrator authorization)"}`;
    })
    .join("; ");
  return [finding("role-not-delegated", ["roleDefinitionId"], `${roleLabel(roleId)} cannot be assigned through Lighthouse at ${scope}: ${offers}`)];
}
