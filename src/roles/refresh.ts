import { hasUnprintable, printable } from "../text";
import { z } from "zod";
import { permissionModel, type RoleDefinition } from "../arm/models";
import { isGuid } from "../azure/guid";
import type { BuiltInRole, RoleCatalogFile } from "./catalog";
import { earnsPartnerCredit, lighthouseRoleSupport, type PermissionBlock } from "./support";

/**
 * The role catalog, rebuilt from its source: Azure's built-in role definitions with their real
 * permissions, read live from ARM or from `az role definition list` output, each given its
 * Lighthouse verdict by src/roles/support.ts. What changed is reported role by role.
 */

/** One built-in role and its permissions, whichever source it came from. */
export interface SourceRole {
  id: string;
  name: string;
  permissions: PermissionBlock[];
}

const azRoleModel = z.looseObject({
  name: z.string(),
  roleName: z.string(),
  roleType: z.string(),
  permissions: z.array(permissionModel),
});

/** `az role definition list` prints an array; the project's reference snapshot wraps it as {source, roles}. */
export const azRoleListModel = z.union([z.array(azRoleModel), z.looseObject({ roles: z.array(azRoleModel) })]);

/** The built-in roles of `az role definition list` output (custom roles are left out). */
export function rolesFromAzList(list: z.output<typeof azRoleListModel>): SourceRole[] {
  const roles = Array.isArray(list) ? list : list.roles;
  return roles
    .filter((role) => role.roleType === "BuiltInRole")
    .map((role) => ({ id: role.name, name: role.roleName, permissions: role.permissions }));
}

/** The built-in roles of ARM's role definitions list. */
export function rolesFromArm(definitions: RoleDefinition[]): SourceRole[] {
  return definitions
    .filter((definition) => definition.properties.type === "BuiltInRole")
    .map((definition) => ({
      id: definition.name,
      name: definition.properties.roleName,
      permissions: definition.properties.permissions,
    }));
}

/** The catalog for `roles`, sorted by name; a role whose id is no GUID is refused (the source is wrong). */
export function buildCatalog(roles: SourceRole[], source: string): RoleCatalogFile {
  const notGuid = roles.find((role) => !isGuid(role.id));
  if (notGuid) throw new CatalogSourceError(`role '${notGuid.name}' has the id '${notGuid.id}', which is not a GUID`);
  if (roles.length === 0) throw new CatalogSourceError("the source lists no built-in role");
  // The catalog is committed and read by people: a name with controls or bidirectional marks is no role's.
  const unprintable = roles.find((role) => hasUnprintable(role.name));
  if (unprintable)
    throw new CatalogSourceError(
      `role ${unprintable.id} has a name with control or bidirectional characters ('${printable(unprintable.name)}'); refused`,
    );
  const seen = new Set<string>();
  for (const role of roles) {
    if (seen.has(role.id.toLowerCase()))
      throw new CatalogSourceError(`role ${role.id} ('${printable(role.name)}') is listed twice; refused`);
    seen.add(role.id.toLowerCase());
  }
  return {
    source,
    roles: roles
      .map((role) => ({
        id: role.id.toLowerCase(),
        name: role.name,
        lighthouse: lighthouseRoleSupport(role.id, role.permissions),
        partnerCredit: earnsPartnerCredit(role.permissions),
      }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id)),
  };
}

/** A source that cannot be a role catalog (no roles, ids that are no GUIDs). */
export class CatalogSourceError extends Error {}

/** The catalog file's text: one role a line, so a refresh reads in review as the roles that changed. */
export function catalogText(catalog: RoleCatalogFile): string {
  return `{"source": ${JSON.stringify(catalog.source)},\n"roles": [\n${catalog.roles.map((role) => JSON.stringify(role)).join(",\n")}\n]}\n`;
}

export interface CatalogChanges {
  added: BuiltInRole[];
  removed: BuiltInRole[];
  renamed: Array<{ before: BuiltInRole; after: BuiltInRole }>;
  /** Roles whose Lighthouse verdict changed (usable, delegation-only, not usable). */
  flipped: Array<{ before: BuiltInRole; after: BuiltInRole }>;
}

export function compareCatalogs(before: readonly BuiltInRole[], after: readonly BuiltInRole[]): CatalogChanges {
  const old = new Map(before.map((role) => [role.id, role]));
  const now = new Map(after.map((role) => [role.id, role]));
  const both = after.filter((role) => old.has(role.id)).map((role) => ({ before: old.get(role.id)!, after: role }));
  return {
    added: after.filter((role) => !old.has(role.id)),
    removed: before.filter((role) => !now.has(role.id)),
    renamed: both.filter((pair) => pair.before.name !== pair.after.name),
    flipped: both.filter((pair) => pair.before.lighthouse.usable !== pair.after.lighthouse.usable),
  };
}

export const hasChanges = (changes: CatalogChanges) => Object.values(changes).some((list) => list.length > 0);
