import { durationSeconds } from "../duration";
import type { AccessView, DelegationView, Grant, IdentityView } from "./access";
import { describePrincipal } from "./plan";
import { markdownText } from "../text";

/**
 * The access review: what changes between two access views, in the sentences a reviewer
 * reads ("X gains Contributor on Fabrikam (3 subscriptions)"). Grants are aggregated across
 * subscriptions; JIT, approver and delegated-role changes are named one by one.
 */

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;
const principalOf = (grant: Grant) => `**${markdownText(grant.principal.name ?? grant.principal.id)}** (${grant.principal.id})`;
const principalText = (principal: Grant["principal"]) => markdownText(describePrincipal(principal));
const offerText = (delegation: DelegationView) => `"${markdownText(delegation.offer)}"`;

/** Every grant of a view, keyed by principal, role and kind, with the subscriptions it covers. */
function grantsBySubscription(view: AccessView | undefined) {
  const grants = new Map<string, { grant: Grant; eligible: boolean; subscriptions: Map<string, Grant> }>();
  for (const delegation of view?.delegations ?? []) {
    for (const [eligible, list] of [[false, delegation.permanent], [true, delegation.eligible]] as const) {
      for (const grant of list) {
        const key = `${grant.principal.id} ${grant.roleId} ${eligible}`;
        const entry = grants.get(key) ?? { grant, eligible, subscriptions: new Map<string, Grant>() };
        entry.subscriptions.set(`${delegation.subscriptionId} ${delegation.offer}`, grant);
        grants.set(key, entry);
      }
    }
  }
  return grants;
}

/** Sentences that aggregate by text: the same change in 3 subscriptions is one line. */
class Sentences {
  private readonly counts = new Map<string, Set<string>>();
  add(sentence: string, subscription: string) {
    this.counts.set(sentence, (this.counts.get(sentence) ?? new Set()).add(subscription.split(" ")[0]));
  }
  lines(customer: string): string[] {
    return [...this.counts].map(([sentence, subscriptions]) => `${sentence} on ${markdownText(customer)} (${plural(subscriptions.size, "subscription")})`);
  }
}

function jitChanges(before: NonNullable<Grant["jit"]>, after: NonNullable<Grant["jit"]>): string[] {
  const changes: string[] = [];
  if (before.maximumActivationDuration !== after.maximumActivationDuration) {
    const raised = (durationSeconds(after.maximumActivationDuration) ?? 0) > (durationSeconds(before.maximumActivationDuration) ?? 0);
    changes.push(`JIT duration ${raised ? "**raised**" : "lowered"} from ${before.maximumActivationDuration} to ${after.maximumActivationDuration}`);
  }
  if (before.multiFactorAuthProvider !== after.multiFactorAuthProvider) {
    const weakened = before.multiFactorAuthProvider === "Azure" && after.multiFactorAuthProvider === "None";
    changes.push(`JIT MFA ${weakened ? "**weakened**" : "changed"} from ${before.multiFactorAuthProvider} to ${after.multiFactorAuthProvider}`);
  }
  const ids = (list: Grant["principal"][]) => new Set(list.map((approver) => approver.id));
  for (const approver of after.approvers.filter((candidate) => !ids(before.approvers).has(candidate.id))) changes.push(`approver ${principalText(approver)} added`);
  for (const approver of before.approvers.filter((candidate) => !ids(after.approvers).has(candidate.id))) changes.push(`approver ${principalText(approver)} removed`);
  return changes;
}

function grantChanges(base: AccessView | undefined, head: AccessView | undefined, customer: string): string[] {
  const before = grantsBySubscription(base);
  const after = grantsBySubscription(head);
  const sentences = new Sentences();
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const was = before.get(key);
    const is = after.get(key);
    const { grant, eligible } = (is ?? was)!;
    const kind = eligible ? "eligible " : "";
    for (const subscription of is?.subscriptions.keys() ?? []) {
      if (!was?.subscriptions.has(subscription)) sentences.add(`${principalOf(grant)} **gains** ${kind}${grant.role}`, subscription);
    }
    for (const subscription of was?.subscriptions.keys() ?? []) {
      if (!is?.subscriptions.has(subscription)) sentences.add(`${principalOf(grant)} **loses** ${kind}${grant.role}`, subscription);
    }
    for (const [subscription, newGrant] of is?.subscriptions ?? []) {
      const oldGrant = was?.subscriptions.get(subscription);
      if (!oldGrant) continue;
      if (oldGrant.jit && newGrant.jit) {
        for (const change of jitChanges(oldGrant.jit, newGrant.jit)) sentences.add(`${principalOf(grant)} (eligible ${grant.role}): ${change}`, subscription);
      }
      const oldDelegated = new Set(oldGrant.delegatedRoles ?? []);
      const newDelegated = new Set(newGrant.delegatedRoles ?? []);
      for (const role of newDelegated) if (!oldDelegated.has(role)) sentences.add(`${principalOf(grant)} **may now assign** ${role} to managed identities`, subscription);
      for (const role of oldDelegated) if (!newDelegated.has(role)) sentences.add(`${principalOf(grant)} may no longer assign ${role}`, subscription);
    }
  }
  return sentences.lines(customer);
}

function delegationChanges(base: AccessView | undefined, head: AccessView | undefined): string[] {
  const key = (delegation: DelegationView) => `${delegation.subscriptionId} ${delegation.offer}`;
  const before = new Map((base?.delegations ?? []).map((delegation) => [key(delegation), delegation]));
  const after = new Map((head?.delegations ?? []).map((delegation) => [key(delegation), delegation]));
  const lines: string[] = [];
  for (const [name, delegation] of after) {
    const old = before.get(name);
    if (!old) {
      lines.push(`delegation **added**: offer ${offerText(delegation)} in subscription ${delegation.subscriptionId} (${delegation.scopes.join(", ")})`);
      continue;
    }
    if (old.managedByTenantId !== delegation.managedByTenantId) {
      lines.push(`offer ${offerText(delegation)} in subscription ${delegation.subscriptionId}: **managing tenant changed** from ${old.managedByTenantId} to ${delegation.managedByTenantId} (the delegation is replaced: removed, then created)`);
    }
    for (const scope of delegation.scopes.filter((candidate) => !old.scopes.includes(candidate))) lines.push(`offer ${offerText(delegation)} now also covers ${scope}`);
    for (const scope of old.scopes.filter((candidate) => !delegation.scopes.includes(candidate))) lines.push(`offer ${offerText(delegation)} no longer covers ${scope}`);
  }
  for (const [name, delegation] of before) {
    if (!after.has(name)) lines.push(`delegation **removed**: offer ${offerText(delegation)} from subscription ${delegation.subscriptionId}`);
  }
  return lines;
}

function identityChanges(base: AccessView | undefined, head: AccessView | undefined): string[] {
  const key = (identity: IdentityView) => `${identity.subscriptionId ?? ""}/${identity.resourceGroup ?? ""}/${identity.name}`;
  const before = new Map((base?.identities ?? []).map((identity) => [key(identity), identity]));
  const after = new Map((head?.identities ?? []).map((identity) => [key(identity), identity]));
  const lines: string[] = [];
  for (const [name, identity] of after) {
    const old = before.get(name);
    if (!old) lines.push(`identity **added**: ${markdownText(identity.name)}`);
    const roles = (view?: IdentityView) => new Set((view?.roleAssignments ?? []).map((role) => `${role.role} at ${role.scope}${role.delegated ? " (through Lighthouse)" : ""}`));
    const trusts = (view?: IdentityView) => new Set((view?.federatedCredentials ?? []).map((credential) => `${credential.issuer} ${credential.subject}`));
    for (const role of roles(identity)) if (!roles(old).has(role)) lines.push(`identity ${markdownText(identity.name)} **gains** ${markdownText(role)}`);
    for (const role of roles(old)) if (!roles(identity).has(role)) lines.push(`identity ${markdownText(identity.name)} **loses** ${markdownText(role)}`);
    for (const trust of trusts(identity)) if (!trusts(old).has(trust)) lines.push(`identity ${markdownText(identity.name)} **now trusts** tokens from ${markdownText(trust)}`);
    for (const trust of trusts(old)) if (!trusts(identity).has(trust)) lines.push(`identity ${markdownText(identity.name)} no longer trusts ${markdownText(trust)}`);
  }
  for (const [name, identity] of before) if (!after.has(name)) lines.push(`identity **removed**: ${markdownText(identity.name)} (and its role assignments)`);
  return lines;
}

/** Every access change between two views of one customer, in review order. */
export function accessChanges(base: AccessView | undefined, head: AccessView | undefined, customer: string): string[] {
  return [...delegationChanges(base, head), ...grantChanges(base, head, customer), ...identityChanges(base, head)];
}
