/**
 * Every rule of the toolkit, once: its severity and what it protects. The rules of a registration
 * definition (src/rules/definition.ts), a delegation (delegation.ts) and an identity (identity.ts)
 * return {@link Finding}s of these; the policy pack (policies/) is derived from this table: one
 * policy `lighthouse-<rule>` per rule it enforces.
 */

import { MAX_FEDERATED_CREDENTIALS } from "./identity";

export type Severity = "error" | "warning";

/**
 * Every rule, with its severity and what it protects. `definition: true` marks the rules
 * `reviewRegistrationDefinition` applies; `pack: false` the rules only a stack file can state.
 */
export const RULES = {
  "authorization-required": {
    severity: "error",
    definition: true,
    description: "At least one permanent authorization is required.",
  },
  "managing-tenant-placeholder": {
    severity: "error",
    definition: true,
    description: "managedByTenantId is a real tenant, not the nil GUID Microsoft's samples ship as a placeholder.",
  },
  "role-not-built-in": {
    severity: "error",
    definition: true,
    description: "Only Azure built-in roles can be delegated (no custom roles).",
  },
  "role-not-supported": {
    severity: "error",
    definition: true,
    description:
      "Owner, roles with DataActions and roles granting forbidden Microsoft.Authorization actions are not supported.",
  },
  "uaa-requires-delegated-roles": {
    severity: "error",
    definition: true,
    description:
      "User Access Administrator needs a non-empty delegatedRoles list: the roles it may assign to managed identities.",
  },
  "delegated-role-not-allowed": {
    severity: "error",
    definition: true,
    description:
      "delegatedRoles never holds Owner or User Access Administrator: managed identities cannot be made owners.",
  },
  "delegated-roles-only-on-uaa": {
    severity: "error",
    definition: true,
    description: "delegatedRoles is only valid on User Access Administrator.",
  },
  "delegated-roles-empty": {
    severity: "warning",
    definition: true,
    description:
      "An empty delegatedRoles list on a role other than User Access Administrator is the same as none: leave it out.",
  },
  "eligible-role-not-allowed": {
    severity: "error",
    definition: true,
    description: "Eligible authorizations cannot use User Access Administrator nor carry delegatedRoles.",
  },
  "eligible-principal-type": {
    severity: "error",
    definition: true,
    description: "Eligible principals and approvers cannot be service principals.",
  },
  "jit-policy-consistent": {
    severity: "error",
    definition: true,
    description: "Eligible authorizations of one role share one just-in-time policy.",
  },
  "jit-duration": {
    severity: "error",
    definition: true,
    description: "maximumActivationDuration is between PT30M and PT8H.",
  },
  "jit-approvers": { severity: "error", definition: true, description: "At most 10 approvers." },
  "approver-is-eligible-principal": {
    severity: "warning",
    definition: true,
    description: "An approver who is the eligible principal itself cannot approve its own request: name someone else.",
  },
  "duplicate-authorization": {
    severity: "error",
    definition: true,
    description: "A principal holds a role once per list.",
  },
  "marketplace-plan-limit": {
    severity: "error",
    definition: true,
    description: "A Marketplace plan allows at most 20 authorizations.",
  },
  "principal-placeholder": {
    severity: "warning",
    definition: true,
    description:
      "A principal id is the nil GUID, the placeholder of Microsoft's samples: replace it with a real object id.",
  },
  "display-name-recommended": {
    severity: "warning",
    definition: true,
    description:
      "principalIdDisplayName is optional for the API, but portals, plans and reviews show it: name every principal.",
  },
  "managing-tenant-is-customer": {
    severity: "error",
    description: "The managing tenant differs from the customer's tenant.",
  },
  "recommend-delete-role": {
    severity: "warning",
    definition: true,
    description:
      "Include the Managed Services Registration assignment Delete Role, so the provider can remove its own access.",
  },
  "eligible-without-permanent": {
    severity: "warning",
    definition: true,
    description:
      "Eligible principals also hold a permanent authorization (e.g. Reader), or activation in the portal fails.",
  },
  "prefer-groups": {
    severity: "warning",
    description: "Grant groups or service principals rather than individual users.",
  },
  "partner-credit-role": {
    severity: "warning",
    // The partner ID is the offer file's: a registration definition does not carry it.
    pack: false,
    description:
      "The principal linked to the partner ID holds a permanent role that earns partner credit (one with write or delete actions).",
  },
  "managing-tenant-single": {
    severity: "error",
    // Which tenant a deployment signs in to is the stack file's: the pack sees no such thing.
    pack: false,
    description: "In managing mode, the stack's offers name one managing tenant: the one the deployment signs in to.",
  },
  "subscription-is-tenant": {
    severity: "error",
    // A registration assignment's scope names a subscription; which tenant ids belong to whom only the stack file says.
    pack: false,
    description:
      "A subscription id is not the customer's or the managing tenant's id (a tenant id pasted where a subscription belongs).",
  },
  "scope-not-delegated": {
    severity: "error",
    // Scopes a customer delegated are in its stack file; a managing-mode program does not deploy them.
    pack: false,
    description: "Identities and their role assignments stay inside the scopes the customer delegated.",
  },
  "role-not-delegated": {
    severity: "error",
    description:
      "Through Lighthouse, a role is assigned to a managed identity only if a User Access Administrator authorization lists it in delegatedRoles.",
  },
  "delegated-role-assignment-role": {
    severity: "error",
    description:
      "A role assigned through Lighthouse to a customer's managed identity is a supported built-in role, never Owner or User Access Administrator.",
  },
  "identity-name": { severity: "error", description: "User-assigned identity names follow Azure's naming rule." },
  "federated-credential": {
    severity: "error",
    description: "Federated credentials: valid name, https issuer, a subject and at least one audience.",
  },
  "assignment-definition-same-subscription": {
    severity: "error",
    description: "Every registration assignment points at a registration definition of its own subscription.",
  },
  "unique-definition-guid": {
    severity: "error",
    description:
      "No two registration definitions share a GUID in one subscription (the same offer in several subscriptions shares it by design).",
  },
  "shared-grant": {
    severity: "warning",
    description:
      "A principal and role granted by two delegations in one subscription: removing either delegation removes the pair from the other too.",
  },
  "federated-subject-protected": {
    severity: "error",
    // Identities' principals are generated: a stack file names the identity, the pack would see only a principal id.
    pack: false,
    description:
      "A GitHub federated credential trusts a protected environment only: never pull requests or a branch, whose tokens any contributor's workflow can request.",
  },
  "federated-credentials-per-identity": {
    severity: "error",
    description: `At most ${MAX_FEDERATED_CREDENTIALS} federated credentials per identity, each (issuer, subject) pair once.`,
  },
  "allowed-roles": {
    severity: "error",
    description: "The MSP's own allow-list of roles its offers may grant (policy config allowedRoles).",
  },
  "allowed-managing-tenants": {
    severity: "error",
    description: "Offers delegate only to the MSP's own managing tenants (policy config allowedManagingTenantIds).",
  },
} as const satisfies Record<string, { severity: Severity; description: string; definition?: true; pack?: false }>;

export type RuleId = keyof typeof RULES;

/** The rules a registration definition can break, in the order of {@link RULES}. */
export const DEFINITION_RULES = (Object.keys(RULES) as RuleId[]).filter((rule) => "definition" in RULES[rule]);

/** The rules the policy pack enforces: all but those only a stack file can state (`pack: false`). */
export type PackRule = { [rule in RuleId]: (typeof RULES)[rule] extends { pack: false } ? never : rule }[RuleId];
export const PACK_RULES = (Object.keys(RULES) as RuleId[]).filter((rule): rule is PackRule => !("pack" in RULES[rule]));

/** A rule broken at `path`, a path into the API-shaped definition (e.g. `authorizations.0.roleDefinitionId`). */
export interface Finding {
  rule: RuleId;
  severity: Severity;
  path: PropertyKey[];
  message: string;
}

/** A finding of `rule` at `path`, with the rule's severity. */
export const finding = (rule: RuleId, path: PropertyKey[], message: string): Finding => ({
  rule,
  severity: RULES[rule].severity,
  path,
  message,
});
