import type { EnforcementLevel, PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { assignedDefinitionKey, definitionKey, delegatedScopes } from "../src/delegation";
import { subscriptionOfScope } from "../src/azure/scopes";
import { isUserAssignedIdentity, TYPES } from "../src/azure/resourceTypes";
import { policyDelegation } from "../src/export/policy";
import { groupBy, repeats } from "../src/repeats";
import { roleById, roleByName } from "../src/roles/catalog";
import {
  MAX_FEDERATED_CREDENTIALS,
  duplicateSubjectMessage,
  IDENTITY_NAME_PATTERN,
  identityNameMessage,
  federatedCredentialRule,
  TOO_MANY_CREDENTIALS_MESSAGE,
} from "../src/rules/identity";
import {
  reviewCustomerTenant,
  reviewDelegatedRoleAssignment,
  reviewSharedGrants,
  type DelegationUnderReview,
} from "../src/rules/delegation";
import { roleGuid } from "../src/azure/definitions";
import {
  reviewDelegatableRole,
  reviewRegistrationDefinition,
  type DefinitionUnderReview,
} from "../src/rules/definition";
import { DEFINITION_RULES, PACK_RULES, RULES, type Finding, type PackRule, type RuleId } from "../src/rules/table";

/**
 * The CrossGuard policies: the offer rules of src/rules, applied to the resources a program
 * actually registers (so code that bypasses the YAML is held to the same rules), plus stack-wide
 * checks and the MSP's own allow-lists. One policy `lighthouse-<rule>` per rule of the rules
 * table (src/rules/table.ts) the pack enforces, named, described and enforced as the table says;
 * this file holds only each rule's check. Exported so tests and the offline plan run them.
 */

const {
  definition: DEFINITION,
  assignment: ASSIGNMENT,
  roleAssignment: ROLE_ASSIGNMENT,
  federatedCredential: FEDERATED_CREDENTIAL,
  policyDefinition: POLICY_DEFINITION,
} = TYPES;

const enforcementOf = (rule: RuleId): EnforcementLevel => (RULES[rule].severity === "error" ? "mandatory" : "advisory");
type Props = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The definition a resource deploys: a registration definition's own, or the one a
 * management-group policy (src/export/policy.ts) deploys in each subscription; undefined otherwise.
 */
function reviewedDefinition(type: string, props: Props): { definition: DefinitionUnderReview; at: string } | undefined {
  if (type === DEFINITION)
    return {
      definition: { ...(props.properties ?? {}), ...(props.plan ? { plan: props.plan } : {}) } as DefinitionUnderReview,
      at: "properties.",
    };
  const deployed = type === POLICY_DEFINITION ? policyDelegation(props.policyRule) : undefined;
  return deployed && { definition: deployed.properties as DefinitionUnderReview, at: "the deployed definition's " };
}

/** The definition's findings, computed once per resource however many policies ask. */
const findingsCache = new WeakMap<object, Finding[]>();
function definitionFindings(type: string, props: Props): Array<Finding & { at: string }> {
  const reviewed = reviewedDefinition(type, props);
  if (!reviewed) return [];
  let findings = findingsCache.get(props);
  if (!findings) {
    findings = reviewRegistrationDefinition(reviewed.definition);
    findingsCache.set(props, findings);
  }
  return findings.map((finding) => ({ ...finding, at: reviewed.at }));
}

const where = (finding: Finding & { at: string }) =>
  finding.path.length ? `${finding.at}${finding.path.join(".")}: ` : "";

/** What a policy checks; its name, description and enforcement come from the rules table. */
type Check =
  Pick<ResourceValidationPolicy, "validateResource" | "configSchema"> | Pick<StackValidationPolicy, "validateStack">;

/** The rules reviewRegistrationDefinition applies: each checks a definition's findings of that rule. */
const definitionRuleChecks = Object.fromEntries(
  DEFINITION_RULES.map((rule): [RuleId, Check] => [
    rule,
    {
      validateResource: (args, reportViolation) => {
        for (const finding of definitionFindings(args.type, args.props).filter(
          (candidate) => candidate.rule === rule,
        )) {
          reportViolation(`${where(finding)}${finding.message}`);
        }
      },
    },
  ]),
) as Record<(typeof DEFINITION_RULES)[number], Check>;

const managingTenantIsCustomer: Check = {
  validateResource: (args, reportViolation) => {
    // Onboarding runs in the customer's tenant: the provider's tenant is the customer's.
    const customerTenant = args.provider?.props?.tenantId;
    const managedBy = args.props.properties?.managedByTenantId;
    if (args.type !== DEFINITION || typeof customerTenant !== "string" || typeof managedBy !== "string") return;
    for (const finding of reviewCustomerTenant(managedBy, customerTenant)) reportViolation(finding.message);
  },
};

const preferGroups: Check = {
  validateResource: (args, reportViolation) => {
    // Principal kinds are known on role assignments; registration definitions do not carry them.
    if (args.type === ROLE_ASSIGNMENT && args.props.principalType === "User") {
      reportViolation(
        `role assigned to an individual user (${String(args.props.principalId)}); assign it to a group instead`,
      );
    }
  },
};

const delegatedRoleAssignmentRole: Check = {
  validateResource: (args, reportViolation) => {
    if (
      args.type !== ROLE_ASSIGNMENT ||
      !args.props.delegatedManagedIdentityResourceId ||
      typeof args.props.roleDefinitionId !== "string"
    )
      return;
    for (const finding of reviewDelegatableRole(args.props.roleDefinitionId, [])) reportViolation(finding.message);
  },
};

const identityName: Check = {
  validateResource: (args, reportViolation) => {
    if (!isUserAssignedIdentity(args.type, args.props) || args.props.resourceName === undefined) return;
    if (!IDENTITY_NAME_PATTERN.test(String(args.props.resourceName)))
      reportViolation(identityNameMessage(args.props.resourceName));
  },
};

const federatedCredential: Check = {
  validateResource: (args, reportViolation) => {
    if (args.type !== FEDERATED_CREDENTIAL) return;
    const { federatedIdentityCredentialResourceName: name, issuer, subject, audiences } = args.props;
    const review = federatedCredentialRule.safeParse({ name: name ?? args.name, issuer, subject, audiences });
    // The rule's own messages name their field; zod's type errors need it said.
    for (const issue of review.error?.issues ?? [])
      reportViolation(issue.code === "invalid_type" ? `${issue.path.join(".")}: ${issue.message}` : issue.message);
  },
};

const assignmentDefinitionSameSubscription: Check = {
  validateStack: (args, reportViolation) => {
    for (const assignment of args.resources.filter((resource) => resource.type === ASSIGNMENT)) {
      const assignmentSubscription = subscriptionOfScope(assignment.props.scope);
      // The definition id is known offline; during a preview it may not be, but its resource is.
      const definitionId = assignment.props.properties?.registrationDefinitionId;
      const definitionSubscription =
        subscriptionOfScope(definitionId) ||
        subscriptionOfScope(assignment.dependencies.find((dependency) => dependency.type === DEFINITION)?.props.scope);
      if (!definitionSubscription) {
        reportViolation(
          `registration assignment ${assignment.name} does not reference a registration definition`,
          assignment.urn,
        );
      } else if (definitionSubscription !== assignmentSubscription) {
        reportViolation(
          `registration assignment ${assignment.name} at ${String(assignment.props.scope)} references a definition in subscription ${definitionSubscription}`,
          assignment.urn,
        );
      }
    }
  },
};

const uniqueDefinitionGuid: Check = {
  validateStack: (args, reportViolation) => {
    const definitions = args.resources.filter((resource) => resource.type === DEFINITION);
    const place = (definition: PolicyResource) =>
      `${subscriptionOfScope(definition.props.scope)}/${String(definition.props.registrationDefinitionId).toLowerCase()}`;
    for (const { index, first } of repeats(definitions, place)) {
      const definition = definitions[index];
      reportViolation(
        `registration definitions ${definitions[first].name} and ${definition.name} share GUID ${definition.props.registrationDefinitionId} in one subscription`,
        definition.urn,
      );
    }
  },
};

const sharedGrant: Check = {
  validateStack: (args, reportViolation) => {
    const definitions = args.resources.filter((resource) => resource.type === DEFINITION);
    const granting = definitions.map((definition) => ({
      offerName: String(definition.props.properties?.registrationDefinitionName ?? definition.name),
      subscriptionId: subscriptionOfScope(definition.props.scope),
      authorizations: [
        ...(definition.props.properties?.authorizations ?? []),
        ...(definition.props.properties?.eligibleAuthorizations ?? []),
      ],
    }));
    for (const shared of reviewSharedGrants(granting)) reportViolation(shared.message, definitions[shared.index].urn);
  },
};

/** The delegations a stack deploys, as the identity rules see them (assignments indexed once: linear in the stack). */
function delegationsIn(resources: PolicyResource[]): DelegationUnderReview[] {
  const definitions = resources.filter((resource) => resource.type === DEFINITION);
  const definitionSet = new Set(definitions);
  // An assignment belongs to a definition by its registrationDefinitionId (GUID last), or by depending on it; same subscription.
  const indexed = resources
    .map((resource, index) => ({ resource, index }))
    .filter(({ resource }) => resource.type === ASSIGNMENT);
  const byGuid = groupBy(
    indexed,
    ({ resource }) =>
      assignedDefinitionKey(resource.props.scope, resource.props.properties?.registrationDefinitionId) ?? "",
  );
  const byDependency = new Map<PolicyResource, Array<{ resource: PolicyResource; index: number }>>();
  for (const entry of indexed) {
    for (const dependency of entry.resource.dependencies.filter((candidate) => definitionSet.has(candidate)))
      byDependency.set(dependency, [...(byDependency.get(dependency) ?? []), entry]);
  }
  return definitions.map((definition) => {
    const guid = String(definition.props.registrationDefinitionId).toLowerCase();
    const subscription = subscriptionOfScope(definition.props.scope);
    const indexes = [
      ...new Set(
        [...(byGuid.get(definitionKey(subscription, guid)) ?? []), ...(byDependency.get(definition) ?? [])].map(
          ({ index }) => index,
        ),
      ),
    ].sort((a, b) => a - b);
    const assignments = indexes
      .map((index) => resources[index])
      .filter((assignment) => subscriptionOfScope(assignment.props.scope) === subscription);
    return {
      offerName: String(definition.props.properties?.registrationDefinitionName ?? guid),
      scopes: assignments.length
        ? assignments.map((assignment) => String(assignment.props.scope))
        : delegatedScopes(subscription),
      authorizations: definition.props.properties?.authorizations ?? [],
    };
  });
}

const roleNotDelegated: Check = {
  validateStack: (args, reportViolation) => {
    const delegated = args.resources.filter(
      (resource) => resource.type === ROLE_ASSIGNMENT && resource.props.delegatedManagedIdentityResourceId,
    );
    if (delegated.length === 0) return;
    const delegations = delegationsIn(args.resources);
    // Managing-mode stacks do not deploy the delegations they work through; the stack file
    // validation checks those against the offers instead.
    if (delegations.length === 0) return;
    for (const assignment of delegated) {
      for (const finding of reviewDelegatedRoleAssignment(
        String(assignment.props.roleDefinitionId),
        String(assignment.props.scope),
        delegations,
      )) {
        reportViolation(finding.message, assignment.urn);
      }
    }
  },
};

const federatedCredentialsPerIdentity: Check = {
  validateStack: (args, reportViolation) => {
    const byIdentity = new Map<string, PolicyResource[]>();
    for (const credential of args.resources.filter((resource) => resource.type === FEDERATED_CREDENTIAL)) {
      const key = `${credential.props.resourceGroupName}/${credential.props.resourceName}`.toLowerCase();
      byIdentity.set(key, [...(byIdentity.get(key) ?? []), credential]);
    }
    for (const [identity, credentials] of byIdentity) {
      if (credentials.length > MAX_FEDERATED_CREDENTIALS)
        reportViolation(`identity ${identity}: ${TOO_MANY_CREDENTIALS_MESSAGE}`, credentials[0].urn);
      for (const { index, first } of repeats(
        credentials,
        (credential) => `${credential.props.issuer}\n${credential.props.subject}`,
      )) {
        reportViolation(
          `identity ${identity}: ${duplicateSubjectMessage(credentials[first].name)}`,
          credentials[index].urn,
        );
      }
    }
  },
};

/** Every role id a definition grants: permanent, eligible and delegated. */
const rolesGranted = (props: Props): string[] => {
  const properties = props.properties ?? {};
  return [...(properties.authorizations ?? []), ...(properties.eligibleAuthorizations ?? [])].flatMap(
    (authorization: Props) => [
      roleGuid(String(authorization.roleDefinitionId)),
      ...(authorization.delegatedRoleDefinitionIds ?? []).map((id: string) => roleGuid(id)),
    ],
  );
};

export interface AllowedRolesConfig {
  /** Role names or role definition GUIDs an offer may grant. Empty: every role Lighthouse supports. */
  allowedRoles: string[];
}

const allowedRoles: Check = {
  configSchema: {
    properties: {
      allowedRoles: {
        type: "array",
        items: { type: "string" },
        default: [],
        description: "Role names or role definition GUIDs.",
      },
    },
  },
  validateResource: (args, reportViolation) => {
    const { allowedRoles: allowList } = args.getConfig<AllowedRolesConfig>();
    if (args.type !== DEFINITION || !allowList?.length) return;
    const allowed = new Set(allowList.map((entry) => (roleByName(entry)?.id ?? entry).toLowerCase()));
    for (const id of new Set(rolesGranted(args.props))) {
      if (!allowed.has(id)) reportViolation(`${roleById(id)?.name ?? id} is not in this MSP's allowedRoles`);
    }
  },
};

export interface AllowedManagingTenantsConfig {
  /** Managing tenant ids offers may delegate to. Empty: any. */
  allowedManagingTenantIds: string[];
}

const allowedManagingTenants: Check = {
  configSchema: {
    properties: {
      allowedManagingTenantIds: {
        type: "array",
        items: { type: "string", pattern: "^[0-9a-fA-F-]{36}$" },
        default: [],
      },
    },
  },
  validateResource: (args, reportViolation) => {
    const { allowedManagingTenantIds: allowList } = args.getConfig<AllowedManagingTenantsConfig>();
    const managedBy = args.props.properties?.managedByTenantId;
    if (args.type !== DEFINITION || !allowList?.length || typeof managedBy !== "string") return;
    if (!allowList.some((tenant) => tenant.toLowerCase() === managedBy.toLowerCase())) {
      reportViolation(`managing tenant ${managedBy} is not in this MSP's allowedManagingTenantIds`);
    }
  },
};

/** Each rule the pack enforces, with its check: the compiler refuses a rule of the table without one. */
const CHECKS: Record<PackRule, Check> = {
  ...definitionRuleChecks,
  "managing-tenant-is-customer": managingTenantIsCustomer,
  "prefer-groups": preferGroups,
  "role-not-delegated": roleNotDelegated,
  "delegated-role-assignment-role": delegatedRoleAssignmentRole,
  "identity-name": identityName,
  "federated-credential": federatedCredential,
  "assignment-definition-same-subscription": assignmentDefinitionSameSubscription,
  "unique-definition-guid": uniqueDefinitionGuid,
  "shared-grant": sharedGrant,
  "federated-credentials-per-identity": federatedCredentialsPerIdentity,
  "allowed-roles": allowedRoles,
  "allowed-managing-tenants": allowedManagingTenants,
};

export const policies: Array<ResourceValidationPolicy | StackValidationPolicy> = PACK_RULES.map((rule) => ({
  name: `lighthouse-${rule}`,
  description: RULES[rule].description,
  enforcementLevel: enforcementOf(rule),
  ...CHECKS[rule],
}));

export const resourcePolicies = policies.filter(
  (policy): policy is ResourceValidationPolicy => "validateResource" in policy,
);
export const stackPolicies = policies.filter((policy): policy is StackValidationPolicy => "validateStack" in policy);
