import { lastSegment, subscriptionOfScope } from "../azure/scopes";
import { MANAGED_SERVICES_API_VERSION } from "../azure/definitions";
import { OfferCache } from "../offer/cache";
import { runOffline } from "../offline";
import { accessView, type DelegationView, type Principal } from "../access/view";
import { describeGrant, describePrincipal } from "../access/describe";
import { TYPES } from "../azure/resourceTypes";
import { assignedDefinitionKey, definitionKey } from "../delegation";
import { REGISTRATION_ASSIGNMENT_DELETE_ROLE_ID } from "../roles/support";
import { loadStack, type ResolvedStack } from "../stack/load";
import { stackFilePath } from "../project/paths";
import { lighthouseProgram } from "../../app/program";
import { PROJECT_NAME } from "../stack/schema";
import { printableLines } from "../text";

/**
 * Offboarding a customer, or one offer of it, planned and never carried out: what access ends,
 * where ending it also ends access another delegation grants (Lighthouse removes a principal's
 * role at a scope for every delegation that grants it: docs remove-delegation), and the exact
 * commands, assignments before definitions. Computed from the stack program run offline, so the
 * resource names and URNs are the ones `pulumi up` created.
 */

export interface SharedAccess {
  principal: Principal;
  role: string;
  scope: string;
  /** The offer that also grants it, and stays. */
  otherOffer: string;
  /**
   * The URN of that offer's assignment at the scope: Azure removes the pair from it too
   * (remove-delegation.md), and only a new assignment grants it again (`pulumi up --replace`),
   * since the program is unchanged and a plain pulumi up sends no request.
   */
  restore?: string;
}

export interface OffboardingPlan {
  stack: string;
  customer: string;
  /** Offers being removed, by name. */
  offers: string[];
  lost: DelegationView[];
  shared: SharedAccess[];
  /** Who in the managing tenant may remove the delegations (the Delete Role), per offer. */
  deleters: Array<{ offer: string; principal: Principal }>;
  /** `pulumi destroy --target` commands, in a safe order. */
  pulumi: string[];
  /** The same deletions through the REST API (az rest), in the same order. */
  azure: string[];
}

export class OffboardingRefused extends Error {}

/** The plan for `offerFile` of the stack (every offer when undefined). */
export async function planOffboarding(
  projectRoot: string,
  stackName: string,
  offerFile?: string,
): Promise<OffboardingPlan> {
  const loaded = loadStack(stackFilePath(projectRoot, stackName), new OfferCache());
  if (!loaded.stack) throw new OffboardingRefused(`stack ${stackName} is not valid: run npm run validate`);
  const stack: ResolvedStack = loaded.stack;
  if (stack.mode === "managing")
    throw new OffboardingRefused(
      `stack ${stackName} only lists its delegations (managing mode): offboard through the stack that deploys them`,
    );
  const offerNames = new Set(
    stack.subscriptions.flatMap((subscription) =>
      subscription.delegations
        .filter(({ offer }) => !offerFile || offer.file === offerFile)
        .map(({ offer }) => offer.name),
    ),
  );
  if (offerNames.size === 0)
    throw new OffboardingRefused(
      offerFile ? `stack ${stackName} delegates no offer from ${offerFile}` : `stack ${stackName} delegates nothing`,
    );

  const { resources } = await runOffline(PROJECT_NAME, stackName, () => lighthouseProgram({ projectRoot, stackName }));
  const views = accessView(resources).delegations;
  const lost = views.filter((view) => offerNames.has(view.offer));
  const kept = views.filter((view) => !offerNames.has(view.offer));

  const shared: SharedAccess[] = [];
  for (const view of lost) {
    for (const grant of [...view.permanent, ...view.eligible]) {
      for (const scope of view.scopes) {
        const other = kept.find(
          (candidate) =>
            candidate.scopes.some((otherScope) => otherScope.toLowerCase() === scope.toLowerCase()) &&
            [...candidate.permanent, ...candidate.eligible].some(
              (otherGrant) => otherGrant.principal.id === grant.principal.id && otherGrant.roleId === grant.roleId,
            ),
        );
        if (!other) continue;
        const restore = resources.find(
          (resource) =>
            resource.type === TYPES.assignment &&
            String(resource.inputs.scope).toLowerCase() === scope.toLowerCase() &&
            assignedDefinitionKey(
              resource.inputs.scope,
              (resource.inputs.properties as { registrationDefinitionId?: unknown }).registrationDefinitionId,
            ) === definitionKey(other.subscriptionId, other.definitionGuid),
        )?.urn;
        shared.push({
          principal: grant.principal,
          role: grant.role,
          scope,
          otherOffer: other.offer,
          ...(restore ? { restore } : {}),
        });
      }
    }
  }

  const deleters = [
    ...new Map(
      lost.flatMap((view) =>
        view.permanent
          .filter((grant) => grant.roleId === REGISTRATION_ASSIGNMENT_DELETE_ROLE_ID)
          .map((grant) => [`${view.offer} ${grant.principal.id}`, { offer: view.offer, principal: grant.principal }]),
      ),
    ).values(),
  ];

  // Assignments first: a definition that is still assigned cannot be deleted.
  const lostGuids = new Set(lost.map((view) => `${view.subscriptionId} ${view.definitionGuid}`));
  const ofLost = (resource: (typeof resources)[number]) => {
    const id = String(
      (resource.inputs as { properties?: { registrationDefinitionId?: unknown } }).properties
        ?.registrationDefinitionId ??
        resource.inputs.registrationDefinitionId ??
        "",
    );
    return lostGuids.has(`${subscriptionOfScope(resource.inputs.scope)} ${lastSegment(id).toLowerCase()}`);
  };
  const assignments = resources.filter((resource) => resource.type === TYPES.assignment && ofLost(resource));
  const definitions = resources.filter((resource) => resource.type === TYPES.definition && ofLost(resource));
  const target = (urn: string) => `pulumi destroy --stack ${stackName} --target '${urn}' --yes`;
  const rest = (id: string) =>
    `az rest --method delete --url "https://management.azure.com${id}?api-version=${MANAGED_SERVICES_API_VERSION}"`;
  return {
    stack: stackName,
    customer: stack.customer.name,
    offers: [...offerNames],
    lost,
    shared,
    deleters,
    pulumi: [...assignments, ...definitions].map((resource) => target(resource.urn)),
    azure: [
      ...assignments.map((resource) =>
        rest(
          `${String(resource.inputs.scope)}/providers/Microsoft.ManagedServices/registrationAssignments/${String(resource.inputs.registrationAssignmentId)}`,
        ),
      ),
      ...definitions.map((resource) =>
        rest(
          `${String(resource.inputs.scope)}/providers/Microsoft.ManagedServices/registrationDefinitions/${String(resource.inputs.registrationDefinitionId)}`,
        ),
      ),
    ],
  };
}

export function offboardingText(plan: OffboardingPlan, stackFile: string): string {
  const lines = [
    `Offboarding ${plan.offers.map((offer) => `"${offer}"`).join(", ")} from stack ${plan.stack} (${plan.customer}). Nothing is deleted by this command.`,
    "",
    "Access that ends:",
  ];
  for (const view of plan.lost) {
    lines.push(`  "${view.offer}" in subscription ${view.subscriptionId}, at ${view.scopes.join(", ") || "no scope"}`);
    for (const grant of view.permanent) lines.push(`    permanent  ${describeGrant(grant)}`);
    for (const grant of view.eligible) lines.push(`    eligible   ${describeGrant(grant)}`);
  }
  if (plan.shared.length > 0) {
    lines.push(
      "",
      "Warning: removing these delegations also removes access another delegation grants (same principal, role and scope):",
    );
    for (const item of plan.shared) {
      lines.push(
        `  ${describePrincipal(item.principal)}: ${item.role} at ${item.scope}, also granted by "${item.otherOffer}": Azure removes it from that delegation too, and a plain pulumi up does not restore it; afterwards re-create that delegation's assignment${item.restore ? `: pulumi up --stack ${plan.stack} --replace '${item.restore}'` : ""}`,
      );
    }
  }
  lines.push("", "Then, in this order (registration assignments before definitions):");
  plan.pulumi.forEach((command, index) => lines.push(`  ${index + 1}. ${command}`));
  lines.push(
    `  ${plan.pulumi.length + 1}. remove the offer's entry from ${stackFile}, or the next pulumi up creates the delegation again`,
  );
  lines.push(
    "",
    "Or without Pulumi, signed in to the customer's tenant; from the managing tenant, a principal with the Managed Services Registration assignment Delete Role may run the assignment deletions only (it allows registrationAssignments/delete, not definitions, which go with the customer):",
  );
  for (const command of plan.azure) lines.push(`  ${command}`);
  for (const { offer, principal } of plan.deleters)
    lines.push(`  ("${offer}" gives the Delete Role to ${describePrincipal(principal)})`);
  return printableLines(lines);
}
