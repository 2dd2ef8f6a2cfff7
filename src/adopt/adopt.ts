import { resolve } from "node:path";
import { isMap, isSeq, parseDocument } from "yaml";
import { delegatedScopes, registrationAssignmentGuid } from "../delegation";
import { compareDelegations } from "../inventory/drift";
import { expectedDelegations } from "../inventory/expected";
import type { FoundDelegation, Inventory } from "../inventory/inventory";
import type { ResolvedStack, SubscriptionDelegation } from "../stack/load";
import { DELEGATIONS_KEY } from "../stack/schema";

/**
 * Adoption: for each offer and subscription of a stack, the existing delegation in Azure that the
 * next `pulumi up` should import instead of creating: at the toolkit's GUIDs, or else the
 * definition of the same managing tenant and offer name (onboarded by a template, e.g. Microsoft's
 * samples, named guid(mspOfferName)) with its assignments at the stack's scopes.
 */

export type AdoptionStatus = "adopt" | "create" | "mismatch" | "incomplete";

export interface Adoption {
  offer: string;
  offerFile: string;
  subscriptionId: string;
  status: AdoptionStatus;
  /** What the stack file gets under `adopt` (status adopt only). */
  adopt?: true | { registrationDefinitionId: string; registrationAssignmentIds: string[] };
  message: string;
}

function adoptionOf(stack: ResolvedStack, subscriptionId: string, delegation: SubscriptionDelegation, found: FoundDelegation[]): Adoption {
  const { offer } = delegation;
  const base = { offer: offer.name, offerFile: offer.file, subscriptionId };
  const candidates = found.filter((item) => item.subscriptionId === subscriptionId && item.managedByTenantId === offer.managedByTenantId.toLowerCase());
  const existing = candidates.find((item) => item.definitionGuid === offer.registrationDefinitionId) ?? candidates.find((item) => item.offer === offer.name);
  if (!existing) return { ...base, status: "create", message: "no existing delegation: pulumi up will create it" };

  const scopes = delegatedScopes(subscriptionId, delegation.resourceGroups);
  const assignmentGuids = scopes.map((scope) => existing.assignments.find((assignment) => assignment.scope.toLowerCase() === scope.toLowerCase())?.guid);
  const missing = scopes.filter((_, index) => assignmentGuids[index] === undefined);
  if (missing.length > 0) {
    return { ...base, status: "incomplete", message: `definition ${existing.definitionGuid} exists but is not assigned at ${missing.join(", ")}; assign it there (or drop those scopes), then adopt` };
  }

  // The import fails unless Azure matches the offer: say so now, with the differences.
  const [expected] = expectedDelegations({ ...stack, subscriptions: [{ subscriptionId, delegations: [delegation] }] });
  const { drift } = compareDelegations([{ ...expected, definitionGuid: existing.definitionGuid }], [existing]);
  if (drift.length > 0) {
    return { ...base, status: "mismatch", message: `definition ${existing.definitionGuid} differs from the offer, so importing it would fail: ${drift.map((item) => item.message).join("; ")}` };
  }
  const toolkitNames =
    existing.definitionGuid === offer.registrationDefinitionId && scopes.every((scope, index) => assignmentGuids[index] === registrationAssignmentGuid(offer.registrationDefinitionId, scope));
  return {
    ...base,
    status: "adopt",
    adopt: toolkitNames ? true : { registrationDefinitionId: existing.definitionGuid, registrationAssignmentIds: assignmentGuids as string[] },
    message: `definition ${existing.definitionGuid} and ${scopes.length} assignment(s) ${toolkitNames ? "at the toolkit's GUIDs" : "at the GUIDs they were onboarded with"}`,
  };
}

export function planAdoptions(stack: ResolvedStack, inventory: Inventory): Adoption[] {
  return stack.subscriptions.flatMap(({ subscriptionId, delegations }) => delegations.map((delegation) => adoptionOf(stack, subscriptionId, delegation, inventory.delegations)));
}

/**
 * The stack file with `adopt` set on every adoptable target; comments and layout are kept.
 * Targets are matched by offer file and subscription, as the file lists them.
 */
export function withAdoptions(stackText: string, projectRoot: string, adoptions: Adoption[]): string {
  const document = parseDocument(stackText);
  const entries = document.getIn(["config", DELEGATIONS_KEY]);
  if (!isSeq(entries)) return stackText;
  entries.items.forEach((entry, entryIndex) => {
    if (!isMap(entry)) return;
    const offerFile = resolve(projectRoot, String(entry.get("offer")));
    const targets = entry.get("subscriptions");
    if (!isSeq(targets)) return;
    targets.items.forEach((target, targetIndex) => {
      if (!isMap(target)) return;
      const subscriptionId = String(target.get("subscriptionId")).toLowerCase();
      const adoption = adoptions.find((item) => item.status === "adopt" && item.subscriptionId === subscriptionId && resolve(item.offerFile) === offerFile);
      if (adoption?.adopt) document.setIn(["config", DELEGATIONS_KEY, entryIndex, "subscriptions", targetIndex, "adopt"], adoption.adopt);
    });
  });
  return document.toString();
}
