import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TOOLKIT_ROOT } from "../project/paths";
import { quote } from "../text";
import type { RoleSupport } from "./support";

/** One Azure built-in role and whether Azure Lighthouse accepts it. */
export interface BuiltInRole {
  /** Role definition GUID (lower case), e.g. `acdd72a7-3385-48ef-bd42-f606fba81ae7`. */
  id: string;
  /** Role name as Azure spells it, e.g. `Reader`. */
  name: string;
  /** The Lighthouse verdict, computed by `lighthouseRoleSupport` when the catalog was generated. */
  lighthouse: RoleSupport;
  /** Earns partner recognition when a linked principal holds it permanently (`earnsPartnerCredit`). */
  partnerCredit: boolean;
}

/** The catalog file written by `npm run roles -- refresh` (src/roles/refresh.ts). */
export interface RoleCatalogFile {
  source: string;
  roles: BuiltInRole[];
}

/** The committed catalog, written by `npm run roles -- refresh` (the source file, also when running from dist/). */
export const ROLE_CATALOG_PATH = join(TOOLKIT_ROOT, "src", "roles", "builtin-roles.json");

const catalog: RoleCatalogFile = JSON.parse(readFileSync(ROLE_CATALOG_PATH, "utf8"));
const byId = new Map(catalog.roles.map((role) => [role.id, role]));
/** Names compare case- and whitespace-insensitively: the catalog itself has "Azure Arc VMware Administrator role ". */
const nameKey = (name: string) => name.trim().replace(/\s+/g, " ").toLowerCase();
const byName = new Map(catalog.roles.map((role) => [nameKey(role.name), role]));

/** Where the catalog's data came from (snapshot and date), for messages about role support. */
export const roleCatalogSource = catalog.source;

export const builtInRoles: readonly BuiltInRole[] = catalog.roles;

export function roleById(id: string): BuiltInRole | undefined {
  return byId.get(id.toLowerCase());
}

/** Role names match case-insensitively, as Azure's own role lookups do, and whatever the spacing. */
export function roleByName(name: string): BuiltInRole | undefined {
  return byName.get(nameKey(name));
}

/** The name of a role id for messages: `Reader` or the id itself when it is not built in. */
export function roleLabel(id: string): string {
  return roleById(id)?.name ?? id;
}

/** Every built-in role's id: the candidates for "did you mean" on a mistyped role GUID. */
export const builtInRoleIds: readonly string[] = catalog.roles.map((role) => role.id);

/** Every built-in role's name, as Azure spells it: the candidates for "did you mean". */
export const builtInRoleNames: readonly string[] = catalog.roles.map((role) => role.name);

/** `unknown role 'Contributer': not an Azure built-in role name` (the caller may add "did you mean"). */
export function unknownRoleMessage(name: string): string {
  return `unknown role ${quote(name)}: not an Azure built-in role name`;
}
