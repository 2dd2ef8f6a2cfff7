import type { AliasSpec, RegisteredResource } from "../offline";
import { TYPES } from "../azure/resourceTypes";
import { roleGuid } from "../azure/definitions";
import { lastSegment, subscriptionOfScope } from "../azure/scopes";

/**
 * What a real `pulumi up` would do between the deployed revision (base) and the proposed one
 * (head): the steps the Pulumi engine generates, as it and azure-native decide them, and what they
 * do to the managing tenant's access while the update runs and after it. Every rule used is
 * written down next to the code that applies it, with its source; where no source says what
 * happens, the step says "unknown" instead of guessing.
 *
 * Sources (read, not run here):
 * - pulumi/pulumi `pkg/resource/deploy/step_generator.go`: `generateAliases`, `collapseAliasToUrn`,
 *   `inheritedChildAlias`, `generateSteps` (a URN or an alias finds the old resource),
 *   `continueStepsFromImport` (import only when there is no old resource), `providerChanged`,
 *   `continueStepsFromDiff` (delete-before-replace deletes the dependents
 *   `calculateDependentReplacements` finds, in reverse dependency order, then the resource), and
 *   `GenerateDeletes` (URNs the program no longer registers are deleted after it has finished).
 * - pulumi/pulumi `pkg/resource/graph/dependency_graph.go` `DependingOn`: dependents through
 *   dependencies, property dependencies, deletedWith, replaceWith and the provider.
 * - pulumi/pulumi-azure-native `provider/pkg/provider/provider.go`: `Diff` replaces when a URL
 *   path parameter or a force-new property changes and then always asks delete-before-replace
 *   (`deleteBeforeReplace := len(replaces) > 0`); `DiffConfig` never asks a replacement; `Create`
 *   refuses a resource that already exists (`CanCreate`: "cannot create already existing resource").
 * - pulumi/pulumi-azure-native `provider/pkg/gen/replacement.go` `forceNewMap`.
 * - Pulumi docs, resource options `replaceWith` ("force a replace operation on the current
 *   resource every time one of the given resources is replaced") and `import`. That a replaceWith
 *   dependent is among those a delete-before-replace deletes first is read from the graph code and
 *   the docs: the step_generator.go read here predates replaceWith (docs/lifecycle.md).
 * - Microsoft Learn, Azure Lighthouse `remove-delegation.md` and `update-delegation.md`.
 */

/** What the engine keeps of a resource, in the deployed state or from the program. */
export type StateResource = Pick<
  RegisteredResource,
  | "urn"
  | "type"
  | "name"
  | "custom"
  | "parentUrn"
  | "inputs"
  | "dependencies"
  | "propertyDependencies"
  | "replaceWith"
  | "aliasSpecs"
  | "id"
  | "importId"
  | "outputs"
  | "providerName"
>;

/** What the engine keeps of each registered resource (the state a deployment of them would leave). */
export function stateOf(resources: RegisteredResource[]): StateResource[] {
  return resources.map((resource) => ({
    urn: resource.urn,
    type: resource.type,
    name: resource.name,
    custom: resource.custom,
    ...(resource.parentUrn ? { parentUrn: resource.parentUrn } : {}),
    inputs: resource.inputs,
    dependencies: resource.dependencies,
    propertyDependencies: resource.propertyDependencies,
    replaceWith: resource.replaceWith,
    aliasSpecs: resource.aliasSpecs,
    id: resource.id,
    ...(resource.importId ? { importId: resource.importId } : {}),
    outputs: resource.outputs,
    ...(resource.providerName ? { providerName: resource.providerName } : {}),
  }));
}

export type StepOp = "create" | "import" | "update" | "delete-replaced" | "create-replacement" | "delete";

export interface Step {
  op: StepOp;
  urn: string;
  type: string;
  /** The Azure resource id the step acts on. */
  id: string;
  /** Why the engine takes this step (changed properties, the alias it matched, the replacement it belongs to). */
  reason: string;
  /** This step would fail in a real `up` (the run stops here): what refuses it, and the source. */
  fails?: string;
  /** No source says what this step does: the prediction is not reliable from here on. */
  unknown?: string;
}

/** A principal/role/scope whose access a run interrupts or loses. */
export interface ContinuityFinding {
  /** `lost`: absent when the run ends (or stops) although the proposal grants it; `interrupted`: absent between two steps. */
  kind: "lost" | "interrupted";
  subscription: string;
  scope: string;
  offer: string;
  principal: { id: string; name?: string };
  roleId: string;
  eligible: boolean;
  /** 1-based step numbers: absent after step `from`, back after step `until` (interrupted only). */
  from: number;
  until?: number;
  /** What removed it. */
  cause: string;
}

export interface StepPlan {
  steps: Step[];
  /** Losses first, then interruptions; each in step order. */
  continuity: ContinuityFinding[];
  /** The step a real run would stop at (1-based), when one fails. */
  stopsAt?: number;
}

// ---- azure-native's replacement rules -------------------------------------------------------

/**
 * Per type, the inputs whose change makes azure-native replace the resource: the URL path
 * parameters of its REST operation (`calculateDetailedDiff`: "All the parameters that are part of
 * the resource path cause a replacement"), plus `forceNewMap` and create-only (`x-ms-mutability`)
 * properties. Microsoft.ManagedServices 2022-10-01 has neither force-new list nor mutability marks.
 */
const REPLACING_INPUTS: Record<string, ReadonlySet<string>> = {
  // PUT {scope}/providers/Microsoft.ManagedServices/registrationDefinitions/{registrationDefinitionId}
  [TYPES.definition]: new Set(["scope", "registrationDefinitionId"]),
  // PUT {scope}/providers/Microsoft.ManagedServices/registrationAssignments/{registrationAssignmentId}
  [TYPES.assignment]: new Set(["scope", "registrationAssignmentId"]),
  // PUT .../resourceGroups/{resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName};
  // location is create-only (common-types TrackedResource, x-ms-mutability read/create).
  [TYPES.userAssignedIdentity]: new Set(["resourceGroupName", "resourceName", "location"]),
  // PUT .../userAssignedIdentities/{resourceName}/federatedIdentityCredentials/{federatedIdentityCredentialResourceName}
  [TYPES.federatedCredential]: new Set([
    "resourceGroupName",
    "resourceName",
    "federatedIdentityCredentialResourceName",
  ]),
  // PUT {scope}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}; forceNewMap: principalId, scope.
  [TYPES.roleAssignment]: new Set(["scope", "roleAssignmentName", "principalId"]),
  // PUT .../resourceGroups/{resourceGroupName}/providers/{resourceProviderNamespace}/{parentResourcePath}/{resourceType}/{resourceName}
  [TYPES.genericResource]: new Set([
    "resourceGroupName",
    "resourceProviderNamespace",
    "parentResourcePath",
    "resourceType",
    "resourceName",
  ]),
};

/** Objects with their keys sorted, so that equal inputs compare equal whatever their order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (!item || typeof item !== "object" || Array.isArray(item)) return item;
    const object = item as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(object)
        .sort()
        .map((key) => [key, object[key]]),
    );
  });
}

function changedInputs(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((key) => canonical(before[key]) !== canonical(after[key]))
    .sort();
}

const isProvider = (type: string) => type.startsWith("pulumi:providers:");

// ---- URNs and aliases, as the engine resolves them --------------------------------------------

/** A URN's parts: `urn:pulumi:<stack>::<project>::<qualified type>::<name>`. */
function urnParts(urn: string): { prefix: string; qualifiedType: string; type: string; name: string } {
  const parts = urn.split("::");
  const qualifiedType = parts[2] ?? "";
  return {
    prefix: `${parts[0]}::${parts[1]}`,
    qualifiedType,
    type: qualifiedType.split("$").at(-1) ?? "",
    name: parts.slice(3).join("::"),
  };
}

/** The URN of `name` of `type` under `parentUrn` (the root stack's children have no parent chain). */
function urnOf(prefix: string, parentUrn: string | undefined, type: string, name: string): string {
  const chain = parentUrn ? `${urnParts(parentUrn).qualifiedType}$` : "";
  return `${prefix}::${chain}${type}::${name}`;
}

/**
 * The former URNs a resource may be found under: its own aliases, and those it inherits from a
 * parent that was found under an alias (a child named `<parent name>-x` takes the parent's former
 * name as prefix). step_generator.go `generateAliases`, `collapseAliasToUrn`, `inheritedChildAlias`.
 */
function aliasUrns(resource: StateResource, parentAliases: ReadonlyMap<string, string>): string[] {
  const { prefix } = urnParts(resource.urn);
  const collapse = (alias: AliasSpec): string => {
    if ("urn" in alias) return alias.urn;
    let parent = alias.parentUrn ?? resource.parentUrn;
    if (alias.parentUrn && parentAliases.has(alias.parentUrn)) parent = parentAliases.get(alias.parentUrn);
    if (alias.noParent || (parent && urnParts(parent).type === "pulumi:pulumi:Stack")) parent = undefined;
    return urnOf(prefix, parent, alias.type ?? resource.type, alias.name ?? resource.name);
  };
  const inherited = (childUrn: string, parentAlias: string): string => {
    const child = urnParts(childUrn);
    const parentName = urnParts(resource.parentUrn!).name;
    const name = child.name.startsWith(parentName)
      ? urnParts(parentAlias).name + child.name.slice(parentName.length)
      : child.name;
    return `${prefix}::${urnParts(parentAlias).qualifiedType}$${child.type}::${name}`;
  };
  const own = resource.aliasSpecs.map(collapse);
  const parentAlias = resource.parentUrn ? parentAliases.get(resource.parentUrn) : undefined;
  const all = parentAlias
    ? [...own, inherited(resource.urn, parentAlias), ...own.map((urn) => inherited(urn, parentAlias))]
    : own;
  return [...new Set(all)];
}

// ---- Lighthouse as ARM answers it -------------------------------------------------------------

const lower = (value: unknown) => String(value ?? "").toLowerCase();
const definitionGuidOf = (definitionId: unknown) => lastSegment(lower(definitionId));

interface Pair {
  principal: { id: string; name?: string };
  roleId: string;
  eligible: boolean;
}

/** The principal/role pairs a registration definition grants, from its inputs (the API's shape). */
function pairsOf(definition: StateResource): Pair[] {
  const properties = (definition.inputs.properties ?? {}) as Record<string, unknown>;
  const list = (key: string, eligible: boolean) =>
    ((properties[key] ?? []) as Array<Record<string, unknown>>).map((authorization) => ({
      principal: {
        id: lower(authorization.principalId),
        ...(authorization.principalIdDisplayName ? { name: String(authorization.principalIdDisplayName) } : {}),
      },
      roleId: roleGuid(String(authorization.roleDefinitionId ?? "")),
      eligible,
    }));
  return [...list("authorizations", false), ...list("eligibleAuthorizations", true)];
}

const offerOf = (definition: StateResource) =>
  String(((definition.inputs.properties ?? {}) as Record<string, unknown>).registrationDefinitionName ?? "");

interface Grant extends Pair {
  scope: string;
  subscription: string;
  offer: string;
}

const grantKey = (grant: Grant) =>
  `${lower(grant.scope)} ${grant.principal.id} ${grant.roleId} ${grant.eligible ? "eligible" : "permanent"}`;
const pairKey = (subscription: string, pair: Pair) => `${lower(subscription)} ${pair.principal.id} ${pair.roleId}`;

/**
 * The Azure resources alive at one moment of the run, and the principal/role pairs Azure has
 * taken from delegations because another delegation granting the same pair in the subscription was
 * removed (remove-delegation.md: removing one delegation "could cause users to lose access granted
 * via the other delegations ... when the same principalId and roleDefinitionId combination is
 * included in multiple delegations"). A pair taken is not given back by later updates: only a new
 * assignment (a new onboarding) grants it again.
 */
class AzureState {
  private readonly live = new Map<string, StateResource>();
  /** Subscription → its live assignments by id: a step changes the grants of its own subscription only. */
  private readonly assignmentsIn = new Map<string, Map<string, StateResource>>();
  /** assignment id → pair keys Azure took from it. */
  private readonly taken = new Map<string, Set<string>>();

  constructor(resources: StateResource[]) {
    for (const resource of resources) this.put(resource);
  }

  has(id: string): boolean {
    return this.live.has(lower(id));
  }

  put(resource: StateResource): void {
    if (!resource.custom || isProvider(resource.type)) return;
    this.live.set(lower(resource.id), resource);
    if (resource.type !== TYPES.assignment) return;
    const subscription = subscriptionOfScope(resource.inputs.scope);
    const assignments = this.assignmentsIn.get(subscription) ?? new Map<string, StateResource>();
    assignments.set(lower(resource.id), resource);
    this.assignmentsIn.set(subscription, assignments);
  }

  remove(id: string): void {
    const resource = this.live.get(lower(id));
    this.live.delete(lower(id));
    if (resource?.type !== TYPES.assignment) return;
    const subscription = subscriptionOfScope(resource.inputs.scope);
    this.assignmentsIn.get(subscription)?.delete(lower(id));
    this.taken.delete(lower(id));
    const definition = this.definitionOf(resource);
    if (!definition) return;
    const removed = new Set(pairsOf(definition).map((pair) => pairKey(subscription, pair)));
    for (const other of this.assignments(subscription)) {
      const otherDefinition = this.definitionOf(other);
      // Other delegations only: the same definition's assignment on another resource group is not one.
      if (!otherDefinition || otherDefinition === definition) continue;
      for (const pair of pairsOf(otherDefinition)) {
        const key = pairKey(subscription, pair);
        if (!removed.has(key)) continue;
        const taken = this.taken.get(lower(other.id)) ?? new Set<string>();
        taken.add(key);
        this.taken.set(lower(other.id), taken);
      }
    }
  }

  private assignments(subscription: string): StateResource[] {
    return [...(this.assignmentsIn.get(subscription)?.values() ?? [])];
  }

  private definitionOf(assignment: StateResource): StateResource | undefined {
    return this.live.get(lower(definitionIdOf(assignment)));
  }

  /** The offer a live assignment delegates (its definition's name), when both are live. */
  offerOfAssignment(id: string): string | undefined {
    const assignment = this.live.get(lower(id));
    const definition = assignment?.type === TYPES.assignment ? this.definitionOf(assignment) : undefined;
    return definition ? offerOf(definition) : undefined;
  }

  /** An assignment of the same definition on the same scope (ARM ids ignore case). */
  assignmentLike(assignment: StateResource): StateResource | undefined {
    const definition = definitionGuidOf(definitionIdOf(assignment));
    return this.assignments(subscriptionOfScope(assignment.inputs.scope)).find(
      (other) =>
        lower(other.inputs.scope) === lower(assignment.inputs.scope) &&
        definitionGuidOf(definitionIdOf(other)) === definition,
    );
  }

  /** Live assignments that point at the definition `id`. */
  assignedTo(id: string): StateResource[] {
    return this.assignments(subscriptionOfScope(id)).filter(
      (assignment) => lower(definitionIdOf(assignment)) === lower(id),
    );
  }

  /** Every grant in force in `subscription` (or everywhere): a live assignment of a live definition, less the pairs Azure took. */
  grants(subscription?: string): Map<string, Grant> {
    const grants = new Map<string, Grant>();
    const subscriptions = subscription === undefined ? [...this.assignmentsIn.keys()] : [subscription];
    for (const assignment of subscriptions.flatMap((each) => this.assignments(each))) {
      const definition = this.definitionOf(assignment);
      if (!definition) continue;
      const scope = String(assignment.inputs.scope);
      const assignmentSubscription = subscriptionOfScope(scope);
      const taken = this.taken.get(lower(assignment.id));
      for (const pair of pairsOf(definition)) {
        if (taken?.has(pairKey(assignmentSubscription, pair))) continue;
        const grant = { ...pair, scope, subscription: assignmentSubscription, offer: offerOf(definition) };
        grants.set(grantKey(grant), grant);
      }
    }
    return grants;
  }
}

/** The definition a registration assignment points at (its `properties.registrationDefinitionId`). */
const definitionIdOf = (assignment: StateResource) =>
  ((assignment.inputs.properties ?? {}) as Record<string, unknown>).registrationDefinitionId;

// ---- The steps --------------------------------------------------------------------------------

/** The steps a real `pulumi up` takes from the `base` state to the `head` program, and their effect on access. */
export function predictSteps(base: StateResource[], head: StateResource[]): StepPlan {
  const olds = new Map(base.map((resource) => [resource.urn, resource]));
  const baseOrder = new Map(base.map((resource, index) => [resource.urn, index]));
  /** Old URNs claimed by a resource of the program (directly or through an alias). */
  const claimed = new Set<string>();
  /** New URN → the former URN it was found under. */
  const foundUnder = new Map<string, string>();
  const replaced = new Set<string>(); // new URNs replaced in this run
  const deletedEarly = new Map<string, string>(); // old URN → URN of the replacement that deleted it
  const steps: Step[] = [];
  const azure = new AzureState(base);

  const step = (op: StepOp, resource: StateResource, reason: string, id = resource.id): Step => {
    const entry: Step = { op, urn: resource.urn, type: resource.type, id, reason };
    steps.push(entry);
    return entry;
  };

  /** Deleting a definition still assigned: ARM's answer is not documented. */
  const deleteDefinition = (entry: Step) => {
    const assigned = azure.assignedTo(entry.id);
    if (entry.type === TYPES.definition && assigned.length)
      entry.unknown = `deletes a registration definition while ${assigned.length} assignment(s) still point at it; what ARM answers is not documented`;
  };

  /**
   * The dependents a delete-before-replace deletes first, from the deployed state's graph: those
   * that would be replaced themselves (`calculateDependentReplacements`): a replaceWith on a
   * resource being replaced (Pulumi's replaceWith docs), or a property fed by one that azure-native
   * replaces on (the engine diffs with that property unknown).
   */
  /** Base resources by the URNs they take property values or replaceWith from: the only ways a dependent is replaced. */
  const referencedBy = new Map<string, StateResource[]>();
  for (const resource of base) {
    for (const urn of new Set([...resource.replaceWith, ...Object.values(resource.propertyDependencies).flat()]))
      referencedBy.set(urn, [...(referencedBy.get(urn) ?? []), resource]);
  }
  const dependentReplacements = (root: StateResource): StateResource[] => {
    const replaceSet = new Set([root.urn]);
    const dependents: StateResource[] = [];
    for (const queue = [root.urn]; queue.length;) {
      for (const candidate of referencedBy.get(queue.pop()!) ?? []) {
        if (replaceSet.has(candidate.urn) || !candidate.custom) continue;
        const byReplaceWith = candidate.replaceWith.some((urn) => replaceSet.has(urn));
        const byProperty = Object.entries(candidate.propertyDependencies).some(
          ([key, urns]) => REPLACING_INPUTS[candidate.type]?.has(key) && urns.some((urn) => replaceSet.has(urn)),
        );
        if (!byReplaceWith && !byProperty) continue;
        replaceSet.add(candidate.urn);
        dependents.push(candidate);
        queue.push(candidate.urn);
      }
    }
    // In the deployed state's (topological) order, as the engine walks it.
    return dependents.sort((a, b) => baseOrder.get(a.urn)! - baseOrder.get(b.urn)!);
  };

  let stopped = false;
  for (const resource of head) {
    let old = olds.get(resource.urn);
    let via: string | undefined;
    if (!old) {
      via = aliasUrns(resource, foundUnder).find((urn) => olds.has(urn) && !claimed.has(urn));
      old = via ? olds.get(via) : undefined;
    }
    if (old) {
      claimed.add(old.urn);
      if (via) foundUnder.set(resource.urn, via);
    }
    if (!resource.custom || isProvider(resource.type) || stopped) continue;

    const aliasNote = via ? ` (found under its former name ${urnParts(via).name})` : "";
    let entry: Step | undefined;
    if (!old) {
      if (resource.importId) {
        // continueStepsFromImport: an import when the program gives an id and there is no old resource.
        entry = step(
          "import",
          resource,
          "adopts the existing resource; Pulumi then updates it to the program's inputs if Azure differs",
        );
      } else {
        entry = step("create", resource, "new in the program");
        if (azure.has(resource.id))
          entry.fails = `${resource.id} already exists (it is deleted only after the program has run): azure-native refuses to create an existing resource`;
        else if (resource.type === TYPES.assignment && azure.assignmentLike(resource))
          entry.fails = `the definition is already assigned at ${String(resource.inputs.scope)} (ARM ids ignore case): ARM refuses "Multiple registration assignments are not allowed"`;
      }
      azure.put(resource);
    } else if (deletedEarly.has(old.urn)) {
      // Deleted earlier as a dependent of a delete-before-replace: seen again, it is re-created.
      entry = step("create-replacement", resource, `re-created after ${deletedEarly.get(old.urn)} was replaced`);
      replaced.add(resource.urn);
      azure.put(resource);
    } else if (old.type !== resource.type) {
      entry = step("update", resource, `found under its former type ${old.type}${aliasNote}`, old.id);
      entry.unknown = `the type changes from ${old.type} to ${resource.type}: how azure-native diffs across types is not documented`;
    } else {
      // A changed provider reference is no replacement: azure-native's DiffConfig never asks one
      // (step_generator.go providerChanged), so only the inputs are compared.
      const changed = changedInputs(old.inputs, resource.inputs);
      const replacing = REPLACING_INPUTS[resource.type];
      const replaceKeys = changed.filter((key) => replacing?.has(key));
      // replaceWith names the program's URNs: replaced in this run, or not.
      const replacedWith = resource.replaceWith.filter((urn) => replaced.has(urn));
      const why = replaceKeys.length ? `${replaceKeys.join(", ")} changed` : `replaceWith ${replacedWith.join(", ")}`;
      if ((replaceKeys.length || replacedWith.length) && resource.importId) {
        // continueStepsFromDiff refuses before any step: a resource still naming an import id may not be replaced.
        entry = step("create-replacement", resource, `${why}${aliasNote}`);
        entry.fails =
          "previously-imported resources that still specify an ID may not be replaced; remove adopt from the stack entry first";
      } else if (replaceKeys.length || replacedWith.length) {
        for (const dependent of dependentReplacements(old).reverse()) {
          if (deletedEarly.has(dependent.urn)) continue;
          const dependentStep = step(
            "delete-replaced",
            dependent,
            `deleted first: replaced with ${resource.urn} (delete-before-replace)`,
          );
          deleteDefinition(dependentStep);
          azure.remove(dependent.id);
          deletedEarly.set(dependent.urn, resource.urn);
        }
        const removal = step("delete-replaced", old, `${why}: azure-native replaces, deleting first${aliasNote}`);
        deleteDefinition(removal);
        azure.remove(old.id);
        entry = step("create-replacement", resource, `${why}${aliasNote}`);
        replaced.add(resource.urn);
        if (azure.has(resource.id))
          entry.fails = `${resource.id} already exists: azure-native refuses to create an existing resource`;
        azure.put(resource);
      } else if (changed.length) {
        entry = step("update", resource, `${changed.join(", ")} changed${aliasNote}`);
        if (!replacing) entry.unknown = `which changes replace a ${resource.type} is not known here`;
        else if (
          resource.type === TYPES.definition &&
          lower((old.inputs.properties as Record<string, unknown> | undefined)?.managedByTenantId) !==
            lower((resource.inputs.properties as Record<string, unknown> | undefined)?.managedByTenantId)
        )
          entry.fails =
            "an in-place change of managedByTenantId: Microsoft asks for a new offer name when the managing tenant changes (update-delegation.md); use naming: toolkit, without adopted ids, so the definition is replaced";
        azure.put(resource);
      } else {
        azure.put(resource);
      }
    }
    if (entry?.fails) stopped = true;
  }

  if (!stopped) {
    // GenerateDeletes: what the program no longer registers goes after it has run, dependents first.
    for (const old of [...base].reverse()) {
      if (claimed.has(old.urn) || deletedEarly.has(old.urn) || !old.custom || isProvider(old.type)) continue;
      deleteDefinition(step("delete", old, "no longer in the program"));
      azure.remove(old.id);
    }
  }

  const stopsAt = steps.findIndex((entry) => entry.fails) + 1 || undefined;
  return { steps, continuity: continuity(base, head, steps), ...(stopsAt ? { stopsAt } : {}) };
}

// ---- Access while the steps run ---------------------------------------------------------------

/** Replays the steps over the deployed state and follows every grant the proposal keeps or adds. */
function continuity(base: StateResource[], head: StateResource[], steps: Step[]): ContinuityFinding[] {
  const byUrn = new Map(head.map((resource) => [resource.urn, resource]));
  const azure = new AzureState(base);
  const wanted = new AzureState(head).grants();
  const wantedIn = new Map<string, Array<[string, Grant]>>();
  for (const [key, grant] of wanted)
    wantedIn.set(grant.subscription, [...(wantedIn.get(grant.subscription) ?? []), [key, grant]]);
  const initial = azure.grants();
  /** grant key → the step after which it went missing, and why. */
  const missing = new Map<string, { from: number; cause: string }>();
  const findings: ContinuityFinding[] = [];
  const stopsAt = steps.findIndex((entry) => entry.fails) + 1;
  const run = stopsAt ? steps.slice(0, stopsAt - 1) : steps;

  run.forEach((entry, index) => {
    const number = index + 1;
    const removedOffer = azure.offerOfAssignment(entry.id);
    if (entry.op === "delete" || entry.op === "delete-replaced") azure.remove(entry.id);
    else azure.put(byUrn.get(entry.urn)!);
    // A step changes the grants of its own subscription only.
    const subscription = subscriptionOfScope(entry.id);
    const now = azure.grants(subscription);
    for (const [key, grant] of wantedIn.get(subscription) ?? []) {
      const gone = missing.get(key);
      if (!now.has(key) && !gone && initial.has(key))
        missing.set(key, { from: number, cause: causeOf(entry, grant, removedOffer) });
      else if (now.has(key) && gone) {
        findings.push({ kind: "interrupted", ...located(grant), from: gone.from, until: number, cause: gone.cause });
        missing.delete(key);
      }
    }
  });
  const end = azure.grants();
  for (const [key, grant] of wanted) {
    if (end.has(key)) continue;
    const gone = missing.get(key);
    findings.push({
      kind: "lost",
      ...located(grant),
      from: gone?.from ?? run.length,
      cause: gone?.cause ?? (stopsAt ? `the run stops at step ${stopsAt} before granting it` : "no step grants it"),
    });
  }
  const order = (finding: ContinuityFinding) => (finding.kind === "lost" ? 0 : 1);
  return findings.sort((a, b) => order(a) - order(b) || a.from - b.from);
}

const located = (grant: Grant) => ({
  subscription: grant.subscription,
  scope: grant.scope,
  offer: grant.offer,
  principal: grant.principal,
  roleId: grant.roleId,
  eligible: grant.eligible,
});

/**
 * Why a grant went missing at `entry`: its own delegation went, or Azure took the pair when
 * another delegation (another offer, or the same scope's former one) was removed.
 */
function causeOf(entry: Step, grant: Grant, removedOffer: string | undefined): string {
  const what = `step ${entry.op} ${urnParts(entry.urn).name}`;
  const own =
    removedOffer === grant.offer &&
    lower(entry.id).startsWith(`${lower(grant.scope)}/providers/microsoft.managedservices/`);
  if (entry.type === TYPES.assignment && removedOffer !== undefined && !own)
    return `${what}: removing a delegation removes the principal/role pairs it shares with the subscription's other delegations (remove-delegation.md)`;
  return what;
}
