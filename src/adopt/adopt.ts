import { resolve } from "node:path";
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import { delegatedScopes, delegationGuids, type DelegationNaming } from "../delegation";
import { isGuid } from "../azure/guid";
import { quote } from "../text";
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

function adoptionOf(
  stack: ResolvedStack,
  subscriptionId: string,
  delegation: SubscriptionDelegation,
  found: FoundDelegation[],
): Adoption {
  const { offer } = delegation;
  const base = { offer: offer.name, offerFile: offer.file, subscriptionId };
  const candidates = found.filter(
    (item) =>
      item.subscriptionId === subscriptionId && item.managedByTenantId === offer.managedByTenantId.toLowerCase(),
  );
  const expectedDefinition = delegationGuids(
    delegation.naming,
    offer,
    subscriptionId,
    delegation.resourceGroups,
  ).definition;
  const existing =
    candidates.find((item) => item.definitionGuid === expectedDefinition) ??
    candidates.find((item) => item.offer === offer.name);
  if (!existing) return { ...base, status: "create", message: "no existing delegation: pulumi up will create it" };
  // Names from the server go into the stack file and then into Pulumi's import: GUIDs only.
  const notGuid = [existing.definitionGuid, ...existing.assignments.map((assignment) => assignment.guid)].find(
    (name) => !isGuid(name),
  );
  if (notGuid !== undefined) {
    return {
      ...base,
      status: "mismatch",
      message: `Azure names this delegation ${quote(notGuid)}, which is not a GUID; it cannot be adopted`,
    };
  }

  const scopes = delegatedScopes(subscriptionId, delegation.resourceGroups);
  const assignmentGuids = scopes.map(
    (scope) => existing.assignments.find((assignment) => assignment.scope.toLowerCase() === scope.toLowerCase())?.guid,
  );
  const missing = scopes.filter((_, index) => assignmentGuids[index] === undefined);
  if (missing.length > 0) {
    return {
      ...base,
      status: "incomplete",
      message: `definition ${existing.definitionGuid} exists but is not assigned at ${missing.join(", ")}; assign it there (or drop those scopes), then adopt`,
    };
  }

  // The import fails unless Azure matches the offer: say so now, with the differences.
  const [expected] = expectedDelegations({ ...stack, subscriptions: [{ subscriptionId, delegations: [delegation] }] });
  const { drift } = compareDelegations([{ ...expected, definitionGuid: existing.definitionGuid }], [existing]);
  if (drift.length > 0) {
    return {
      ...base,
      status: "mismatch",
      message: `definition ${existing.definitionGuid} differs from the offer, so importing it would fail: ${drift.map((item) => item.message).join("; ")}`,
    };
  }
  const namedAs = (naming: DelegationNaming) => {
    const guids = delegationGuids(naming, offer, subscriptionId, delegation.resourceGroups);
    return (
      existing.definitionGuid === guids.definition &&
      guids.assignments.every((guid, index) => assignmentGuids[index] === guid)
    );
  };
  const stackNames = namedAs(delegation.naming);
  // Onboarded with Microsoft's templates: `naming: samples` keeps those names for good.
  const samplesHint =
    !stackNames && namedAs("samples")
      ? "; they are the names of Microsoft's onboarding templates: 'naming: samples' on the delegation entry keeps them for good"
      : "";
  return {
    ...base,
    status: "adopt",
    adopt: stackNames
      ? true
      : { registrationDefinitionId: existing.definitionGuid, registrationAssignmentIds: assignmentGuids as string[] },
    message: `definition ${existing.definitionGuid} and ${scopes.length} assignment(s) ${stackNames ? `at the ${delegation.naming === "samples" ? "samples'" : "toolkit's"} GUIDs` : "at the GUIDs they were onboarded with"}${samplesHint}`,
  };
}

export function planAdoptions(stack: ResolvedStack, inventory: Inventory): Adoption[] {
  return stack.subscriptions.flatMap(({ subscriptionId, delegations }) =>
    delegations.map((delegation) => adoptionOf(stack, subscriptionId, delegation, inventory.delegations)),
  );
}

/** Where the stack file cannot take `adopt` safely, and why. */
export interface AdoptionWriteProblem {
  line: number;
  column: number;
  message: string;
}

/** `adopt`'s value in flow style, so that it fits on the line it is written on. */
function adoptText(adopt: NonNullable<Adoption["adopt"]>): string {
  if (adopt === true) return "true";
  return `{registrationDefinitionId: ${adopt.registrationDefinitionId}, registrationAssignmentIds: [${adopt.registrationAssignmentIds.join(", ")}]}`;
}

/** Shared through an anchor or an alias: writing there would change another entry too. */
const shared = (node: unknown) => isAlias(node) || Boolean((node as { anchor?: string } | null)?.anchor);

/**
 * The stack file with `adopt` set on every adoptable target, as text edits at exact offsets:
 * every other byte (comments, quoting, numbers, flow maps, line endings, a BOM) stays as it was.
 * Targets are matched by offer file and subscription, as the file lists them. A target reached
 * through an alias or an anchor is refused: the edit would also change whatever shares it.
 */
export function withAdoptions(
  stackText: string,
  projectRoot: string,
  adoptions: Adoption[],
): { text: string } | { problem: AdoptionWriteProblem } {
  const lines = new LineCounter();
  const document = parseDocument(stackText, { lineCounter: lines, keepSourceTokens: true });
  const newline = stackText.includes("\r\n") ? "\r\n" : "\n";
  const edits: Array<{ at: number; remove: number; text: string }> = [];
  const problemAt = (node: { range?: [number, number, number] | null } | null | undefined, message: string) => {
    const { line, col } = lines.linePos(node?.range?.[0] ?? 0);
    return { problem: { line, column: col, message } };
  };

  const config = document.get("config", true);
  const entries = isMap(config) ? config.get(DELEGATIONS_KEY, true) : undefined;
  if (!isSeq(entries)) return { text: stackText };
  for (const entry of entries.items) {
    if (shared(entry) || !isMap(entry)) {
      if (shared(entry))
        return problemAt(
          entry as never,
          "this delegation entry is shared through a YAML anchor or alias; adopt will not write through it (write it out, then run adopt again)",
        );
      continue;
    }
    const offerFile = resolve(projectRoot, String(entry.get("offer")));
    const targets = entry.get("subscriptions", true);
    if (shared(targets))
      return problemAt(
        targets as never,
        "this subscriptions list is shared through a YAML anchor or alias; adopt will not write through it",
      );
    if (!isSeq(targets)) continue;
    for (const target of targets.items) {
      const subscriptionId = isMap(target) ? String(target.get("subscriptionId")).toLowerCase() : undefined;
      const adoption = adoptions.find(
        (item) =>
          item.status === "adopt" && item.subscriptionId === subscriptionId && resolve(item.offerFile) === offerFile,
      );
      if (!adoption?.adopt) continue;
      if (shared(target) || !isMap(target))
        return problemAt(
          target as never,
          "this subscription entry is shared through a YAML anchor or alias; adopt will not write through it",
        );
      const value = adoptText(adoption.adopt);
      const existing = target.items.find((pair) => isScalar(pair.key) && pair.key.value === "adopt");
      if (existing) {
        const node = existing.value as { range?: [number, number, number] } | null;
        if (shared(node) || !node?.range)
          return problemAt(
            existing.key as never,
            "this adopt value is shared through a YAML anchor or alias; adopt will not write through it",
          );
        edits.push({ at: node.range[0], remove: node.range[1] - node.range[0], text: value });
      } else if (target.flow) {
        // {subscriptionId: x}: before the closing brace.
        const close = stackText.lastIndexOf("}", target.range![1]);
        edits.push({ at: close, remove: 0, text: `, adopt: ${value}` });
      } else {
        // A new line after the map's last entry, at the indentation of its keys.
        const firstKey = target.items[0].key as { range: [number, number, number] };
        const column = lines.linePos(firstKey.range[0]).col - 1;
        const last = target.items[target.items.length - 1];
        // A block value's range runs on over the line breaks after it: back to its last character.
        let end = ((last.value ?? last.key) as { range: [number, number, number] }).range[1];
        while (end > 0 && /\s/.test(stackText[end - 1])) end--;
        const lineEnd = stackText.slice(end).search(/\r?\n|$/) + end;
        edits.push({ at: lineEnd, remove: 0, text: `${newline}${" ".repeat(column)}adopt: ${value}` });
      }
    }
  }
  let text = stackText;
  for (const edit of edits.sort((a, b) => b.at - a.at))
    text = text.slice(0, edit.at) + edit.text + text.slice(edit.at + edit.remove);
  return { text };
}
