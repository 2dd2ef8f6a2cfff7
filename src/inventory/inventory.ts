import { ArmError, type ArmClient } from "../arm/client";
import { inPool } from "../pool";
import { groupBy } from "../repeats";
import { registrationAssignmentModel, registrationDefinitionModel } from "../arm/models";
import { printableLines } from "../text";
import type { RegistrationAssignment, RegistrationDefinition } from "../arm/models";
import { assignedDefinitionKey, definitionKey } from "../delegation";
import { scopeOfExtensionResource, subscriptionOfScope, subscriptionScope } from "../azure/scopes";
import { delegationViewOf, type DelegationView } from "../access/view";
import { describeGrant } from "../access/describe";

/** A delegation found in Azure: the definition with where it is assigned and who made it. */
export interface FoundDelegation extends DelegationView {
  definitionId: string;
  /** Each assignment of the definition: where, and its GUID. */
  assignments: Array<{ scope: string; guid: string }>;
  managedByTenantName?: string;
  provisioningState?: string;
  systemData?: RegistrationDefinition["systemData"];
}

export interface Inventory {
  /** The scopes read: each subscription, and the resource groups asked about. */
  scopes: string[];
  delegations: FoundDelegation[];
}

/**
 * Reads what is delegated at `scopes`: registration definitions of each subscription, and
 * assignments (definitions expanded) at each scope. Any failed read fails the whole inventory:
 * a partial list is never presented as complete.
 */
export async function readInventory(
  client: ArmClient,
  scopes: string[],
  managedByTenantIds: string[] = [],
): Promise<Inventory> {
  const subscriptions = [...new Set(scopes.map((scope) => subscriptionScope(subscriptionOfScope(scope))))];
  const definitions = (
    await inPool(subscriptions, 8, (scope) => client.listRegistrationDefinitions(scope, managedByTenantIds))
  ).flat();
  // Managing tenants filter the definitions; assignments carry no tenant of their own, so every
  // assignment is read and each kept with the definition it references.
  const assignments = (
    await inPool(scopes, 8, (scope) =>
      client.listRegistrationAssignments(scope, { expandRegistrationDefinition: true }),
    )
  ).flat();
  return { scopes, delegations: foundDelegations(definitions, assignments) };
}

/** Resource Graph's table of Microsoft.ManagedServices resources, across every visible subscription. */
const FLEET_QUERY =
  "managedservicesresources | where type in~ ('microsoft.managedservices/registrationdefinitions', 'microsoft.managedservices/registrationassignments') | project id, name, type, properties";

/**
 * Every delegation the caller can see, in one Azure Resource Graph query instead of two list
 * calls per subscription: from the managing tenant, every customer's delegations to it.
 */
export async function readFleetInventory(client: ArmClient, managedByTenantIds: string[] = []): Promise<Inventory> {
  const rows = await client.queryResourceGraph(FLEET_QUERY);
  const parse = <T>(
    model: {
      safeParse(
        value: unknown,
      ):
        | { success: true; data: T }
        | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } };
    },
    row: unknown,
  ): T => {
    const parsed = model.safeParse(row);
    if (!parsed.success)
      throw new ArmError(
        `unexpected row from Resource Graph: ${parsed.error.issues[0].path.join(".")}: ${parsed.error.issues[0].message}`,
        "InvalidResponse",
      );
    return parsed.data;
  };
  const typeOf = (row: Record<string, unknown>) => String(row.type).toLowerCase();
  const wanted = new Set(managedByTenantIds.map((id) => id.toLowerCase()));
  const definitions = rows
    .filter((row) => typeOf(row) === "microsoft.managedservices/registrationdefinitions")
    .map((row) => parse(registrationDefinitionModel, row))
    .filter((definition) => wanted.size === 0 || wanted.has(definition.properties.managedByTenantId.toLowerCase()));
  const assignments = rows
    .filter((row) => typeOf(row) === "microsoft.managedservices/registrationassignments")
    .map((row) => parse(registrationAssignmentModel, row));
  const scopes = [
    ...new Set(definitions.map((definition) => subscriptionScope(subscriptionOfScope(definition.id)))),
  ].sort();
  return { scopes, delegations: foundDelegations(definitions, assignments) };
}

/** Each definition with the assignments that point to it, indexed once: linear in the fleet's size. */
function foundDelegations(
  definitions: RegistrationDefinition[],
  assignments: RegistrationAssignment[],
): FoundDelegation[] {
  const byDefinition = groupBy(
    assignments,
    (assignment) => assignedDefinitionKey(assignment.id, assignment.properties.registrationDefinitionId) ?? "",
  );
  return definitions.map((definition) =>
    foundDelegation(
      definition,
      byDefinition.get(definitionKey(subscriptionOfScope(definition.id), definition.name)) ?? [],
    ),
  );
}

/** A definition with the assignments that point to it. */
function foundDelegation(definition: RegistrationDefinition, assignments: RegistrationAssignment[]): FoundDelegation {
  const assigned = assignments.map((assignment) => ({
    scope: scopeOfExtensionResource(assignment.id, "Microsoft.ManagedServices"),
    guid: assignment.name.toLowerCase(),
  }));
  return {
    ...delegationViewOf(
      subscriptionOfScope(definition.id),
      definition.name.toLowerCase(),
      definition.properties,
      assigned.map((assignment) => assignment.scope),
    ),
    definitionId: definition.id,
    assignments: assigned,
    ...(definition.properties.managedByTenantName
      ? { managedByTenantName: definition.properties.managedByTenantName }
      : {}),
    ...(definition.properties.provisioningState ? { provisioningState: definition.properties.provisioningState } : {}),
    ...(definition.systemData ? { systemData: definition.systemData } : {}),
  };
}

export function inventoryText(inventory: Inventory): string {
  const lines: string[] = [];
  const subscriptions = [...new Set(inventory.scopes.map(subscriptionOfScope))];
  const delegationsOf = groupBy(inventory.delegations, (delegation) => delegation.subscriptionId);
  for (const subscriptionId of subscriptions) {
    lines.push(`Subscription ${subscriptionId}`);
    const found = delegationsOf.get(subscriptionId) ?? [];
    if (found.length === 0) lines.push("  no delegations");
    for (const delegation of found) {
      const tenant = delegation.managedByTenantName
        ? `${delegation.managedByTenantName} (${delegation.managedByTenantId})`
        : delegation.managedByTenantId;
      lines.push(`  "${delegation.offer}" managed by ${tenant}: ${delegation.provisioningState ?? "state unknown"}`);
      lines.push(
        `    definition ${delegation.definitionGuid}, assigned at ${delegation.scopes.length ? delegation.scopes.join(", ") : "no scope (definition without assignment)"}`,
      );
      for (const grant of delegation.permanent) lines.push(`    permanent  ${describeGrant(grant)}`);
      for (const grant of delegation.eligible) lines.push(`    eligible   ${describeGrant(grant)}`);
      const system = delegation.systemData;
      if (system?.createdBy || system?.lastModifiedBy) {
        lines.push(
          `    created by ${system.createdBy ?? "?"} at ${system.createdAt ?? "?"}; last modified by ${system.lastModifiedBy ?? "?"} at ${system.lastModifiedAt ?? "?"}`,
        );
      }
    }
  }
  return printableLines(lines);
}
