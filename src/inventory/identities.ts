import type { ArmClient } from "../arm/client";
import { lastSegment, subscriptionOfScope, subscriptionScope } from "../azure/scopes";
import { userAssignedIdentityResourceId, type FederatedCredential } from "../identity/model";
import { roleLabel } from "../roles/catalog";
import { roleGuid } from "../azure/definitions";
import type { ResolvedStack } from "../stack/load";
import { printableLines, quote } from "../text";

/**
 * What the managed-identity API says exists, against what a stack declares: each declared
 * user-assigned identity (and every other identity in the resource groups it names), its
 * federated credentials (all pages) and role assignments, and each referenced resource's
 * system-assigned identity with its role assignments.
 */

export interface FoundRoleAssignment {
  roleDefinitionId: string;
  scope: string;
}

export interface FoundIdentity {
  kind: "user-assigned" | "system-assigned";
  /** The identity's resource id (user-assigned), or the resource whose identity it is (system-assigned). */
  id: string;
  name: string;
  /** False when Azure has no such identity (or the resource has no system-assigned identity). */
  exists: boolean;
  location?: string;
  tags?: Record<string, string>;
  isolationScope?: string;
  principalId?: string;
  clientId?: string;
  federatedCredentials: FederatedCredential[];
  roleAssignments: FoundRoleAssignment[];
}

export interface IdentityInventory {
  identities: FoundIdentity[];
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Role assignments of `principalId` in each subscription of `scopes` (at, above and below them). */
async function roleAssignmentsOf(
  client: ArmClient,
  principalId: string | undefined,
  scopes: string[],
): Promise<FoundRoleAssignment[]> {
  if (!principalId) return [];
  const subscriptions = [...new Set(scopes.map((scope) => subscriptionScope(subscriptionOfScope(scope))))];
  const found = (
    await Promise.all(subscriptions.map((scope) => client.listRoleAssignments(scope, principalId)))
  ).flat();
  const unique = new Map(found.map((assignment) => [assignment.id.toLowerCase(), assignment]));
  return [...unique.values()].map((assignment) => ({
    roleDefinitionId: roleGuid(assignment.properties.roleDefinitionId),
    scope: assignment.properties.scope,
  }));
}

/** Reads every identity the stack declares or that shares a resource group with one. Any failed read fails it all. */
export async function readIdentities(client: ArmClient, stack: ResolvedStack): Promise<IdentityInventory> {
  const groups = new Map<string, { subscriptionId: string; resourceGroup: string }>();
  for (const identity of stack.identities)
    groups.set(`${identity.subscriptionId}/${identity.resourceGroup}`.toLowerCase(), identity);
  const listed = (
    await Promise.all(
      [...groups.values()].map((group) => client.listUserAssignedIdentities(group.subscriptionId, group.resourceGroup)),
    )
  ).flat();

  const identities: FoundIdentity[] = [];
  const declaredIds = new Set(
    stack.identities.map((identity) =>
      userAssignedIdentityResourceId(identity.subscriptionId, identity.resourceGroup, identity.name).toLowerCase(),
    ),
  );
  for (const identity of stack.identities) {
    const id = userAssignedIdentityResourceId(identity.subscriptionId, identity.resourceGroup, identity.name);
    if (!listed.some((found) => same(found.id, id)))
      identities.push({
        kind: "user-assigned",
        id,
        name: identity.name,
        exists: false,
        federatedCredentials: [],
        roleAssignments: [],
      });
  }
  for (const found of listed) {
    const declared = stack.identities.find((identity) =>
      same(userAssignedIdentityResourceId(identity.subscriptionId, identity.resourceGroup, identity.name), found.id),
    );
    const credentials = await client.listFederatedCredentials(found.id);
    const scopes = [found.id, ...(declared?.roleAssignments.map((assignment) => assignment.scope) ?? [])];
    identities.push({
      kind: "user-assigned",
      id: found.id,
      name: found.name,
      exists: true,
      location: found.location,
      ...(found.tags ? { tags: found.tags } : {}),
      ...(found.properties.isolationScope ? { isolationScope: found.properties.isolationScope } : {}),
      ...(found.properties.principalId ? { principalId: found.properties.principalId } : {}),
      ...(found.properties.clientId ? { clientId: found.properties.clientId } : {}),
      federatedCredentials: credentials.map((credential) => ({ name: credential.name, ...credential.properties })),
      roleAssignments: await roleAssignmentsOf(client, found.properties.principalId, scopes),
    });
  }
  for (const system of stack.systemAssignedIdentities) {
    const identity = await client.getSystemAssignedIdentity(system.resourceId);
    const scopes = [system.resourceId, ...system.roleAssignments.map((assignment) => assignment.scope)];
    identities.push({
      kind: "system-assigned",
      id: system.resourceId,
      name: lastSegment(system.resourceId),
      exists: identity !== undefined,
      ...(identity ? { principalId: identity.principalId } : {}),
      federatedCredentials: [],
      roleAssignments: await roleAssignmentsOf(client, identity?.principalId, scopes),
    });
  }
  // Declared identities first, in the stack's order; then the ones nobody declared.
  const order = (identity: FoundIdentity) =>
    declaredIds.has(identity.id.toLowerCase()) || identity.kind === "system-assigned" ? 0 : 1;
  return { identities: identities.sort((a, b) => order(a) - order(b)) };
}

/** Kinds of identity drift, in report order: access nobody reviewed comes first. */
export const IDENTITY_DRIFT_KINDS = [
  "extra-credential",
  "extra-role-assignment",
  "extra-identity",
  "missing-identity",
  "missing-credential",
  "missing-role-assignment",
  "changed-identity",
  "changed-credential",
] as const;
export type IdentityDriftKind = (typeof IDENTITY_DRIFT_KINDS)[number];

export interface IdentityDrift {
  kind: IdentityDriftKind;
  /** The identity's resource id (user-assigned) or its resource's id (system-assigned). */
  identity: string;
  message: string;
}

const roleText = (assignment: FoundRoleAssignment) =>
  `${roleLabel(assignment.roleDefinitionId)} at ${assignment.scope}`;
const roleKey = (assignment: FoundRoleAssignment) =>
  `${roleGuid(assignment.roleDefinitionId)} ${assignment.scope.toLowerCase()}`;
const trust = (credential: FederatedCredential) =>
  `${credential.issuer} subject ${quote(credential.subject)} audiences ${credential.audiences.join(", ")}`;
const canonicalLocation = (location: string) => location.replace(/\s+/g, "").toLowerCase();

/** Declared against found: every difference, extras first. */
export function compareIdentities(stack: ResolvedStack, inventory: IdentityInventory): IdentityDrift[] {
  const drift: IdentityDrift[] = [];
  const find = (id: string, kind: FoundIdentity["kind"]) =>
    inventory.identities.find((identity) => identity.kind === kind && same(identity.id, id));
  const compareRoles = (identity: string, declared: FoundRoleAssignment[], found: FoundRoleAssignment[]) => {
    const wanted = new Set(declared.map(roleKey));
    const present = new Set(found.map(roleKey));
    for (const assignment of found)
      if (!wanted.has(roleKey(assignment)))
        drift.push({
          kind: "extra-role-assignment",
          identity,
          message: `holds ${roleText(assignment)}, which the stack does not declare`,
        });
    for (const assignment of declared)
      if (!present.has(roleKey(assignment)))
        drift.push({ kind: "missing-role-assignment", identity, message: `lacks ${roleText(assignment)}` });
  };

  const declaredIds = new Set<string>();
  for (const declared of stack.identities) {
    const id = userAssignedIdentityResourceId(declared.subscriptionId, declared.resourceGroup, declared.name);
    declaredIds.add(id.toLowerCase());
    const found = find(id, "user-assigned");
    if (!found?.exists) {
      drift.push({ kind: "missing-identity", identity: id, message: "declared, but Azure has no such identity" });
      continue;
    }
    const changes: string[] = [];
    if (found.location !== undefined && canonicalLocation(found.location) !== canonicalLocation(declared.location))
      changes.push(`location is ${found.location}, not ${declared.location}`);
    if (
      JSON.stringify(Object.entries(found.tags ?? {}).sort()) !==
      JSON.stringify(Object.entries(declared.tags ?? {}).sort())
    ) {
      changes.push(`tags are ${JSON.stringify(found.tags ?? {})}, not ${JSON.stringify(declared.tags ?? {})}`);
    }
    if (declared.isolationScope !== undefined && (found.isolationScope ?? "None") !== declared.isolationScope)
      changes.push(`isolationScope is ${found.isolationScope ?? "None"}, not ${declared.isolationScope}`);
    for (const change of changes) drift.push({ kind: "changed-identity", identity: id, message: change });

    const wanted = new Map(
      declared.federatedCredentials.map((credential) => [credential.name.toLowerCase(), credential]),
    );
    for (const credential of found.federatedCredentials) {
      const should = wanted.get(credential.name.toLowerCase());
      if (!should) {
        drift.push({
          kind: "extra-credential",
          identity: id,
          message: `credential ${quote(credential.name)} trusts ${trust(credential)}, which the stack does not declare`,
        });
        continue;
      }
      wanted.delete(credential.name.toLowerCase());
      const audiences = (list: string[]) => [...list].sort().join(" ");
      if (
        should.issuer !== credential.issuer ||
        should.subject !== credential.subject ||
        audiences(should.audiences) !== audiences(credential.audiences)
      ) {
        drift.push({
          kind: "changed-credential",
          identity: id,
          message: `credential ${quote(credential.name)} trusts ${trust(credential)}; the stack declares ${trust(should)}`,
        });
      }
    }
    for (const credential of wanted.values())
      drift.push({
        kind: "missing-credential",
        identity: id,
        message: `credential ${quote(credential.name)} (${trust(credential)}) is declared but missing`,
      });
    compareRoles(id, declared.roleAssignments, found.roleAssignments);
  }

  for (const found of inventory.identities.filter(
    (identity) => identity.kind === "user-assigned" && identity.exists && !declaredIds.has(identity.id.toLowerCase()),
  )) {
    drift.push({
      kind: "extra-identity",
      identity: found.id,
      message: `not declared by the stack; it has ${found.federatedCredentials.length} federated credential(s) and ${found.roleAssignments.length} role assignment(s)`,
    });
  }

  for (const declared of stack.systemAssignedIdentities) {
    const found = find(declared.resourceId, "system-assigned");
    if (!found?.exists) {
      drift.push({
        kind: "missing-identity",
        identity: declared.resourceId,
        message: "the resource has no system-assigned identity (or does not exist)",
      });
      continue;
    }
    compareRoles(declared.resourceId, declared.roleAssignments, found.roleAssignments);
  }
  const rank = (kind: IdentityDriftKind) => IDENTITY_DRIFT_KINDS.indexOf(kind);
  return drift.sort(
    (a, b) => rank(a.kind) - rank(b.kind) || a.identity.localeCompare(b.identity) || a.message.localeCompare(b.message),
  );
}

export function identityDriftText(drift: IdentityDrift[]): string {
  const lines = [
    drift.length ? `Identity drift: ${drift.length} finding(s)` : "In sync: Azure matches the stack's identities.",
  ];
  for (const item of drift) lines.push(`  ${item.kind.padEnd(23)} ${item.identity}: ${item.message}`);
  return printableLines(lines);
}

export function identityInventoryText(inventory: IdentityInventory): string {
  const lines: string[] = [];
  for (const identity of inventory.identities) {
    if (!identity.exists) {
      lines.push(
        `${identity.kind === "system-assigned" ? "System-assigned identity of" : "Identity"} ${identity.id}: not found`,
      );
      continue;
    }
    if (identity.kind === "system-assigned")
      lines.push(`System-assigned identity of ${identity.id}: principal ${identity.principalId ?? "?"}`);
    else {
      const details = [
        identity.location,
        identity.isolationScope && `isolation ${identity.isolationScope}`,
        `principal ${identity.principalId ?? "?"}`,
        `client ${identity.clientId ?? "?"}`,
      ]
        .filter(Boolean)
        .join(", ");
      lines.push(`Identity ${identity.id} (${details})`);
      if (identity.tags && Object.keys(identity.tags).length)
        lines.push(`    tags       ${JSON.stringify(identity.tags)}`);
    }
    for (const credential of identity.federatedCredentials)
      lines.push(`    federated  ${credential.name}: ${trust(credential)}`);
    for (const assignment of identity.roleAssignments) lines.push(`    role       ${roleText(assignment)}`);
  }
  return printableLines(lines.length ? lines : ["The stack declares no identities."]);
}
