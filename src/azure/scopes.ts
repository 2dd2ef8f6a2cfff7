/**
 * ARM scopes and resource ids, as Azure spells them: one parser and one builder for each, so
 * that every module reads and writes `/subscriptions/<id>/...` the same way.
 */

/** `<id>` (lower case) of `/subscriptions/<id>/...`; "" for anything that is no ARM scope. */
export function subscriptionOfScope(scope: unknown): string {
  return (typeof scope === "string" ? /^\/subscriptions\/([^/]+)/i.exec(scope)?.[1]?.toLowerCase() : undefined) ?? "";
}

/** What an ARM scope is, for people: a subscription, a resource group (named), or a resource below one. */
export type ScopeKind = "subscription" | "resource group" | "resource" | "other";

export function scopeKindOf(scope: string): { kind: ScopeKind; name?: string } {
  const match = /^\/subscriptions\/[^/]+(?:\/resourceGroups\/([^/]+)(\/.+)?)?\/?$/i.exec(scope);
  if (!match) return { kind: "other" };
  if (match[1] === undefined) return { kind: "subscription" };
  return match[2] === undefined
    ? { kind: "resource group", name: match[1] }
    : { kind: "resource", name: match[2].split("/").pop() };
}

/** `/subscriptions/<id>`: where every registration definition lives. */
export function subscriptionScope(subscriptionId: string): string {
  return `/subscriptions/${subscriptionId.toLowerCase()}`;
}

/** `/subscriptions/<id>/resourceGroups/<name>`, as ARM's `resourceGroup().id` spells it. */
export function resourceGroupScope(subscriptionId: string, resourceGroup: string): string {
  return `${subscriptionScope(subscriptionId)}/resourceGroups/${resourceGroup}`;
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
