import { JIT_DEFAULTS, roleGuid } from "../azure/definitions";
import { finding, type Finding, type RuleId } from "./table";
import { durationSeconds } from "../azure/duration";
import { repeats } from "../repeats";
import { principalLabel, quote } from "../text";
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

export type PrincipalType = "User" | "Group" | "ServicePrincipal";

/**
 * Parts of a definition under review may be unknown: an offer file with a broken entry is still
 * reviewed everywhere else. A required field that is undefined, and any field named in
 * `unreadable`, could not be read (the schema reported why): rules that need it stay silent.
 */
interface Readable {
  unreadable?: readonly string[];
}

interface PrincipalUnderReview extends Readable {
  principalId?: string;
  principalIdDisplayName?: string;
  /** Known only from offer files; resources built in code may not say. */
  principalType?: PrincipalType;
}

interface AuthorizationUnderReview extends PrincipalUnderReview {
  /** A role definition GUID, or a full role definition resource id. */
  roleDefinitionId?: string;
  /** Entries that could not be read are undefined. */
  delegatedRoleDefinitionIds?: Array<string | undefined>;
}

interface EligibleAuthorizationUnderReview extends AuthorizationUnderReview {
  justInTimeAccessPolicy?: Readable & {
    multiFactorAuthProvider?: string;
    maximumActivationDuration?: string;
    managedByTenantApprovers?: PrincipalUnderReview[];
  };
}

/** RegistrationDefinitionProperties (plus `plan`) as the API, an offer file or a resource states them. */
export interface DefinitionUnderReview extends Readable {
  managedByTenantId?: string;
  authorizations?: AuthorizationUnderReview[];
  eligibleAuthorizations?: EligibleAuthorizationUnderReview[];
  plan?: unknown;
}

const MIN_ACTIVATION_SECONDS = 30 * 60;
const MAX_ACTIVATION_SECONDS = 8 * 3600;
const MAX_APPROVERS = 10;
const MAX_PLAN_AUTHORIZATIONS = 20;
/** Microsoft's sample parameter files ship this as "replace me". */
export const NIL_GUID = "00000000-0000-0000-0000-000000000000";

const who = (principal: PrincipalUnderReview) =>
  principalLabel(principal.principalId ?? "a principal", principal.principalIdDisplayName, quote);

const known = (item: Readable | undefined, field: string) => item !== undefined && !item.unreadable?.includes(field);
const lower = (text: string | undefined) => text?.toLowerCase();

/** Reviews a registration definition; the findings come in the order of the definition. */
export function reviewRegistrationDefinition(definition: DefinitionUnderReview): Finding[] {
  const authorizations = definition.authorizations ?? [];
  const eligible = definition.eligibleAuthorizations ?? [];
  const listKnown = known(definition, "authorizations");
  const permanentPrincipals =
    listKnown && authorizations.every((item) => item.principalId !== undefined)
      ? new Set(authorizations.map((authorization) => lower(authorization.principalId)))
      : undefined;
  const firstPolicyByRole = new Map<string, PolicySeen>();
  return oneNameWarningPerPrincipal(definition, [
    ...reviewManagingTenant(definition.managedByTenantId),
    ...(listKnown && authorizations.length === 0
      ? [
          finding(
            "authorization-required",
            ["authorizations"],
            "at least one permanent authorization is required, even when eligible authorizations are given",
          ),
        ]
      : []),
    ...authorizations.flatMap((authorization, index) => reviewPermanentAuthorization(authorization, index)),
    ...eligible.flatMap((authorization, index) =>
      reviewEligibleAuthorization(authorization, index, permanentPrincipals, firstPolicyByRole),
    ),
    ...reviewDuplicates("authorizations", authorizations),
    ...reviewDuplicates("eligibleAuthorizations", eligible),
    ...reviewPlanLimit(definition.plan, authorizations.length + eligible.length),
    ...(listKnown && authorizations.every((item) => item.roleDefinitionId !== undefined)
      ? reviewDeleteRole(authorizations)
      : []),
  ]);
}

/**
 * A principal without a display name is one thing to fix, however many entries name it: its
 * first entry carries the warning (with how many more there are), the others none.
 */
function oneNameWarningPerPrincipal(definition: DefinitionUnderReview, findings: Finding[]): Finding[] {
  const principalIdAt = (path: readonly PropertyKey[]) =>
    lower(path.reduce<unknown>((node, key) => (node as Record<PropertyKey, unknown>)?.[key], definition) as string);
  const entries = new Map<string, Finding[]>();
  for (const item of findings.filter((item) => item.rule === "display-name-recommended")) {
    const id = principalIdAt(item.path);
    // The nil GUID stands in for several principals to come: each entry is its own.
    if (id === undefined || id === NIL_GUID) continue;
    const same = entries.get(id);
    if (same) same.push(item);
    else entries.set(id, [item]);
  }
  return findings.flatMap((item) => {
    const id = item.rule === "display-name-recommended" ? principalIdAt(item.path) : undefined;
    const same = id === undefined ? undefined : entries.get(id);
    if (!same) return [item];
    if (same[0] !== item) return [];
    return same.length === 1
      ? [item]
      : [
          {
            ...item,
            message: `${item.message} (nor in its ${same.length - 1} other ${same.length === 2 ? "entry" : "entries"})`,
          },
        ];
  });
}

function reviewManagingTenant(managedByTenantId: string | undefined): Finding[] {
  return managedByTenantId?.toLowerCase() === NIL_GUID
    ? [
        finding(
          "managing-tenant-placeholder",
          ["managedByTenantId"],
          `managedByTenantId is the nil GUID ${NIL_GUID}, a placeholder: use your managing tenant's id`,
        ),
      ]
    : [];
}

/** What every principal of a definition (authorization, eligible authorization, approver) must be. */
function reviewPrincipal(principal: PrincipalUnderReview, path: PropertyKey[], label: string): Finding[] {
  const findings: Finding[] = [];
  if (principal.principalId?.toLowerCase() === NIL_GUID) {
    findings.push(
      finding(
        "principal-placeholder",
        [...path, "principalId"],
        `${label} principalId is the nil GUID ${NIL_GUID}, a placeholder: replace it with the principal's object id`,
      ),
    );
  }
  if (known(principal, "principalIdDisplayName") && !principal.principalIdDisplayName) {
    findings.push(
      finding(
        "display-name-recommended",
        [...path, "principalId"],
        `${label} ${who(principal)} has no principalIdDisplayName; portals, plans and reviews show only the id`,
      ),
    );
  }
  if (principal.principalType === "User") {
    findings.push(
      finding(
        "prefer-groups",
        [...path, "principalId"],
        `${who(principal)} is an individual user; grant a security group instead`,
      ),
    );
  }
  return findings;
}

/** One permanent authorization: its principal, its role, and delegatedRoles (only with User Access Administrator). */
function reviewPermanentAuthorization(authorization: AuthorizationUnderReview, index: number): Finding[] {
  const path = ["authorizations", index];
  const findings = reviewPrincipal(authorization, path, "authorization");
  if (authorization.roleDefinitionId === undefined) return findings;
  const roleId = roleGuid(authorization.roleDefinitionId);
  findings.push(...reviewRoleSupport(authorization.roleDefinitionId, [...path, "roleDefinitionId"]));
  const delegatedPath = [...path, "delegatedRoleDefinitionIds"];
  const delegated = authorization.delegatedRoleDefinitionIds;
  if (!known(authorization, "delegatedRoleDefinitionIds")) return findings;
  if (roleId === USER_ACCESS_ADMINISTRATOR_ROLE_ID) {
    if (!delegated || delegated.length === 0) {
      findings.push(
        finding(
          "uaa-requires-delegated-roles",
          [...path, "roleDefinitionId"],
          "User Access Administrator is supported only with delegatedRoles: list the roles it may assign to managed identities",
        ),
      );
    }
    delegated?.forEach((delegatedId, delegatedIndex) => {
      if (delegatedId !== undefined)
        findings.push(...reviewDelegatableRole(delegatedId, [...delegatedPath, delegatedIndex]));
    });
  } else if (delegated?.length === 0) {
    findings.push(
      finding(
        "delegated-roles-empty",
        delegatedPath,
        `delegatedRoles is empty, the same as leaving it out (it only means something on User Access Administrator)`,
      ),
    );
  } else if (delegated !== undefined) {
    findings.push(
      finding(
        "delegated-roles-only-on-uaa",
        delegatedPath,
        `delegatedRoles is only valid with User Access Administrator, not ${roleLabel(roleId)}`,
      ),
    );
  }
  return findings;
}

/**
 * One eligible authorization: its principal (a user or group that also holds a permanent
 * authorization, when `permanentPrincipals` is known), its role, and its just-in-time policy.
 */
function reviewEligibleAuthorization(
  authorization: EligibleAuthorizationUnderReview,
  index: number,
  permanentPrincipals: ReadonlySet<string | undefined> | undefined,
  firstPolicyByRole: Map<string, PolicySeen>,
): Finding[] {
  const path = ["eligibleAuthorizations", index];
  const findings = reviewPrincipal(authorization, path, "eligible authorization");
  const report = (rule: RuleId, field: string, message: string) =>
    findings.push(finding(rule, [...path, field], message));
  const roleId = authorization.roleDefinitionId === undefined ? undefined : roleGuid(authorization.roleDefinitionId);
  if (roleId === USER_ACCESS_ADMINISTRATOR_ROLE_ID) {
    report(
      "eligible-role-not-allowed",
      "roleDefinitionId",
      "User Access Administrator cannot be an eligible authorization",
    );
  } else if (authorization.roleDefinitionId !== undefined) {
    findings.push(...reviewRoleSupport(authorization.roleDefinitionId, [...path, "roleDefinitionId"]));
  }
  if (authorization.delegatedRoleDefinitionIds !== undefined || !known(authorization, "delegatedRoleDefinitionIds")) {
    report(
      "eligible-role-not-allowed",
      "delegatedRoleDefinitionIds",
      "eligible authorizations cannot carry delegatedRoles",
    );
  }
  if (authorization.principalType === "ServicePrincipal") {
    report(
      "eligible-principal-type",
      "principalId",
      `${who(authorization)} is a service principal; eligible authorizations are for users and groups only`,
    );
  }
  if (
    permanentPrincipals !== undefined &&
    authorization.principalId !== undefined &&
    !permanentPrincipals.has(lower(authorization.principalId))
  ) {
    report(
      "eligible-without-permanent",
      "principalId",
      `${who(authorization)} has no permanent authorization; give it Reader too, or activating in the portal fails`,
    );
  }
  if (known(authorization, "justInTimeAccessPolicy"))
    findings.push(...reviewJustInTimePolicy(authorization, path, roleId, index, firstPolicyByRole));
  return findings;
}

/** A principal holds a role once per list. */
function reviewDuplicates(listName: string, list: AuthorizationUnderReview[]): Finding[] {
  const keyOf = (item: AuthorizationUnderReview) =>
    item.principalId === undefined || item.roleDefinitionId === undefined
      ? undefined
      : `${lower(item.principalId)} ${roleGuid(item.roleDefinitionId)}`;
  return repeats<AuthorizationUnderReview>(list, keyOf).map(({ index, first }) =>
    finding(
      "duplicate-authorization",
      [listName, index],
      `${who(list[index])} already has ${roleLabel(roleGuid(list[index].roleDefinitionId!))} in ${listName}[${first}]`,
    ),
  );
}

function reviewPlanLimit(plan: unknown, total: number): Finding[] {
  return plan !== undefined && total > MAX_PLAN_AUTHORIZATIONS
    ? [
        finding(
          "marketplace-plan-limit",
          ["plan"],
          `a Marketplace plan allows at most ${MAX_PLAN_AUTHORIZATIONS} authorizations (permanent and eligible); this offer has ${total}`,
        ),
      ]
    : [];
}

/** The provider can remove its own access only with the Delete Role (every role known). */
function reviewDeleteRole(authorizations: AuthorizationUnderReview[]): Finding[] {
  return authorizations.some(
    (authorization) => roleGuid(authorization.roleDefinitionId!) === REGISTRATION_ASSIGNMENT_DELETE_ROLE_ID,
  )
    ? []
    : [
        finding(
          "recommend-delete-role",
          ["authorizations"],
          "no authorization has the Managed Services Registration assignment Delete Role: only the customer will be able to remove this delegation",
        ),
      ];
}

/**
 * One eligible authorization's just-in-time policy: duration, approvers, and the same policy as
 * every other eligible authorization of its role (`firstPolicyByRole` remembers the first).
 */
function reviewJustInTimePolicy(
  authorization: EligibleAuthorizationUnderReview,
  path: PropertyKey[],
  roleId: string | undefined,
  index: number,
  firstPolicyByRole: Map<string, PolicySeen>,
): Finding[] {
  const findings: Finding[] = [];
  const policy = authorization.justInTimeAccessPolicy ?? {};
  const policyPath = [...path, "justInTimeAccessPolicy"];
  const durationText = policy.maximumActivationDuration ?? JIT_DEFAULTS.maximumActivationDuration;
  const seconds = durationSeconds(durationText);
  if (
    known(policy, "maximumActivationDuration") &&
    (seconds === undefined || seconds < MIN_ACTIVATION_SECONDS || seconds > MAX_ACTIVATION_SECONDS)
  ) {
    findings.push(
      finding(
        "jit-duration",
        [...policyPath, "maximumActivationDuration"],
        `maximumActivationDuration ${durationText} is outside PT30M to PT8H`,
      ),
    );
  }
  const approversPath = [...policyPath, "managedByTenantApprovers"];
  const approvers = policy.managedByTenantApprovers ?? [];
  if (approvers.length > MAX_APPROVERS) {
    findings.push(
      finding("jit-approvers", approversPath, `${approvers.length} approvers; at most ${MAX_APPROVERS} are allowed`),
    );
  }
  approvers.forEach((approver, approverIndex) => {
    const approverPath = [...approversPath, approverIndex];
    const placeholder = approver.principalId?.toLowerCase() === NIL_GUID;
    if (placeholder) {
      findings.push(
        finding(
          "principal-placeholder",
          [...approverPath, "principalId"],
          `approver principalId is the nil GUID ${NIL_GUID}, a placeholder: replace it with the approver's object id`,
        ),
      );
    }
    if (known(approver, "principalIdDisplayName") && !approver.principalIdDisplayName) {
      findings.push(
        finding(
          "display-name-recommended",
          [...approverPath, "principalId"],
          `approver ${who(approver)} has no principalIdDisplayName; portals, plans and reviews show only the id`,
        ),
      );
    }
    if (approver.principalType === "ServicePrincipal") {
      findings.push(
        finding(
          "eligible-principal-type",
          [...approverPath, "principalId"],
          `approver ${who(approver)} is a service principal; approvers are users or groups`,
        ),
      );
    }
    if (
      !placeholder &&
      approver.principalId !== undefined &&
      lower(approver.principalId) === lower(authorization.principalId)
    ) {
      findings.push(
        finding(
          "approver-is-eligible-principal",
          [...approverPath, "principalId"],
          `approver ${who(approver)} is the eligible principal itself; nobody can approve their own request`,
        ),
      );
    }
  });

  const policyKnown =
    roleId !== undefined &&
    !policy.unreadable?.length &&
    approvers.every((approver) => approver.principalId !== undefined);
  if (!policyKnown) return findings;
  const current: PolicySeen = {
    index,
    multiFactorAuthProvider: policy.multiFactorAuthProvider ?? JIT_DEFAULTS.multiFactorAuthProvider,
    duration: { text: durationText, seconds },
    approvers: new Map(approvers.map((approver) => [lower(approver.principalId)!, who(approver)])),
  };
  const first = firstPolicyByRole.get(roleId);
  if (!first) {
    firstPolicyByRole.set(roleId, current);
    return findings;
  }
  const differences = policyDifferences(current, first);
  if (differences.length > 0) {
    findings.push(
      finding(
        "jit-policy-consistent",
        policyPath,
        `eligible authorizations for ${roleLabel(roleId)} must share one justInTimeAccessPolicy; this one differs from eligibleAuthorizations[${first.index}]: ${differences.join("; ")}`,
      ),
    );
  }
  return findings;
}

/** An eligible authorization's just-in-time policy, as compared with the others of its role. */
interface PolicySeen {
  index: number;
  multiFactorAuthProvider: string;
  duration: { text: string; seconds: number | undefined };
  /** Lower-case principal id → how messages name the approver. */
  approvers: Map<string, string>;
}

/** The first few of a list, and how many more: a message stays one readable line. */
function someOf(labels: string[], shown = 3): string {
  const more = labels.length - shown;
  return more > 0 ? `${labels.slice(0, shown).join(", ")} and ${more} more` : labels.join(", ");
}

/** What differs between two policies, said the way a reader fixes it: "here … there …". */
function policyDifferences(here: PolicySeen, there: PolicySeen): string[] {
  const differences: string[] = [];
  if (here.multiFactorAuthProvider !== there.multiFactorAuthProvider)
    differences.push(
      `multiFactorAuthProvider ${here.multiFactorAuthProvider} here, ${there.multiFactorAuthProvider} there`,
    );
  if ((here.duration.seconds ?? here.duration.text) !== (there.duration.seconds ?? there.duration.text))
    differences.push(`maximumActivationDuration ${here.duration.text} here, ${there.duration.text} there`);
  const only = (a: PolicySeen, b: PolicySeen) =>
    [...a.approvers].filter(([id]) => !b.approvers.has(id)).map(([, label]) => label);
  const onlyHere = only(here, there);
  const onlyThere = only(there, here);
  if (onlyHere.length > 0) differences.push(`approvers only here: ${someOf(onlyHere)}`);
  if (onlyThere.length > 0) differences.push(`approvers only there: ${someOf(onlyThere)}`);
  return differences;
}

/** What to grant instead of an unsupported role, where a supported one covers most of it. */
const SUPPORTED_INSTEAD: Record<string, string> = {
  [OWNER_ROLE_ID]:
    "Contributor (plus User Access Administrator with delegatedRoles to assign roles to managed identities)",
};

/** Built in and supported by Lighthouse: the checks every role reference gets. */
export function reviewRoleSupport(roleDefinitionId: string, path: PropertyKey[]): Finding[] {
  const role = roleById(roleGuid(roleDefinitionId));
  if (!role) {
    return [
      finding(
        "role-not-built-in",
        path,
        `role definition ${roleDefinitionId} is not an Azure built-in role; Azure Lighthouse supports built-in roles only`,
      ),
    ];
  }
  if (role.lighthouse.usable === "no") {
    const instead = SUPPORTED_INSTEAD[role.id] ? `; use ${SUPPORTED_INSTEAD[role.id]} instead` : "";
    return [
      finding(
        "role-not-supported",
        path,
        `${role.name} cannot be used with Azure Lighthouse: ${role.lighthouse.reason}${instead} (role data: ${roleCatalogSource})`,
      ),
    ];
  }
  return [];
}

/** A role a User Access Administrator may assign to managed identities: supported, never Owner or UAA itself. */
export function reviewDelegatableRole(roleDefinitionId: string, path: PropertyKey[]): Finding[] {
  const id = roleGuid(roleDefinitionId);
  if (id === OWNER_ROLE_ID || id === USER_ACCESS_ADMINISTRATOR_ROLE_ID) {
    return [
      finding(
        "delegated-role-not-allowed",
        path,
        `${roleLabel(id)} cannot be a delegated role: User Access Administrator may assign managed identities supported roles only, never Owner or User Access Administrator; remove it`,
      ),
    ];
  }
  return reviewRoleSupport(roleDefinitionId, path);
}
