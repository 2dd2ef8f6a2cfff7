import { parseExtensionResourceId } from "../azure/scopes";
import type { ActivityLogEvent } from "../arm/models";
import { delegatedScopes, delegationGuids } from "../delegation";
import type { ResolvedStack } from "../stack/load";
import { printableLines } from "../text";

/**
 * Delegations added to and removed from the managing tenant, from its tenant-level Activity Log
 * (docs monitor-delegation-changes), compared with what the stacks declare: a removal of a
 * delegation a stack still declares is an alert.
 */

/** The Activity Log keeps 90 days. */
export const MAX_EVENT_DAYS = 90;

/** `7d`, `24h`, `30m`, or an ISO 8601 time, as the start of the window; undefined when it is neither. */
export function sinceTime(text: string, now = new Date()): Date | undefined {
  const relative = /^(\d{1,4})([dhm])$/.exec(text);
  if (relative) {
    const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[relative[2] as "d" | "h" | "m"];
    return new Date(now.getTime() - Number(relative[1]) * unit);
  }
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(text)) return undefined;
  const time = new Date(text);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

export interface DeclaredDelegation {
  stack: string;
  offer: string;
  scope: string;
  assignmentGuid: string;
}

/** Every delegation the stacks declare: stack, offer, scope and the assignment's GUID. */
export function declaredDelegations(stacks: ResolvedStack[]): DeclaredDelegation[] {
  return stacks.flatMap((stack) =>
    stack.subscriptions.flatMap(({ subscriptionId, delegations }) =>
      delegations.flatMap(({ offer, resourceGroups, naming, adopt }) => {
        const { assignments } = delegationGuids(naming, offer, subscriptionId, resourceGroups, adopt);
        return delegatedScopes(subscriptionId, resourceGroups).map((scope, index) => ({
          stack: stack.stackName,
          offer: offer.name,
          scope,
          assignmentGuid: assignments[index],
        }));
      }),
    ),
  );
}

export interface DelegationEvent {
  time: string;
  change: "added" | "removed";
  /** The delegated scope (subscription or resource group). */
  scope: string;
  assignmentGuid?: string;
  caller?: string;
  /** What the stacks declare there, when anything. */
  declared?: DeclaredDelegation;
  /** A removal of something a stack still declares. */
  alert: boolean;
}

const OPERATIONS: Record<string, DelegationEvent["change"]> = {
  "microsoft.managedservices/registrationassignments/write": "added",
  "microsoft.managedservices/registrationassignments/delete": "removed",
};

/** Completed assignment writes and deletes, newest first, each matched with the stacks. */
export function delegationEvents(events: ActivityLogEvent[], declared: DeclaredDelegation[]): DelegationEvent[] {
  const found: DelegationEvent[] = [];
  for (const event of events) {
    const change = OPERATIONS[event.operationName.value.toLowerCase()];
    if (!change || (event.status && event.status.value.toLowerCase() !== "succeeded")) continue;
    const where = event.authorization?.scope ?? event.resourceId ?? "";
    const assignment = parseExtensionResourceId(where, "Microsoft.ManagedServices", "registrationAssignments");
    const scope = assignment?.scope ?? where;
    const assignmentGuid = assignment?.name.toLowerCase();
    const match = declared.find(
      (item) =>
        item.scope.toLowerCase() === scope.toLowerCase() &&
        (assignmentGuid === undefined || item.assignmentGuid === assignmentGuid),
    );
    found.push({
      time: event.eventTimestamp,
      change,
      scope,
      ...(assignmentGuid ? { assignmentGuid } : {}),
      ...(event.caller ? { caller: event.caller } : {}),
      ...(match ? { declared: match } : {}),
      alert: change === "removed" && match !== undefined,
    });
  }
  return found.sort((a, b) => b.time.localeCompare(a.time));
}

export function eventsText(events: DelegationEvent[], since: Date): string {
  const alerts = events.filter((event) => event.alert).length;
  const lines = [
    `Delegation events since ${since.toISOString()}: ${events.length} (${alerts} alert${alerts === 1 ? "" : "s"})`,
  ];
  for (const event of events) {
    const who = event.caller ? ` by ${event.caller}` : "";
    const what = event.declared ? `stack ${event.declared.stack}, "${event.declared.offer}"` : "in no stack";
    const note = event.alert
      ? `  ALERT: stack ${event.declared!.stack} still declares "${event.declared!.offer}" here; run pulumi up to restore it, or remove it from the stack`
      : "";
    lines.push(`  ${event.time}  ${event.change.padEnd(7)}  ${event.scope}${who}  (${what})${note}`);
  }
  return printableLines(lines);
}
