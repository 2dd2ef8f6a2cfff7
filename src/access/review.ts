import { scopeKindOf, subscriptionOfScope, type ScopeKind } from "../azure/scopes";
import { durationSeconds } from "../azure/duration";
import { describePrincipal } from "./describe";
import { type AccessView, type Grant, type IdentityView, type Principal } from "./view";
import { markdownCodeSpan, markdownText } from "../text";
import { roleLabel } from "../roles/catalog";
import type { ContinuityFinding, StepPlan } from "../plan/steps";

/**
 * The access review: every access change between two access views as a record (what
 * `diff --format json` returns), and the sentences a reviewer reads ("X gains Contributor on
 * Fabrikam (3 subscriptions)"), rendered from those records. Weakened controls come first.
 */

export type ChangeKind =
  | "delegation-added"
  | "delegation-removed"
  | "managing-tenant-changed"
  | "scope-added"
  | "scope-removed"
  | "granted"
  | "revoked"
  | "jit-duration-changed"
  | "jit-mfa-changed"
  | "jit-approver-added"
  | "jit-approver-removed"
  | "delegated-role-added"
  | "delegated-role-removed"
  | "identity-added"
  | "identity-removed"
  | "identity-role-granted"
  | "identity-role-revoked"
  | "trust-added"
  | "trust-removed"
  | "stack-removed";

/** One access change. `before`/`after` hold the changed value (absent on the side where it does not exist). */
export interface AccessChange {
  /** Set by the review of several stacks (`diff`). */
  stack?: string;
  change: ChangeKind;
  subscription?: string;
  /** Where the access applies: a subscription, resource group or resource id. */
  scope?: string;
  scopeKind?: ScopeKind;
  offer?: string;
  /** The managing-tenant principal holding (or losing) the grant. */
  principal?: Principal;
  /** The managed identity, for identity changes. */
  identity?: string;
  role?: string;
  eligible?: boolean;
  before?: unknown;
  after?: unknown;
  /** A control became weaker: MFA Azure → None, a longer JIT duration, approval dropped, a new role UAA may assign, a new managing tenant. */
  weakening: boolean;
}

type Located = Pick<AccessChange, "subscription" | "scope" | "scopeKind">;
const located = (scope: string): Located => ({
  subscription: subscriptionOfScope(scope),
  scope,
  scopeKind: scopeKindOf(scope).kind,
});

/** Every grant in force, keyed by scope, offer, principal, role and kind. */
function grantsInForce(view: AccessView | undefined) {
  const grants = new Map<string, { grant: Grant; eligible: boolean; scope: string; offer: string }>();
  for (const delegation of [...(view?.delegations ?? []), ...(view?.managementGroups ?? [])]) {
    for (const scope of delegation.scopes) {
      for (const [eligible, list] of [
        [false, delegation.permanent],
        [true, delegation.eligible],
      ] as const) {
        for (const grant of list)
          grants.set(`${scope.toLowerCase()} ${delegation.offer} ${grant.principal.id} ${grant.roleId} ${eligible}`, {
            grant,
            eligible,
            scope,
            offer: delegation.offer,
          });
      }
    }
  }
  return grants;
}

const grantDetails = (grant: Grant) => ({
  ...(grant.delegatedRoles ? { delegatedRoles: grant.delegatedRoles } : {}),
  ...(grant.jit ? { jit: grant.jit } : {}),
});

function jitChanges(
  base: Omit<AccessChange, "change" | "weakening">,
  before: NonNullable<Grant["jit"]>,
  after: NonNullable<Grant["jit"]>,
): AccessChange[] {
  const changes: AccessChange[] = [];
  if (before.maximumActivationDuration !== after.maximumActivationDuration) {
    const longer =
      (durationSeconds(after.maximumActivationDuration) ?? 0) >
      (durationSeconds(before.maximumActivationDuration) ?? 0);
    changes.push({
      ...base,
      change: "jit-duration-changed",
      before: before.maximumActivationDuration,
      after: after.maximumActivationDuration,
      weakening: longer,
    });
  }
  if (before.multiFactorAuthProvider !== after.multiFactorAuthProvider) {
    const weakened = before.multiFactorAuthProvider === "Azure" && after.multiFactorAuthProvider === "None";
    changes.push({
      ...base,
      change: "jit-mfa-changed",
      before: before.multiFactorAuthProvider,
      after: after.multiFactorAuthProvider,
      weakening: weakened,
    });
  }
  const ids = (list: Principal[]) => new Set(list.map((approver) => approver.id));
  for (const approver of after.approvers.filter((candidate) => !ids(before.approvers).has(candidate.id))) {
    changes.push({ ...base, change: "jit-approver-added", after: approver, weakening: false });
  }
  // Replacing an approver keeps approval required; removing the last one drops it.
  for (const approver of before.approvers.filter((candidate) => !ids(after.approvers).has(candidate.id))) {
    changes.push({
      ...base,
      change: "jit-approver-removed",
      before: approver,
      weakening: after.approvers.length === 0,
    });
  }
  return changes;
}

function grantChanges(baseView: AccessView | undefined, headView: AccessView | undefined): AccessChange[] {
  const before = grantsInForce(baseView);
  const after = grantsInForce(headView);
  const changes: AccessChange[] = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const was = before.get(key);
    const is = after.get(key);
    const { grant, eligible, scope, offer } = (is ?? was)!;
    const base = { ...located(scope), offer, principal: grant.principal, role: grant.role, eligible };
    if (!was) changes.push({ ...base, change: "granted", after: grantDetails(grant), weakening: false });
    else if (!is) changes.push({ ...base, change: "revoked", before: grantDetails(grant), weakening: false });
    else {
      if (was.grant.jit && is.grant.jit) changes.push(...jitChanges(base, was.grant.jit, is.grant.jit));
      const oldDelegated = new Set(was.grant.delegatedRoles ?? []);
      const newDelegated = new Set(is.grant.delegatedRoles ?? []);
      for (const role of newDelegated)
        if (!oldDelegated.has(role))
          changes.push({ ...base, change: "delegated-role-added", after: role, weakening: true });
      for (const role of oldDelegated)
        if (!newDelegated.has(role))
          changes.push({ ...base, change: "delegated-role-removed", before: role, weakening: false });
    }
  }
  return changes;
}

function delegationChanges(baseView: AccessView | undefined, headView: AccessView | undefined): AccessChange[] {
  const key = (delegation: AccessView["delegations"][number]) =>
    `${delegation.managementGroupId ?? delegation.subscriptionId} ${delegation.offer}`;
  const all = (view: AccessView | undefined) => [...(view?.delegations ?? []), ...(view?.managementGroups ?? [])];
  const before = new Map(all(baseView).map((delegation) => [key(delegation), delegation]));
  const after = new Map(all(headView).map((delegation) => [key(delegation), delegation]));
  const changes: AccessChange[] = [];
  const perScope = (scopes: string[], subscription: string) =>
    scopes.length ? scopes.map(located) : [{ subscription }];
  for (const [name, delegation] of after) {
    const old = before.get(name);
    const offer = delegation.offer;
    if (!old) {
      for (const where of perScope(delegation.scopes, delegation.subscriptionId))
        changes.push({ change: "delegation-added", ...where, offer, weakening: false });
      continue;
    }
    if (old.managedByTenantId !== delegation.managedByTenantId) {
      changes.push({
        change: "managing-tenant-changed",
        subscription: delegation.subscriptionId,
        offer,
        before: old.managedByTenantId,
        after: delegation.managedByTenantId,
        // Every grant of the offer now goes to principals of another tenant.
        weakening: true,
      });
    }
    const had = new Set(old.scopes.map((scope) => scope.toLowerCase()));
    const has = new Set(delegation.scopes.map((scope) => scope.toLowerCase()));
    for (const scope of delegation.scopes.filter((candidate) => !had.has(candidate.toLowerCase())))
      changes.push({ change: "scope-added", ...located(scope), offer, weakening: false });
    for (const scope of old.scopes.filter((candidate) => !has.has(candidate.toLowerCase())))
      changes.push({ change: "scope-removed", ...located(scope), offer, weakening: false });
  }
  for (const [name, delegation] of before) {
    if (after.has(name)) continue;
    for (const where of perScope(delegation.scopes, delegation.subscriptionId))
      changes.push({ change: "delegation-removed", ...where, offer: delegation.offer, weakening: false });
  }
  return changes;
}

function identityChanges(baseView: AccessView | undefined, headView: AccessView | undefined): AccessChange[] {
  const key = (identity: IdentityView) =>
    `${identity.subscriptionId ?? ""}/${identity.resourceGroup ?? ""}/${identity.name}`;
  const before = new Map((baseView?.identities ?? []).map((identity) => [key(identity), identity]));
  const after = new Map((headView?.identities ?? []).map((identity) => [key(identity), identity]));
  const roles = (view?: IdentityView) =>
    new Map(
      (view?.roleAssignments ?? []).map((role) => [
        `${role.roleId} ${role.scope.toLowerCase()} ${role.delegated}`,
        role,
      ]),
    );
  const trusts = (view?: IdentityView) =>
    new Map(
      (view?.federatedCredentials ?? []).map((credential) => [
        `${credential.issuer} ${credential.subject}`,
        credential,
      ]),
    );
  const changes: AccessChange[] = [];
  for (const [name, identity] of after) {
    const old = before.get(name);
    const base = {
      ...(identity.subscriptionId ? { subscription: identity.subscriptionId } : {}),
      identity: identity.name,
    };
    if (!old) changes.push({ ...base, change: "identity-added", weakening: false });
    const [oldRoles, newRoles] = [roles(old), roles(identity)];
    for (const [id, role] of newRoles)
      if (!oldRoles.has(id))
        changes.push({
          ...base,
          ...located(role.scope),
          change: "identity-role-granted",
          role: role.role,
          after: { delegated: role.delegated },
          weakening: false,
        });
    for (const [id, role] of oldRoles)
      if (!newRoles.has(id))
        changes.push({
          ...base,
          ...located(role.scope),
          change: "identity-role-revoked",
          role: role.role,
          before: { delegated: role.delegated },
          weakening: false,
        });
    const [oldTrusts, newTrusts] = [trusts(old), trusts(identity)];
    for (const [id, trust] of newTrusts)
      if (!oldTrusts.has(id))
        changes.push({
          ...base,
          change: "trust-added",
          after: { issuer: trust.issuer, subject: trust.subject },
          weakening: false,
        });
    for (const [id, trust] of oldTrusts)
      if (!newTrusts.has(id))
        changes.push({
          ...base,
          change: "trust-removed",
          before: { issuer: trust.issuer, subject: trust.subject },
          weakening: false,
        });
  }
  for (const [name, identity] of before) {
    if (!after.has(name))
      changes.push({
        ...(identity.subscriptionId ? { subscription: identity.subscriptionId } : {}),
        identity: identity.name,
        change: "identity-removed",
        weakening: false,
      });
  }
  return changes;
}

/** Every access change between two views of one customer: weakenings first, then in review order. */
export function accessChanges(base: AccessView | undefined, head: AccessView | undefined): AccessChange[] {
  const changes = [...delegationChanges(base, head), ...grantChanges(base, head), ...identityChanges(base, head)];
  return [...changes.filter((change) => change.weakening), ...changes.filter((change) => !change.weakening)];
}

// ---- Sentences -------------------------------------------------------------------------------

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;
const principalText = (principal: Principal) => markdownText(describePrincipal(principal));
const holder = (change: AccessChange) =>
  `**${markdownText(change.principal!.name ?? change.principal!.id)}** (${change.principal!.id})`;
const offerText = (change: AccessChange) => `"${markdownText(change.offer ?? "")}"`;
const kind = (change: AccessChange) => (change.eligible ? "eligible " : "");

function grantedDetails(details: ReturnType<typeof grantDetails>): string {
  const parts: string[] = [];
  if (details.delegatedRoles)
    parts.push(`may assign ${details.delegatedRoles.map(markdownText).join(", ") || "no role"} to managed identities`);
  if (details.jit) {
    const approvers = details.jit.approvers.length
      ? `approvers ${details.jit.approvers.map(principalText).join(", ")}`
      : "no approval";
    parts.push(
      `JIT up to ${details.jit.maximumActivationDuration}, MFA ${details.jit.multiFactorAuthProvider}, ${approvers}`,
    );
  }
  return parts.length ? ` (${parts.join("; ")})` : "";
}

/** The sentence of a change, without where it applies; `undefined` location for identity-level sentences. */
function sentence(change: AccessChange): string {
  const grantee = () => `${holder(change)} (${kind(change)}${markdownText(change.role ?? "")})`;
  switch (change.change) {
    case "delegation-added":
      return `delegation **added**: offer ${offerText(change)}`;
    case "delegation-removed":
      return `delegation **removed**: offer ${offerText(change)}`;
    case "managing-tenant-changed":
      return `offer ${offerText(change)}: **managing tenant changed** from ${markdownText(String(change.before))} to ${markdownText(String(change.after))} (a new delegation: see the steps for the order)`;
    case "scope-added":
      return `offer ${offerText(change)} **now also covers** this scope`;
    case "scope-removed":
      return `offer ${offerText(change)} **no longer covers** this scope`;
    case "granted":
      return `${holder(change)} **gains** ${kind(change)}${markdownText(change.role ?? "")}${grantedDetails(change.after as ReturnType<typeof grantDetails>)}`;
    case "revoked":
      return `${holder(change)} **loses** ${kind(change)}${markdownText(change.role ?? "")}`;
    case "jit-duration-changed":
      return `${grantee()}: JIT duration ${change.weakening ? "**raised**" : "lowered"} from ${markdownText(String(change.before))} to ${markdownText(String(change.after))}`;
    case "jit-mfa-changed":
      return `${grantee()}: JIT MFA ${change.weakening ? "**weakened**" : "changed"} from ${markdownText(String(change.before))} to ${markdownText(String(change.after))}`;
    case "jit-approver-added":
      return `${grantee()}: approver ${principalText(change.after as Principal)} added`;
    case "jit-approver-removed":
      return `${grantee()}: approver ${principalText(change.before as Principal)} removed${change.weakening ? ": **no approval required any more**" : ""}`;
    case "delegated-role-added":
      return `${holder(change)} **may now assign** ${markdownText(String(change.after))} to managed identities`;
    case "delegated-role-removed":
      return `${holder(change)} may no longer assign ${markdownText(String(change.before))}`;
    case "identity-added":
      return `identity **added**: ${markdownText(change.identity ?? "")}`;
    case "identity-removed":
      return `identity **removed**: ${markdownText(change.identity ?? "")} (and its role assignments)`;
    case "identity-role-granted":
    case "identity-role-revoked": {
      const { delegated } = (change.after ?? change.before) as { delegated: boolean };
      const verb = change.change === "identity-role-granted" ? "**gains**" : "**loses**";
      return `identity ${markdownText(change.identity ?? "")} ${verb} ${markdownText(`${change.role} at ${change.scope}`)}${delegated ? " (through Lighthouse)" : ""}`;
    }
    case "trust-added":
    case "trust-removed": {
      const { issuer, subject } = (change.after ?? change.before) as { issuer: string; subject: string };
      const verb = change.change === "trust-added" ? "**now trusts** tokens from" : "no longer trusts";
      return `identity ${markdownText(change.identity ?? "")} ${verb} ${markdownText(`${issuer} ${subject}`)}`;
    }
    case "stack-removed":
      return `**stack removed**: nothing is revoked by this change; its delegations and identities stay in Azure until the destroy workflow (or pulumi destroy --stack ${markdownText(change.stack ?? "")}) removes them`;
  }
}

/** Changes that are located on the customer's scopes and aggregated across them. */
const AGGREGATED = new Set<ChangeKind>([
  "delegation-added",
  "delegation-removed",
  "managing-tenant-changed",
  "scope-added",
  "scope-removed",
  "granted",
  "revoked",
  "jit-duration-changed",
  "jit-mfa-changed",
  "jit-approver-added",
  "jit-approver-removed",
  "delegated-role-added",
  "delegated-role-removed",
]);

/** "on Fabrikam (2 subscriptions, resource groups rg-a, rg-b)": resource groups are named. */
function where(customer: string, changes: AccessChange[]): string {
  /** The scopes of one kind, by name: "resource groups rg-a, rg-b". */
  const named = (kind: ScopeKind, label: string) => {
    const names = [
      ...new Set(
        changes.filter((change) => change.scopeKind === kind).map((change) => scopeKindOf(change.scope!).name!),
      ),
    ].sort();
    return names.length ? [`${label}${names.length === 1 ? "" : "s"} ${names.map(markdownText).join(", ")}`] : [];
  };
  const subscriptions = new Set(
    changes
      .filter((change) => change.scopeKind !== "resource group" && change.scopeKind !== "management group")
      .map((change) => change.subscription),
  );
  const parts = [
    ...named("management group", "every subscription of management group"),
    ...(subscriptions.size ? [plural(subscriptions.size, "subscription")] : []),
    ...named("resource group", "resource group"),
  ];
  return `on ${markdownText(customer)} (${parts.join(", ")})`;
}

/**
 * The review's lines for one customer: the same sentence on several scopes is one line, and
 * weakened controls come first.
 */
export function reviewLines(changes: AccessChange[], customer: string): string[] {
  const groups = new Map<string, AccessChange[]>();
  for (const change of changes) {
    const text = sentence(change);
    groups.set(text, [...(groups.get(text) ?? []), change]);
  }
  const lines = [...groups].map(([text, group]) => ({
    weakening: group.some((change) => change.weakening),
    text: AGGREGATED.has(group[0].change) ? `${text} ${where(customer, group)}` : text,
  }));
  return [...lines.filter((line) => line.weakening), ...lines.filter((line) => !line.weakening)].map(
    (line) => line.text,
  );
}

/** How many stacks a fleet line names before "and N more". */
const FLEET_NAMES = 3;
/** Fleet lines at most: the rest is under each stack. */
export const FLEET_LINES = 30;

/**
 * The same change in several stacks, once: "… **loses** Reader in 40 stacks (customer-01, …)".
 * For a review of a fleet, whose first screen would otherwise be its first stack only. Weakened
 * controls first, then the changes seen in most stacks.
 */
export function fleetLines(reviews: Array<{ stack: string; records: AccessChange[] }>): string[] {
  const stacksOf = new Map<string, { stacks: string[]; weakening: boolean }>();
  for (const review of reviews)
    for (const change of review.records) {
      const text = sentence(change);
      const entry = stacksOf.get(text) ?? { stacks: [], weakening: false };
      if (entry.stacks.at(-1) !== review.stack) entry.stacks.push(review.stack);
      entry.weakening ||= Boolean(change.weakening);
      stacksOf.set(text, entry);
    }
  const lines = [...stacksOf]
    .sort(([, a], [, b]) => Number(b.weakening) - Number(a.weakening) || b.stacks.length - a.stacks.length)
    .map(([text, { stacks }]) => {
      const named = stacks.slice(0, FLEET_NAMES).map(markdownText).join(", ");
      const more = stacks.length > FLEET_NAMES ? ` and ${stacks.length - FLEET_NAMES} more` : "";
      return `${text} in ${plural(stacks.length, "stack")} (${named}${more})`;
    });
  return lines.length > FLEET_LINES
    ? [...lines.slice(0, FLEET_LINES), `${lines.length - FLEET_LINES} more changes: see each stack below`]
    : lines;
}

// ---- Steps and continuity ---------------------------------------------------------------------

const STEP_WORDS: Record<StepPlan["steps"][number]["op"], string> = {
  create: "create",
  import: "import",
  update: "update in place",
  "delete-replaced": "delete (replaced, deleted first)",
  "create-replacement": "create the replacement",
  delete: "delete (after the program)",
};

/** The logical name a URN ends with. */
const logicalName = (urn: string) => urn.split("::").slice(3).join("::");

/** What removed a grant, as one sentence whatever the resource: for a line over many scopes. */
function causeClass(finding: ContinuityFinding): string {
  if (finding.cause.includes("remove-delegation.md"))
    return "Azure removes the principal/role pairs a removed delegation shares with the subscription's others (remove-delegation.md)";
  if (finding.cause.startsWith("the run stops")) return "the run stops before granting it";
  return finding.kind === "lost" ? "its delegation is deleted" : "its delegation is deleted before it is re-created";
}

/**
 * The continuity findings of a stack's steps as review lines, losses first: one finding with its
 * steps and cause; the same finding over several scopes (a fleet's retitled offer) one line, with
 * its cause in general terms (the steps are listed below the review).
 */
export function continuityLines(plan: StepPlan, customer: string): string[] {
  const groups = new Map<string, ContinuityFinding[]>();
  const head = (finding: ContinuityFinding) => {
    const who = `**${markdownText(finding.principal.name ?? finding.principal.id)}** (${finding.principal.id})`;
    const role = `${finding.eligible ? "eligible " : ""}${markdownText(roleLabel(finding.roleId))}`;
    const when =
      finding.kind === "lost" ? `**loses** ${role} when pulumi up ends` : `is **without** ${role} while pulumi up runs`;
    return `${who} ${when} (offer "${markdownText(finding.offer)}"`;
  };
  for (const finding of plan.continuity) {
    const key = `${head(finding)} ${causeClass(finding)}`;
    groups.set(key, [...(groups.get(key) ?? []), finding]);
  }
  return [...groups.values()].map((findings) => {
    const [first] = findings;
    const detail =
      findings.length === 1
        ? `${first.kind === "interrupted" ? `from step ${first.from} until step ${first.until}; ` : ""}${markdownText(first.cause)}`
        : markdownText(causeClass(first));
    const scopes = findings.map((finding) => ({
      change: "revoked" as const,
      weakening: false,
      ...located(finding.scope),
    }));
    return `${head(first)}; ${detail}) ${where(customer, scopes)}`;
  });
}

/** What stops the run or cannot be predicted: one line each. */
export function stepWarnings(plan: StepPlan): string[] {
  return plan.steps.flatMap((step, index) => [
    ...(step.fails
      ? [
          `**pulumi up stops at step ${index + 1}** (${STEP_WORDS[step.op]} ${markdownCodeSpan(logicalName(step.urn))}): ${markdownText(step.fails)}`,
        ]
      : []),
    ...(step.unknown
      ? [
          `**step ${index + 1} unknown** (${STEP_WORDS[step.op]} ${markdownCodeSpan(logicalName(step.urn))}): ${markdownText(step.unknown)}`,
        ]
      : []),
  ]);
}

/** At most this many steps are listed in a review (a fleet's retitle has thousands; `--format json` has them all). */
export const LISTED_STEPS = 200;

/** The steps, numbered, for a collapsed section of the review. */
export function stepList(plan: StepPlan): string[] {
  const listed = plan.steps
    .slice(0, LISTED_STEPS)
    .map(
      (step, index) =>
        `${index + 1}. ${STEP_WORDS[step.op]} ${markdownCodeSpan(logicalName(step.urn))} (${markdownText(step.type.split(":").at(-1) ?? "")}): ${markdownText(step.reason)}`,
    );
  const more = plan.steps.length - listed.length;
  return more > 0 ? [...listed, `… and ${more} more steps (npm run diff -- --format json lists them all)`] : listed;
}

/** "3 creates, 1 update" for the steps' summary line. */
export function stepCounts(plan: StepPlan): string {
  const counts = new Map<string, number>();
  for (const step of plan.steps) counts.set(STEP_WORDS[step.op], (counts.get(STEP_WORDS[step.op]) ?? 0) + 1);
  return counts.size ? [...counts].map(([word, count]) => `${count} × ${word}`).join(", ") : "no change";
}
