import * as pulumi from "@pulumi/pulumi";
import {
  PolicyAssignment,
  PolicyDefinitionAtManagementGroup,
  RoleAssignment,
} from "@pulumi/azure-native/authorization";
import { RemediationAtManagementGroup } from "@pulumi/azure-native/policyinsights";
import {
  delegationPolicyDefinition,
  managementGroupResourceIds,
  REMEDIATION_ROLE_ID,
  roleDefinitionTenantId,
} from "../src/export/policy";
import type { ResolvedOffer } from "../src/offer/model";
import { reviewCustomerTenant } from "../src/rules/delegation";
import { requirePlainArguments } from "./plainArguments";

export interface ManagementGroupDelegationArgs {
  /** The offer to delegate, as `loadOffer` resolves it. */
  offer: ResolvedOffer;
  /** The management group whose subscriptions get the delegation (its id, not its display name). */
  managementGroupId: string;
  /** Region of the policy assignment's managed identity and of each subscription's deployment, e.g. `westeurope`. */
  location: pulumi.Input<string>;
  /** Also delegate the subscriptions already in the management group (a remediation task). Default: true. */
  remediate?: boolean;
  /** The customer's tenant id: an offer managed by that tenant is refused. Default: not checked. */
  customerTenantId?: string;
}

/**
 * An offer delegated to every subscription of a management group, present and future, through
 * Azure Policy (src/export/policy.ts): the deployIfNotExists policy definition at the management
 * group, its assignment there with a system-assigned identity, that identity's Owner role at the
 * management group, and a remediation for the subscriptions already there. Each subscription then
 * holds the same registration definition and assignment a LighthouseDelegation would create.
 * The delegations themselves are Azure's, made by the policy: Pulumi neither tracks nor deletes
 * them (removing this component leaves them: remove each subscription's assignment once the policy
 * is gone, or the policy deploys it again). Children:
 * `<name>-policy-definition`, `-policy-assignment`, `-remediation-role`, `-remediation`.
 */
export class ManagementGroupDelegation extends pulumi.ComponentResource {
  /** The policy assignment's resource id. */
  readonly policyAssignmentId: pulumi.Output<string>;
  /** The principal of the assignment's identity, which deploys the delegations. */
  readonly principalId: pulumi.Output<string>;

  constructor(name: string, args: ManagementGroupDelegationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lighthouse:delegation:ManagementGroupDelegation", name, {}, opts);
    requirePlainArguments(this, `ManagementGroupDelegation ${name}`, args, {
      offer: "the policy's names and the delegation it deploys",
      managementGroupId: "the policy's scope and names",
      remediate: "whether a remediation is registered",
      customerTenantId: "whether the offer is refused",
    });
    const { offer, managementGroupId, location, remediate = true, customerTenantId } = args;
    if (customerTenantId !== undefined) {
      const [finding] = reviewCustomerTenant(offer.managedByTenantId, customerTenantId);
      if (finding) throw new pulumi.RunError(`${offer.file}: ${finding.message}`);
    }
    const { names, scope } = managementGroupResourceIds(offer, managementGroupId);

    const definition = pulumi.output(location).apply((region) => delegationPolicyDefinition(offer, region));
    const policyDefinition = new PolicyDefinitionAtManagementGroup(
      `${name}-policy-definition`,
      {
        managementGroupId,
        policyDefinitionName: names.policyDefinitionName,
        displayName: definition.displayName,
        description: definition.description,
        mode: definition.mode,
        policyType: definition.policyType,
        policyRule: definition.policyRule,
      },
      { parent: this },
    );
    const assignment = new PolicyAssignment(
      `${name}-policy-assignment`,
      {
        scope,
        policyAssignmentName: names.policyAssignmentName,
        policyDefinitionId: policyDefinition.id,
        displayName: definition.displayName,
        location,
        identity: { type: "SystemAssigned" },
      },
      { parent: this },
    );
    this.policyAssignmentId = assignment.id;
    this.principalId = assignment.identity.apply((identity) => identity?.principalId ?? "");
    const role = new RoleAssignment(
      `${name}-remediation-role`,
      {
        scope,
        roleAssignmentName: names.roleAssignmentName,
        roleDefinitionId: roleDefinitionTenantId(REMEDIATION_ROLE_ID),
        principalId: this.principalId,
        principalType: "ServicePrincipal",
      },
      { parent: this },
    );
    if (remediate) {
      new RemediationAtManagementGroup(
        `${name}-remediation`,
        {
          managementGroupId,
          managementGroupsNamespace: "Microsoft.Management",
          remediationName: names.remediationName,
          policyAssignmentId: assignment.id,
          resourceDiscoveryMode: "ExistingNonCompliant",
        },
        // The remediation's deployments run as the identity: after it holds its role.
        { parent: this, dependsOn: [role] },
      );
    }
    this.registerOutputs({ policyAssignmentId: this.policyAssignmentId, principalId: this.principalId });
  }
}
