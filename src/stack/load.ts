import { basename, dirname } from "node:path";
import { delegatedScopes, delegationGuids, delegationName, type DelegationNaming } from "../delegation";
import { compareDiagnostics, hasErrors, uniqueDiagnostics, type Diagnostic } from "../diagnostics";
import { OfferCache } from "../offer/cache";
import type { ResolvedOffer } from "../offer/model";
import { findingToDiagnostic } from "../offer/load";
import {
  resolveSystemAssignedIdentity,
  resolveUserAssignedIdentity,
  type ResolvedSystemAssignedIdentity,
  type ResolvedUserAssignedIdentity,
} from "../identity/model";
import type { DelegationUnderReview } from "../rules/delegation";
import { reviewStack, type StackPaths, type StackUnderReview } from "../rules/stack";
import { displayPath, stackFilePath, stackNameOf } from "../project/paths";
import { quote } from "../text";
import type { YamlSource } from "../yaml/source";
import { fullyRead } from "../yaml/validate";
import { readStackFile, type StackConfig } from "./read";
import { CUSTOMER_KEY, DELEGATIONS_KEY, IDENTITIES_KEY, MODE_KEY, SYSTEM_IDENTITIES_KEY } from "./schema";

/** One offer delegated in one subscription: to the subscription itself, or to some of its groups. */
export interface SubscriptionDelegation {
  offer: ResolvedOffer;
  /** Undefined: the whole subscription is delegated. */
  resourceGroups?: string[];
  /** An existing delegation to adopt, at these GUIDs (undefined ones: the toolkit's). */
  adopt?: { registrationDefinitionId?: string; registrationAssignmentIds?: string[] };
  /** How its resources are named (src/delegation.ts). */
  naming: DelegationNaming;
}

/** A customer subscription and every offer delegated in it. */
export interface CustomerSubscription {
  subscriptionId: string;
  /** Its display name, as the stack file gives it (for people: the access matrix). */
  name?: string;
  delegations: SubscriptionDelegation[];
}

/** An offer delegated to every subscription of a management group, through Azure Policy (src/export/policy.ts). */
export interface ManagementGroupDelegation {
  offer: ResolvedOffer;
  managementGroupId: string;
  /** Region of the policy assignment's identity and of each subscription's deployment. */
  location: string;
  /** Also delegate the subscriptions already there (a remediation task). */
  remediate: boolean;
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
  /** Management groups onboarded by policy, in the order the file lists them. */
  managementGroups: ManagementGroupDelegation[];
  identities: ResolvedUserAssignedIdentity[];
  systemAssignedIdentities: ResolvedSystemAssignedIdentity[];
}

type Delegation = StackConfig[typeof DELEGATIONS_KEY][number];

/**
 * A project's stack by name, with every problem of the stack file and of the offers it uses,
 * sorted; `stack` only when there is no error. What every command that works on one stack loads.
 */
export function loadNamedStack(
  projectRoot: string,
  stackName: string,
): { stack?: ResolvedStack; diagnostics: Diagnostic[] } {
  const offers = new OfferCache();
  const loaded = loadStack(stackFilePath(projectRoot, stackName), offers);
  const diagnostics = [...offers.diagnostics(), ...loaded.diagnostics].sort(compareDiagnostics);
  return hasErrors(diagnostics) || !loaded.stack ? { diagnostics } : { stack: loaded.stack, diagnostics };
}

/**
 * Loads a stack file: its structure, then every offer it names (through `offers`, which keeps
 * the offers' own diagnostics), then what only the pair can break: a customer tenant that is an
 * offer's managing tenant, two offers that would deploy as one delegation in a subscription,
 * identities outside the delegated scopes. Every problem is reported in one run: when part of
 * the file cannot be read, the rest is still checked, and only the checks that depend on the
 * unreadable part (e.g. identities against a delegation whose offer has errors) wait.
 */
export function loadStack(file: string, offers: OfferCache): { stack?: ResolvedStack; diagnostics: Diagnostic[] } {
  const read = readStackFile(file);
  const { source, value, config } = read;
  const diagnostics = [...read.diagnostics];
  if (!source || !config) return { diagnostics };

  const projectRoot = offers.projectRootOf(dirname(file));
  const customer = fullyRead(config[CUSTOMER_KEY]) ? config[CUSTOMER_KEY] : undefined;
  const delegated = resolveDelegations(source, projectRoot, config[DELEGATIONS_KEY] ?? [], offers);
  diagnostics.push(...delegated.diagnostics);
  const subscriptions = delegated.subscriptions;
  const mode = config[MODE_KEY];
  const placed =
    delegated.complete && fullyRead(config[DELEGATIONS_KEY]) && mode !== undefined
      ? { mode, delegations: delegationsUnderReview(subscriptions) }
      : undefined;
  const findings = reviewStack(
    {
      ...(customer ? { customerTenantId: customer.tenantId } : {}),
      delegations: delegated.entries,
      granting: delegated.granting,
      ...(placed ? { placed } : {}),
      identities: config[IDENTITIES_KEY] ?? [],
      systemAssignedIdentities: config[SYSTEM_IDENTITIES_KEY] ?? [],
    },
    STACK_PATHS,
  );
  diagnostics.push(...findings.map((finding) => findingToDiagnostic(source, finding)));
  const all = uniqueDiagnostics(diagnostics);
  if (!value || hasErrors(all)) return { diagnostics: all };
  const managingTenants = [
    ...new Set([
      ...[...subscriptions.values()].flatMap((subscription) =>
        subscription.delegations.map(({ offer }) => offer.managedByTenantId),
      ),
      ...delegated.managementGroups.map(({ offer }) => offer.managedByTenantId),
    ]),
  ];
  return {
    stack: {
      file: displayPath(file),
      stackName: stackNameOf(file) ?? basename(file),
      projectRoot,
      customer: value.config[CUSTOMER_KEY],
      mode: value.config[MODE_KEY],
      deploymentTenantId:
        value.config[MODE_KEY] === "managing" ? managingTenants[0] : value.config[CUSTOMER_KEY].tenantId,
      subscriptions: [...subscriptions.values()],
      managementGroups: delegated.managementGroups,
      identities: value.config[IDENTITIES_KEY].map(resolveUserAssignedIdentity),
      systemAssignedIdentities: value.config[SYSTEM_IDENTITIES_KEY].map(resolveSystemAssignedIdentity),
    },
    diagnostics: all,
  };
}

/** Where the parts of a stack file are, for the stack rules' findings (src/rules/stack.ts). */
const STACK_PATHS: StackPaths = {
  delegations: ["config", DELEGATIONS_KEY],
  identities: ["config", IDENTITIES_KEY],
  systemAssignedIdentities: ["config", SYSTEM_IDENTITIES_KEY],
  mode: ["config", MODE_KEY],
};

/** Every delegated scope with its offer, as the identity rules read them. */
const delegationsUnderReview = (subscriptions: Map<string, CustomerSubscription>): DelegationUnderReview[] =>
  [...subscriptions.values()].flatMap(({ subscriptionId, delegations }) =>
    delegations.map(({ offer, resourceGroups }) => ({
      offerName: offer.name,
      scopes: delegatedScopes(subscriptionId, resourceGroups),
      authorizations: offer.authorizations,
    })),
  );

/** Each offer file once, by its real path: one file is one offer however an entry names it. */
type OfferEntries = Map<string, number>;

/** The offer an entry names, loaded; or why it cannot be (a message for the entry's `offer`). */
function readOffer(
  projectRoot: string,
  offers: OfferCache,
  offerEntries: OfferEntries,
  offerName: string,
  index: number,
): { offer: ResolvedOffer } | { problem: string } {
  const located = offers.locate(projectRoot, offerName);
  if ("problem" in located) return located;
  const sameFile = offerEntries.get(located.file);
  if (sameFile !== undefined)
    return {
      problem: `offer ${quote(offerName)} is the same file as entry ${sameFile}; list all its subscriptions there`,
    };
  offerEntries.set(located.file, index);
  if (!located.exists) {
    const near = offers.nearName(projectRoot, offerName);
    return {
      problem: `offer file ${offerName} not found (paths are relative to the project root, the folder of Pulumi.yaml)${near ? `; did you mean ${near}?` : ""}`,
    };
  }
  const { offer } = offers.load(located.file);
  return offer ? { offer } : { problem: `offer ${offerName} has errors (reported in that file)` };
}

/** Names each delegation deploys, with the offer that claimed them first: two offers never share one. */
interface NameOwners {
  /** Pulumi logical name → offer file. */
  delegations: Map<string, string>;
  /** `<subscription> <definition GUID>` → offer file. */
  definitions: Map<string, string>;
  /** `<subscription> <assignment GUID>` → offer file, as the stack names it. */
  assignments: Map<string, string>;
}

/** Claims the names `offer` deploys in `target`'s subscription; a message if another offer has one. */
function claimNames(
  owners: NameOwners,
  offer: ResolvedOffer,
  offerName: string,
  naming: DelegationNaming,
  target: { subscriptionId: string; resourceGroups?: string[] },
): string | undefined {
  const name = delegationName(offer.file, target.subscriptionId);
  const owner = owners.delegations.get(name);
  if (owner !== undefined)
    return `offer files ${owner} and ${offer.file} deploy as the same delegation '${name}' in subscription ${target.subscriptionId} (the logical name comes from the file's name); rename one file`;
  owners.delegations.set(name, offer.file);
  const { definition, assignments } = delegationGuids(naming, offer, target.subscriptionId, target.resourceGroups);
  const definitionOwner = owners.definitions.get(`${target.subscriptionId} ${definition}`);
  if (definitionOwner !== undefined)
    return `offers ${definitionOwner} and ${offer.file} deploy the same registration definition ${definition} in subscription ${target.subscriptionId} (the same name${naming === "toolkit" ? " and managing tenant" : ""}); rename one offer`;
  owners.definitions.set(`${target.subscriptionId} ${definition}`, offer.file);
  // Microsoft's names for resource group assignments ignore the offer: two offers would collide.
  const keys = assignments.map((guid) => `${target.subscriptionId} ${guid}`);
  const clash = keys.map((key) => owners.assignments.get(key)).find((other) => other !== undefined);
  if (clash !== undefined)
    return `with these names, an assignment of ${offerName} in subscription ${target.subscriptionId} is named like one of ${clash}; use naming: toolkit for one of them`;
  for (const key of keys) owners.assignments.set(key, offerName);
  return undefined;
}

/**
 * Loads the offer of every readable delegation entry and places it in its subscriptions; each
 * entry as the stack rules read it. `complete` is false when an entry's offer could not be
 * loaded: what depends on the whole set of delegations cannot be judged then.
 */
function resolveDelegations(
  source: YamlSource,
  projectRoot: string,
  entries: Array<Delegation | undefined>,
  offers: OfferCache,
): {
  subscriptions: Map<string, CustomerSubscription>;
  managementGroups: ManagementGroupDelegation[];
  complete: boolean;
  entries: StackUnderReview["delegations"];
  granting: StackUnderReview["granting"];
  diagnostics: Diagnostic[];
} {
  const diagnostics: Diagnostic[] = [];
  const subscriptions = new Map<string, CustomerSubscription>();
  const managementGroups: ManagementGroupDelegation[] = [];
  const policies = new Map<string, string>();
  const owners: NameOwners = { delegations: new Map(), definitions: new Map(), assignments: new Map() };
  const offerEntries: OfferEntries = new Map();
  const underReview: StackUnderReview["delegations"] = [];
  const granting: StackUnderReview["granting"] = [];
  let complete = true;

  entries.forEach((delegation, index) => {
    if (typeof delegation?.offer !== "string") return;
    const offerPath = ["config", DELEGATIONS_KEY, index, "offer"];
    const refuse = (message: string) => {
      complete = false;
      diagnostics.push(source.diagnostic(offerPath, "error", message));
    };
    const read = readOffer(projectRoot, offers, offerEntries, delegation.offer, index);
    underReview[index] = {
      ...("offer" in read ? { managedByTenantId: read.offer.managedByTenantId } : {}),
      subscriptionIds: (delegation.subscriptions ?? []).map((target) => target?.subscriptionId),
    };
    if ("problem" in read) return refuse(read.problem);
    const { offer } = read;
    const naming = delegation.naming ?? "toolkit";
    for (const [targetIndex, target] of (delegation.subscriptions ?? []).entries()) {
      if (!fullyRead(target)) continue;
      // A subscription listed twice for one offer is the schema's to report, once.
      if (subscriptions.get(target.subscriptionId)?.delegations.some((entry) => entry.offer === offer)) continue;
      const clash = claimNames(owners, offer, delegation.offer, naming, target);
      if (clash !== undefined) {
        refuse(clash);
        continue;
      }
      let subscription = subscriptions.get(target.subscriptionId);
      if (!subscription) {
        subscription = { subscriptionId: target.subscriptionId, delegations: [] };
        subscriptions.set(target.subscriptionId, subscription);
      }
      if (target.name !== undefined) {
        if (subscription.name !== undefined && subscription.name !== target.name)
          diagnostics.push(
            source.diagnostic(
              ["config", DELEGATIONS_KEY, index, "subscriptions", targetIndex, "name"],
              "error",
              `subscription ${target.subscriptionId} is named ${quote(subscription.name)} in another entry: give it one name`,
            ),
          );
        else subscription.name = target.name;
      }
      subscription.delegations.push({
        offer,
        naming,
        ...(target.resourceGroups ? { resourceGroups: target.resourceGroups } : {}),
        ...(target.adopt ? { adopt: target.adopt === true ? {} : target.adopt } : {}),
      });
      granting.push({
        entry: index,
        offerName: offer.name,
        subscriptionId: target.subscriptionId,
        authorizations: [...offer.authorizations, ...offer.eligibleAuthorizations],
      });
    }
    for (const target of delegation.managementGroups ?? []) {
      if (!fullyRead(target)) continue;
      // One policy definition per offer name and managing tenant in a management group.
      const key = `${target.managementGroupId.toLowerCase()} ${offer.definitionGuid}`;
      const owner = policies.get(key);
      if (owner !== undefined && owner !== delegation.offer) {
        refuse(
          `offers ${owner} and ${delegation.offer} deploy the same policy at management group ${target.managementGroupId} (the same name and managing tenant); rename one offer`,
        );
        continue;
      }
      policies.set(key, delegation.offer);
      managementGroups.push({ offer, ...target });
    }
  });
  return { subscriptions, managementGroups, complete, entries: underReview, granting, diagnostics };
}
