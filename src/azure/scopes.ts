/**
 * ARM scopes and resource ids, as Azure spells them: one parser and one builder for each, so
 * that every module reads and writes `/subscriptions/<id>/...` the same way.
 */

/** `<id>` (lower case) of `/subscriptions/<id>/...`; "" for anything that is no ARM scope. */
export function subscriptionOfScope(scope: unknown): string {
  return (typeof scope === "string" ? /^\/subscriptions\/([^/]+)/i.exec(scope)?.[1]?.toLowerCase() : undefined) ?? "";
}

/** The last segment of an id: a resource's name, a GUID; "" after a trailing '/'. */
export function lastSegment(id: string): string {
  return id.slice(id.lastIndexOf("/") + 1);
}

/** True when a path has '.' or '..' segments: written that way, a scope could lie outside where it seems to. */
export function hasDotSegments(path: string): boolean {
  return /(^|\/)\.\.?(\/|$)/.test(path);
}

/**
 * A resource in a resource group, its parts: `/subscriptions/<id>/resourceGroups/<group>/providers/<namespace>/<type>/<name>[/<type>/<name>...]`
 * (any case); undefined for anything else.
 */
export function parseResourceId(
  id: string,
): { subscriptionId: string; resourceGroup: string; namespace: string; path: string[] } | undefined {
  const match = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/([^/].*[^/])$/i.exec(id);
  return match
    ? {
        subscriptionId: match[1].toLowerCase(),
        resourceGroup: match[2],
        namespace: match[3],
        path: match[4].split("/"),
      }
    : undefined;
}

/**
 * `<scope>/providers/<namespace>/<type>/<name>[/...]`, in any case: the scope and the name;
 * undefined when the id names no such resource.
 */
export function parseExtensionResourceId(
  id: string,
  namespace: string,
  type: string,
): { scope: string; name: string } | undefined {
  const marker = `/providers/${namespace}/${type}/`.toLowerCase();
  const at = id.toLowerCase().lastIndexOf(marker);
  if (at === -1) return undefined;
  return { scope: id.slice(0, at), name: id.slice(at + marker.length).split("/")[0] };
}

/** What an ARM scope is, for people: a subscription, a resource group (named), or a resource below one. */
export type ScopeKind = "subscription" | "resource group" | "resource" | "management group" | "other";

export function scopeKindOf(scope: string): { kind: ScopeKind; name?: string } {
  const group = /^\/providers\/Microsoft\.Management\/managementGroups\/([^/]+)\/?$/i.exec(scope);
  if (group) return { kind: "management group", name: group[1] };
  const match = /^\/subscriptions\/[^/]+(?:\/resourceGroups\/([^/]+)(\/.+)?)?\/?$/i.exec(scope);
  if (!match) return { kind: "other" };
  if (match[1] === undefined) return { kind: "subscription" };
  return match[2] === undefined
    ? { kind: "resource group", name: match[1] }
    : { kind: "resource", name: lastSegment(match[2]) };
}

/** `/subscriptions/<id>`: where every registration definition lives. */
export function subscriptionScope(subscriptionId: string): string {
  return `/subscriptions/${subscriptionId.toLowerCase()}`;
}

/** `/subscriptions/<id>/resourceGroups/<name>`, as ARM's `resourceGroup().id` spells it. */
export function resourceGroupScope(subscriptionId: string, resourceGroup: string): string {
  return `${subscriptionScope(subscriptionId)}/resourceGroups/${resourceGroup}`;
}

/** `/providers/Microsoft.Management/managementGroups/<id>`, as ARM's `managementGroup().id` spells it. */
export function managementGroupScope(managementGroupId: string): string {
  return `/providers/Microsoft.Management/managementGroups/${managementGroupId}`;
}

export function registrationDefinitionResourceId(subscriptionId: string, registrationDefinitionGuid: string): string {
  return `${subscriptionScope(subscriptionId)}/providers/Microsoft.ManagedServices/registrationDefinitions/${registrationDefinitionGuid}`;
}

export function registrationAssignmentResourceId(scope: string, registrationAssignmentGuid: string): string {
  return `${scope}/providers/Microsoft.ManagedServices/registrationAssignments/${registrationAssignmentGuid}`;
}

/** True when `inner` is `outer` or lies below it (ARM scopes compare case-insensitively). */
export function scopeContains(outer: string, inner: string): boolean {
  const a = outer.toLowerCase().replace(/\/+$/, "");
  const b = inner.toLowerCase().replace(/\/+$/, "");
  return b === a || b.startsWith(`${a}/`);
}

/** A user-assigned identity's resource id, its parts; undefined for anything else (another host, a query, a fragment). */
export function parseUserAssignedIdentityId(
  id: string,
): { subscriptionId: string; resourceGroup: string; name: string } | undefined {
  const match =
    /^\/subscriptions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/resourceGroups\/([^/?#%\\\s]{1,90})\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/([^/?#%\\\s]{1,128})$/i.exec(
      id,
    );
  return match ? { subscriptionId: match[1].toLowerCase(), resourceGroup: match[2], name: match[3] } : undefined;
}

/**
 * The scope an extension resource (a registration assignment, a role assignment) lives at: what
 * precedes `/providers/<namespace>/` in its id, in any case (ARM ids compare case-insensitively;
 * Azure has answered `microsoft.managedservices` in lower case).
 */
export function scopeOfExtensionResource(id: string, namespace: string): string {
  const at = id.toLowerCase().lastIndexOf(`/providers/${namespace.toLowerCase()}/`);
  return at === -1 ? id : id.slice(0, at);
}
