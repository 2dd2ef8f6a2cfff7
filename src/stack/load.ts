import { existsSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { delegatedScopes, delegationName, resourceGroupScope } from "../delegation";
import { hasErrors, type Diagnostic } from "../diagnostics";
import { OfferCache, displayPath } from "../offer/cache";
import type { ResolvedOffer } from "../offer/model";
import { findingToDiagnostic } from "../offer/load";
import {
  resolveSystemAssignedIdentity,
  resolveUserAssignedIdentity,
  type ResolvedRoleAssignment,
  type ResolvedSystemAssignedIdentity,
  type ResolvedUserAssignedIdentity,
} from "../identity/model";
import {
  reviewCustomerTenant,
  reviewDelegatedRoleAssignment,
  reviewScopeDelegated,
  type DelegationUnderReview,
  type Finding,
} from "../rules/lighthouse";
import { readSourceFile, YamlSource } from "../yaml/source";
import { validateSource } from "../yaml/validate";
import { CUSTOMER_KEY, DELEGATIONS_KEY, IDENTITIES_KEY, MODE_KEY, stackFileSchema, SYSTEM_IDENTITIES_KEY } from "./schema";

/** One offer delegated in one subscription: to the subscription itself, or to some of its groups. */
export interface SubscriptionDelegation {
  offer: ResolvedOffer;
  /** Undefined: the whole subscription is delegated. */
  resourceGroups?: string[];
  /** An existing delegation to adopt, at these GUIDs (undefined ones: the toolkit's). */
  adopt?: { registrationDefinitionId?: string; registrationAssignmentIds?: string[] };
}

/** A customer subscription and every offer delegated in it. */
export interface CustomerSubscription {
  subscriptionId: string;
  delegations: SubscriptionDelegation[];
}

export type DeploymentMode = "onboarding" | "managing";

/** A validated stack: one customer tenant, its subscriptions in the order the file lists them. */
export interface ResolvedStack {
  file: string;
  stackName: string;
  projectRoot: string;
  customer: { name: string; tenantId: string };
  /** Who runs the stack: the customer's tenant (onboarding) or the managing tenant (managing). */
  mode: DeploymentMode;
  /** The tenant the deployment authenticates in: the customer's, or (managing) the offers' managing tenant. */
  deploymentTenantId: string;
  subscriptions: CustomerSubscription[];
  identities: ResolvedUserAssignedIdentity[];
  systemAssignedIdentities: ResolvedSystemAssignedIdentity[];
}

const STACK_FILE_PATTERN = /^Pulumi\.(.+)\.ya?ml$/;

/** `fabrikam` for `stacks/Pulumi.fabrikam.yaml`; undefined for a file that is no stack file. */
export function stackNameOf(file: string): string | undefined {
  return STACK_FILE_PATTERN.exec(basename(file))?.[1];
}

/** The directory holding Pulumi.yaml at or above `start`: offer paths in stack files are relative to it. */
export function findProjectRoot(start: string): string {
  for (let directory = resolve(start); ; directory = dirname(directory)) {
    if (existsSync(join(directory, "Pulumi.yaml"))) return directory;
    if (dirname(directory) === directory) return resolve(start, "..");
  }
}

export function stackFilePath(projectRoot: string, stackName: string): string {
  return join(projectRoot, "stacks", `Pulumi.${stackName}.yaml`);
}

/**
 * Loads a stack file: its structure, then every offer it names (through `offers`, which keeps
 * the offers' own diagnostics), then what only the pair can break: a customer tenant that is an
 * offer's managing tenant, or two offers that would deploy as one delegation in a subscription.
 */
export function loadStack(file: string, offers: OfferCache): { stack?: ResolvedStack; diagnostics: Diagnostic[] } {
  const shownFile = displayPath(file);
  const read = readSourceFile(file);
  if ("diagnostic" in read) return { diagnostics: [{ ...read.diagnostic, file: shownFile }] };
  const parsed = YamlSource.parse(shownFile, read.text);
  if (!parsed.source) return { diagnostics: parsed.diagnostics };
  const source = parsed.source;
  const { value, diagnostics } = validateSource(source, stackFileSchema);
  if (!value) return { diagnostics };

  const projectRoot = findProjectRoot(dirname(file));
  const customer = value.config[CUSTOMER_KEY];
  const subscriptions = new Map<string, CustomerSubscription>();
  /** Pulumi logical name → the offer file deploying it: two offers must never share one. */
  const delegationOwners = new Map<string, string>();

  value.config[DELEGATIONS_KEY].forEach((delegation, index) => {
    const offerPath = ["config", DELEGATIONS_KEY, index, "offer"];
    const offerFile = resolve(projectRoot, delegation.offer);
    if (!existsSync(offerFile)) {
      diagnostics.push(source.diagnostic(offerPath, "error", `offer file ${delegation.offer} not found (paths are relative to ${displayPath(projectRoot) || "."})`));
      return;
    }
    const { offer } = offers.load(offerFile);
    if (!offer) {
      diagnostics.push(source.diagnostic(offerPath, "error", `offer ${delegation.offer} has errors (reported in that file)`));
      return;
    }
    for (const finding of reviewCustomerTenant(offer.managedByTenantId, customer.tenantId)) {
      diagnostics.push(source.diagnostic(offerPath, finding.severity, finding.message, { rule: finding.rule }));
    }
    delegation.subscriptions.forEach((target) => {
      const name = delegationName(offer.name, target.subscriptionId);
      const owner = delegationOwners.get(name);
      if (owner !== undefined) {
        diagnostics.push(
          source.diagnostic(
            offerPath,
            "error",
            `offers ${owner} and ${offer.file} have names that deploy as the same delegation '${name}' in subscription ${target.subscriptionId}; rename one offer`,
          ),
        );
        return;
      }
      delegationOwners.set(name, offer.file);
      let subscription = subscriptions.get(target.subscriptionId);
      if (!subscription) {
        subscription = { subscriptionId: target.subscriptionId, delegations: [] };
        subscriptions.set(target.subscriptionId, subscription);
      }
      subscription.delegations.push({
        offer,
        ...(target.resourceGroups ? { resourceGroups: target.resourceGroups } : {}),
        ...(target.adopt ? { adopt: target.adopt === true ? {} : target.adopt } : {}),
      });
    });
  });

  if (hasErrors(diagnostics)) return { diagnostics };

  // Identities: every scope inside what the customer delegated; in managing mode, every role
  // allowed by a User Access Administrator authorization there.
  const mode = value.config[MODE_KEY];
  const delegations: DelegationUnderReview[] = [...subscriptions.values()].flatMap(({ subscriptionId, delegations: list }) =>
    list.map(({ offer, resourceGroups }) => ({
      offerName: offer.name,
      scopes: delegatedScopes(subscriptionId, resourceGroups),
      authorizations: offer.authorizations,
    })),
  );
  const report = (path: PropertyKey[], findings: Finding[]) =>
    diagnostics.push(...findings.map((finding) => findingToDiagnostic(source, { ...finding, path: [...path, ...finding.path] })));
  // A stack that delegates nothing deploys into its own tenant (e.g. the MSP's pipeline identity).
  const reviewRoleAssignments = (path: PropertyKey[], assignments: ResolvedRoleAssignment[]) =>
    assignments.forEach((assignment, index) =>
      report(
        [...path, "roleAssignments", index],
        mode === "managing"
          ? reviewDelegatedRoleAssignment(assignment.roleDefinitionId, assignment.scope, delegations)
          : delegations.length > 0
            ? reviewScopeDelegated(assignment.scope, delegations, ["scope"])
            : [],
      ),
    );

  const identities = value.config[IDENTITIES_KEY].map(resolveUserAssignedIdentity);
  identities.forEach((identity, index) => {
    const path = ["config", IDENTITIES_KEY, index];
    if (mode === "managing") {
      report(path, reviewScopeDelegated(resourceGroupScope(identity.subscriptionId, identity.resourceGroup), delegations, ["resourceGroup"]));
    }
    reviewRoleAssignments(path, identity.roleAssignments);
  });
  const systemAssignedIdentities = value.config[SYSTEM_IDENTITIES_KEY].map(resolveSystemAssignedIdentity);
  systemAssignedIdentities.forEach((identity, index) => {
    const path = ["config", SYSTEM_IDENTITIES_KEY, index];
    if (mode === "managing") report(path, reviewScopeDelegated(identity.resourceId, delegations, ["resourceId"]));
    reviewRoleAssignments(path, identity.roleAssignments);
  });

  // Through Lighthouse, the deployment signs in to the managing tenant: the offers must agree on it.
  const managingTenants = [
    ...new Set([...subscriptions.values()].flatMap((subscription) => subscription.delegations.map(({ offer }) => offer.managedByTenantId))),
  ];
  if (mode === "managing" && managingTenants.length !== 1) {
    const message =
      managingTenants.length === 0
        ? `managing mode works through delegations: list them under ${DELEGATIONS_KEY}`
        : `managing mode signs in to one managing tenant, but the offers name ${managingTenants.join(" and ")}`;
    diagnostics.push(source.diagnostic(["config", MODE_KEY], "error", message));
  }
  if (hasErrors(diagnostics)) return { diagnostics };
  return {
    stack: {
      file: shownFile,
      stackName: stackNameOf(file) ?? basename(file),
      projectRoot,
      customer,
      mode,
      deploymentTenantId: mode === "managing" ? managingTenants[0] : customer.tenantId,
      subscriptions: [...subscriptions.values()],
      identities,
      systemAssignedIdentities,
    },
    diagnostics,
  };
}
