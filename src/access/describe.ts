import { groupBy } from "../repeats";
import { principalLabel } from "../text";
import type { AccessView, Grant, IdentityRoleView, Principal } from "./view";

/** A principal of an access view, as every plan, review and report names it. */
export const describePrincipal = (principal: Principal) => principalLabel(principal.id, principal.name);

/** One grant on one line: who, which role, what it may assign, and its just-in-time policy. */
export function describeGrant(grant: Grant): string {
  const parts = [`${describePrincipal(grant.principal)}: ${grant.role}`];
  if (grant.delegatedRoles) parts.push(`may assign ${grant.delegatedRoles.join(", ")} to managed identities`);
  if (grant.jit) {
    parts.push(`MFA ${grant.jit.multiFactorAuthProvider}`, `up to ${grant.jit.maximumActivationDuration}`);
    parts.push(
      grant.jit.approvers.length
        ? `approvers: ${grant.jit.approvers.map(describePrincipal).join(", ")}`
        : "no approval",
    );
  }
  return parts.join("; ");
}

const describeRole = (role: IdentityRoleView) =>
  `    role       ${role.role} at ${role.scope}${role.delegated ? " (through Lighthouse)" : ""}`;

/** The access view for people: per subscription, who gets what where; then system-assigned identities. */
export function accessLines(access: AccessView): string[] {
  const lines: string[] = [];
  const subscriptions = [
    ...new Set([
      ...access.delegations.map((delegation) => delegation.subscriptionId),
      ...access.identities.flatMap((identity) => identity.subscriptionId ?? []),
    ]),
  ];
  const delegationsOf = groupBy(access.delegations, (delegation) => delegation.subscriptionId);
  const identitiesOf = groupBy(access.identities, (identity) => identity.subscriptionId ?? "");
  for (const subscriptionId of subscriptions) {
    lines.push("", `Subscription ${subscriptionId}`);
    for (const delegation of delegationsOf.get(subscriptionId) ?? []) {
      const adopted = delegation.adopted ? ", adopting the existing delegation" : "";
      lines.push(
        `  Offer "${delegation.offer}" (managing tenant ${delegation.managedByTenantId}, definition ${delegation.definitionGuid}${adopted})`,
      );
      lines.push(
        `    delegated scopes: ${delegation.scopes.length ? delegation.scopes.join(", ") : "none (no registration assignment)"}`,
      );
      for (const grant of delegation.permanent) lines.push(`    permanent  ${describeGrant(grant)}`);
      for (const grant of delegation.eligible) lines.push(`    eligible   ${describeGrant(grant)}`);
    }
    for (const identity of identitiesOf.get(subscriptionId) ?? []) {
      const details = [
        identity.resourceGroup,
        identity.location,
        identity.isolationScope && `isolation ${identity.isolationScope}`,
      ]
        .filter(Boolean)
        .join(", ");
      lines.push(`  Identity ${identity.name} (${details})`);
      for (const credential of identity.federatedCredentials)
        lines.push(`    federated  ${credential.name}: ${credential.issuer} ${credential.subject}`);
      lines.push(...identity.roleAssignments.map(describeRole));
    }
  }
  for (const delegation of access.managementGroups ?? []) {
    lines.push(
      "",
      `Management group ${delegation.managementGroupId} (every subscription in it, present and future, by Azure Policy)`,
    );
    lines.push(
      `  Offer "${delegation.offer}" (managing tenant ${delegation.managedByTenantId}, definition ${delegation.definitionGuid})`,
    );
    for (const grant of delegation.permanent) lines.push(`    permanent  ${describeGrant(grant)}`);
    for (const grant of delegation.eligible) lines.push(`    eligible   ${describeGrant(grant)}`);
  }
  for (const identity of access.identities.filter((candidate) => candidate.kind === "system-assigned")) {
    lines.push("", `System-assigned identity of ${identity.name}`);
    lines.push(...identity.roleAssignments.map(describeRole));
  }
  return lines;
}
