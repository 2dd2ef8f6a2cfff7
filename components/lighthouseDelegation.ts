import * as pulumi from "@pulumi/pulumi";
import { RegistrationAssignment, RegistrationDefinition } from "@pulumi/azure-native/managedservices";
import { delegatedScopes, registrationAssignmentGuid, subscriptionScope } from "../src/delegation";
import { definitionProperties, type ResolvedOffer } from "../src/offer/model";
import { reviewCustomerTenant } from "../src/rules/lighthouse";

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
}

/**
 * One Azure Lighthouse delegation of one offer in one customer subscription: the registration
 * definition at the subscription, and one registration assignment per delegated scope.
 *
 * Names are deterministic (see src/delegation.ts): running again changes nothing, two offers in
 * one subscription never collide, and a new managing tenant yields a new definition rather than
 * an in-place update Lighthouse would refuse. Replacements delete the old delegation first,
 * as Lighthouse asks when principals are reused.
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
    const { offer, subscriptionId, resourceGroups, customerTenantId } = args;
    if (customerTenantId !== undefined) {
      const [finding] = reviewCustomerTenant(offer.managedByTenantId, customerTenantId);
      if (finding) throw new pulumi.RunError(`${offer.file}: ${finding.message}`);
    }

    const definition = new RegistrationDefinition(
      `${name}-definition`,
      {
        scope: subscriptionScope(subscriptionId),
        registrationDefinitionId: offer.registrationDefinitionId,
        properties: definitionProperties(offer),
        ...(offer.plan ? { plan: offer.plan } : {}),
      },
      { parent: this, deleteBeforeReplace: true },
    );

    this.delegatedScopes = delegatedScopes(subscriptionId, resourceGroups);
    this.registrationDefinitionId = definition.id;
    this.registrationAssignmentIds = this.delegatedScopes.map((scope, index) => {
      const label = resourceGroups?.length ? `rg-${resourceGroups[index]}` : "subscription";
      const assignment = new RegistrationAssignment(
        `${name}-${label}`,
        {
          scope,
          registrationAssignmentId: registrationAssignmentGuid(offer.registrationDefinitionId, scope),
          properties: { registrationDefinitionId: definition.id },
        },
        { parent: this, deleteBeforeReplace: true },
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
