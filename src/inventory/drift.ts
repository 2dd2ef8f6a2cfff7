import type { DelegationView, Grant } from "../access/view";
import { printableLines } from "../text";
import { describeGrant, describePrincipal } from "../access/describe";
import type { ResolvedStack } from "../stack/load";
import { expectedDelegations } from "./expected";
import type { FoundDelegation, Inventory } from "./inventory";

export type DriftKind =
  | "missing-delegation"
  | "missing-assignment"
  | "extra-delegation"
  | "definition-without-assignment"
  | "authorization-added"
  | "authorization-removed"
  | "authorization-changed"
  | "jit-changed";

export interface Drift {
  kind: DriftKind;
  subscriptionId: string;
  offer: string;
  message: string;
}

export interface DriftReport {
  drift: Drift[];
  /** Delegations to other managing tenants: not drift, listed for the record. */
  foreign: FoundDelegation[];
}

const grantKey = (grant: Grant) => `${grant.principal.id} ${grant.roleId}`;
const jitText = (grant: Grant) =>
  grant.jit
    ? `MFA ${grant.jit.multiFactorAuthProvider}, up to ${grant.jit.maximumActivationDuration}, approvers ${
        grant.jit.approvers
          .map((approver) => approver.id)
          .sort()
          .join(" ") || "none"
      }`
    : "";

function compareGrants(
  expected: Grant[],
  actual: Grant[],
  eligible: boolean,
  report: (kind: DriftKind, message: string) => void,
) {
  const label = eligible ? "eligible " : "";
  const wanted = new Map(expected.map((grant) => [grantKey(grant), grant]));
  const found = new Map(actual.map((grant) => [grantKey(grant), grant]));
  for (const [key, grant] of found) {
    const should = wanted.get(key);
    if (!should) {
      report("authorization-added", `${label}authorization in Azure but not in the offer: ${describeGrant(grant)}`);
      continue;
    }
    if (
      (should.principal.name ?? "") !== (grant.principal.name ?? "") ||
      [...(should.delegatedRoles ?? [])].sort().join() !== [...(grant.delegatedRoles ?? [])].sort().join()
    ) {
      report(
        "authorization-changed",
        `${label}authorization differs: offer has ${describeGrant(should)}; Azure has ${describeGrant(grant)}`,
      );
    }
    if (eligible && jitText(should) !== jitText(grant)) {
      report(
        "jit-changed",
        `just-in-time policy of ${describePrincipal(grant.principal)} (${grant.role}) differs: offer has ${jitText(should)}; Azure has ${jitText(grant)}`,
      );
    }
  }
  for (const [key, grant] of wanted)
    if (!found.has(key))
      report("authorization-removed", `${label}authorization in the offer but not in Azure: ${describeGrant(grant)}`);
}

/**
 * What is deployed against what the stack's offers would deploy. Delegations of the stack's
 * managing tenants are compared; those of other tenants are listed apart, never as drift.
 */
export function compareDelegations(expected: DelegationView[], actual: FoundDelegation[]): DriftReport {
  const ourTenants = new Set(expected.map((delegation) => delegation.managedByTenantId));
  const key = (delegation: DelegationView) => `${delegation.subscriptionId} ${delegation.definitionGuid}`;
  const found = new Map(
    actual
      .filter((delegation) => ourTenants.has(delegation.managedByTenantId))
      .map((delegation) => [key(delegation), delegation]),
  );
  const drift: Drift[] = [];

  for (const should of expected) {
    const report = (kind: DriftKind, message: string) =>
      drift.push({ kind, subscriptionId: should.subscriptionId, offer: should.offer, message });
    const is = found.get(key(should));
    if (!is) {
      report(
        "missing-delegation",
        should.managementGroupId
          ? `not delegated yet: no registration definition ${should.definitionGuid} in this subscription of management group ${should.managementGroupId} (its policy deploys it when it evaluates the subscription, or by a remediation)`
          : `not delegated: no registration definition ${should.definitionGuid} in the subscription`,
      );
      continue;
    }
    found.delete(key(should));
    if (is.scopes.length === 0)
      report(
        "definition-without-assignment",
        `definition ${should.definitionGuid} exists but is assigned nowhere (half-finished onboarding?)`,
      );
    const assigned = new Set(is.scopes.map((scope) => scope.toLowerCase()));
    for (const scope of should.scopes)
      if (is.scopes.length > 0 && !assigned.has(scope.toLowerCase()))
        report("missing-assignment", `not assigned at ${scope}`);
    compareGrants(should.permanent, is.permanent, false, report);
    compareGrants(should.eligible, is.eligible, true, report);
  }
  for (const extra of found.values()) {
    drift.push({
      kind: extra.scopes.length ? "extra-delegation" : "definition-without-assignment",
      subscriptionId: extra.subscriptionId,
      offer: extra.offer,
      message: extra.scopes.length
        ? `delegated in Azure (definition ${extra.definitionGuid}, at ${extra.scopes.join(", ")}) but by no offer of this stack`
        : `definition ${extra.definitionGuid} of this managing tenant is assigned nowhere and belongs to no offer of this stack`,
    });
  }
  return {
    drift: drift.sort(
      (a, b) =>
        a.subscriptionId.localeCompare(b.subscriptionId) ||
        a.offer.localeCompare(b.offer) ||
        a.kind.localeCompare(b.kind) ||
        a.message.localeCompare(b.message),
    ),
    foreign: actual.filter((delegation) => !ourTenants.has(delegation.managedByTenantId)),
  };
}

export function driftText(report: DriftReport): string {
  const lines = [
    report.drift.length ? `Drift: ${report.drift.length} finding(s)` : "In sync: Azure matches the offers.",
  ];
  for (const item of report.drift)
    lines.push(`  ${item.kind.padEnd(29)} ${item.subscriptionId} "${item.offer}": ${item.message}`);
  if (report.foreign.length) {
    lines.push("", "Delegations to other managing tenants (not drift):");
    for (const delegation of report.foreign) {
      lines.push(
        `  ${delegation.subscriptionId} "${delegation.offer}" managed by ${delegation.managedByTenantName ?? ""} (${delegation.managedByTenantId}) at ${delegation.scopes.join(", ") || "no scope"}`,
      );
    }
  }
  return printableLines(lines);
}

export interface FleetDriftReport {
  /** Each stack that deploys delegations (onboarding mode), against its own subscriptions. */
  stacks: Array<{ stack: string; report: DriftReport }>;
  /** Delegations to the stacks' managing tenants in subscriptions no stack lists. */
  unclaimed: FoundDelegation[];
}

/** Every onboarding stack against what Azure holds in its subscriptions, and what no stack claims. */
export function compareFleet(stacks: ResolvedStack[], inventory: Inventory): FleetDriftReport {
  const deploying = stacks.filter(
    (stack) => stack.mode === "onboarding" && (stack.subscriptions.length > 0 || stack.managementGroups.length > 0),
  );
  const claimed = new Set(
    deploying.flatMap((stack) => stack.subscriptions.map((subscription) => subscription.subscriptionId.toLowerCase())),
  );
  const tenants = new Set(
    deploying.flatMap((stack) => [
      ...stack.subscriptions.flatMap((subscription) =>
        subscription.delegations.map(({ offer }) => offer.managedByTenantId),
      ),
      ...stack.managementGroups.map(({ offer }) => offer.managedByTenantId),
    ]),
  );
  // A management group's subscriptions cannot be listed from the managing tenant: a subscription
  // no stack lists that holds a delegation of a stack's management-group offer (its definition
  // GUID) is taken as that policy's, with everything delegated there, at the first such stack.
  const policies = deploying.flatMap((stack) => stack.managementGroups.map((group) => ({ stack, group })));
  const byPolicy = new Map<ResolvedStack, Map<string, string[]>>();
  const attributed = new Set<string>();
  for (const delegation of inventory.delegations) {
    if (claimed.has(delegation.subscriptionId) || attributed.has(delegation.subscriptionId)) continue;
    const owner = policies.find(({ group }) => group.offer.definitionGuid === delegation.definitionGuid);
    if (!owner) continue;
    attributed.add(delegation.subscriptionId);
    const groups = byPolicy.get(owner.stack) ?? new Map<string, string[]>();
    groups.set(owner.group.managementGroupId, [
      ...(groups.get(owner.group.managementGroupId) ?? []),
      delegation.subscriptionId,
    ]);
    byPolicy.set(owner.stack, groups);
  }
  const unclaimed = inventory.delegations.filter(
    (delegation) =>
      tenants.has(delegation.managedByTenantId) &&
      !claimed.has(delegation.subscriptionId) &&
      !attributed.has(delegation.subscriptionId),
  );
  return {
    stacks: deploying.map((stack) => {
      const groups = byPolicy.get(stack) ?? new Map<string, string[]>();
      const mine = new Set([
        ...stack.subscriptions.map((subscription) => subscription.subscriptionId.toLowerCase()),
        ...[...groups.values()].flat(),
      ]);
      return {
        stack: stack.stackName,
        report: compareDelegations(
          expectedDelegations(stack, groups),
          inventory.delegations.filter((delegation) => mine.has(delegation.subscriptionId)),
        ),
      };
    }),
    unclaimed,
  };
}

export const fleetHasDrift = (report: FleetDriftReport) =>
  report.unclaimed.length > 0 || report.stacks.some((item) => item.report.drift.length > 0);

export function fleetDriftText(report: FleetDriftReport): string {
  const lines: string[] = [];
  for (const { stack, report: drift } of report.stacks) {
    const [first, ...rest] = driftText(drift).split("\n");
    lines.push(`Stack ${stack}: ${first}`, ...rest.map((line) => (line ? `  ${line}` : "")));
  }
  if (report.unclaimed.length > 0) {
    lines.push(`Delegated to your managing tenant(s) but in no stack: ${report.unclaimed.length}`);
    for (const delegation of report.unclaimed)
      lines.push(
        `  ${delegation.subscriptionId} "${delegation.offer}" (definition ${delegation.definitionGuid}) at ${delegation.scopes.join(", ") || "no scope"}`,
      );
  }
  return printableLines(lines);
}
