import * as pulumi from "@pulumi/pulumi";
import { RegistrationAssignment, RegistrationDefinition } from "@pulumi/azure-native/managedservices";
import { assignmentLabels, delegatedScopes, delegationGuids, type DelegationNaming } from "../src/delegation";
import {
  registrationAssignmentResourceId,
  registrationDefinitionResourceId,
  subscriptionScope,
} from "../src/azure/scopes";
import { definitionProperties, type ResolvedOffer } from "../src/offer/model";
import { reviewCustomerTenant } from "../src/rules/delegation";
import { requirePlainArguments } from "./plainArguments";

export interface LighthouseDelegationArgs {
  /** The offer to delegate, as `loadOffer` resolves it from an offer file (role ids, defaults, GUID). */
  offer: ResolvedOffer;
  /** The customer subscription (GUID). Its registration definition is created at `/subscriptions/<id>`. */
  subscriptionId: string;
  /** Resource groups of that subscription to delegate, each by its own assignment. Default: the whole subscription. */
  resourceGroups?: string[];
  /**
   * The customer's tenant id. When set, an offer managed by that same tenant is refused before
   * anything is registered (Lighthouse rejects it in the customer's tenant otherwise). Default: not checked.
   */
  customerTenantId?: string;
  /**
   * Adopt an existing delegation instead of creating it (Pulumi's `import` option): its resources
   * keep these GUIDs for good. The engine imports only while the state has no such resource
   * (pulumi/pulumi step_generator.go: an import needs no old resource or another id), then Pulumi
   * updates it to the offer where Azure differs (Pulumi docs, `import` option); a replacement of
   * a resource that still names an import id is refused, so remove `adopt` before changing what
   * would replace it. `registrationAssignmentIds` go with the delegated scopes in order. Default:
   * create; when given, unset GUIDs are the toolkit's.
   */
  adopt?: { registrationDefinitionId?: string; registrationAssignmentIds?: string[] };
  /**
   * How the definition and assignments are named (src/delegation.ts): the toolkit's GUIDs, or
   * `samples`, those of Microsoft's onboarding templates, so that a delegation onboarded with them
   * is updated in place (ARM's PUT on the same id) rather than duplicated. Default: toolkit.
   */
  naming?: DelegationNaming;
}

/**
 * One Azure Lighthouse delegation of one offer in one customer subscription: the registration
 * definition at the subscription, and one registration assignment per delegated scope.
 *
 * Names are deterministic (see src/delegation.ts): running again changes nothing, two offers in
 * one subscription never collide, and a new managing tenant or offer name yields a new definition
 * GUID under the same URN rather than an in-place update Lighthouse would refuse. azure-native
 * replaces delete-first (provider.go `Diff`), and each assignment is replaced with its definition
 * (`replaceWith`), so the engine deletes the assignments before the definition they point at and
 * no definition is deleted while assigned. Children are `<name>-definition` and
 * `<name>-subscription` or `<name>-rg-<group in lower case>`.
 */
export class LighthouseDelegation extends pulumi.ComponentResource {
  /** The registration definition's resource id. */
  readonly registrationDefinitionId: pulumi.Output<string>;
  /** The registration assignments' resource ids, in the order of `delegatedScopes`. */
  readonly registrationAssignmentIds: pulumi.Output<string>[];
  /** The scopes delegated: the subscription, or each resource group. */
  readonly delegatedScopes: string[];

  constructor(name: string, args: LighthouseDelegationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lighthouse:delegation:LighthouseDelegation", name, {}, opts);
    // Every argument decides a name, a GUID or whether anything is registered.
    requirePlainArguments(this, `LighthouseDelegation ${name}`, args, {
      offer: "the definition's GUID and properties",
      subscriptionId: "the definition's scope and GUIDs",
      resourceGroups: "the assignments' names and GUIDs",
      customerTenantId: "whether the offer is refused",
      adopt: "the GUIDs adopted",
      naming: "the GUID scheme",
    });
    const { offer, subscriptionId, resourceGroups, customerTenantId, adopt, naming = "toolkit" } = args;
    if (customerTenantId !== undefined) {
      const [finding] = reviewCustomerTenant(offer.managedByTenantId, customerTenantId);
      if (finding) throw new pulumi.RunError(`${offer.file}: ${finding.message}`);
    }

    const guids = delegationGuids(naming, offer, subscriptionId, resourceGroups, adopt);
    const definitionGuid = guids.definition;
    const definition = new RegistrationDefinition(
      `${name}-definition`,
      {
        scope: subscriptionScope(subscriptionId),
        registrationDefinitionId: definitionGuid,
        properties: definitionProperties(offer),
        ...(offer.plan ? { plan: offer.plan } : {}),
      },
      {
        parent: this,
        deleteBeforeReplace: true,
        ...(adopt ? { import: registrationDefinitionResourceId(subscriptionId, definitionGuid) } : {}),
      },
    );

    this.delegatedScopes = delegatedScopes(subscriptionId, resourceGroups);
    this.registrationDefinitionId = definition.id;
    this.registrationAssignmentIds = this.delegatedScopes.map((scope, index) => {
      const { label, formerLabels } = assignmentLabels(resourceGroups?.length ? resourceGroups[index] : undefined);
      const assignmentGuid = guids.assignments[index];
      const assignment = new RegistrationAssignment(
        `${name}-${label}`,
        {
          scope,
          registrationAssignmentId: assignmentGuid,
          properties: { registrationDefinitionId: definition.id },
        },
        {
          parent: this,
          deleteBeforeReplace: true,
          replaceWith: [definition],
          ...(formerLabels.length ? { aliases: formerLabels.map((former) => ({ name: `${name}-${former}` })) } : {}),
          ...(adopt ? { import: registrationAssignmentResourceId(scope, assignmentGuid) } : {}),
        },
      );
      return assignment.id;
    });

    this.registerOutputs({
      registrationDefinitionId: this.registrationDefinitionId,
      registrationAssignmentIds: this.registrationAssignmentIds,
      delegatedScopes: this.delegatedScopes,
    });
  }
}
