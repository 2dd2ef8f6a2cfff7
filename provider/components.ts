import * as pulumi from "@pulumi/pulumi";
import * as library from "../components";
import { requirePlainArguments } from "../components/plainArguments";
import { NAMING_SCHEMES, type DelegationNaming } from "../src/delegation";
import { roleById, roleByName, unknownRoleMessage } from "../src/roles/catalog";

/**
 * The components as other Pulumi languages see them (`lighthouse:index:<Name>`, the only module a
 * source-based component provider serves): arguments a Python, Go, C#, Java or YAML program can
 * pass, each component building the TypeScript library's own as its only child, so both deploy
 * exactly the same resources. Offers arrive as their YAML text and are validated here, every
 * problem reported at its line and column.
 */

/** An offer from its YAML text, or a located message of every error it has. */
function offerOf(
  component: pulumi.ComponentResource,
  description: string,
  args: { offerYaml: string; offerFile?: string },
): library.ResolvedOffer {
  const { offer, diagnostics } = library.parseOffer(args.offerFile ?? "offer.yaml", args.offerYaml);
  if (offer) return offer;
  throw new pulumi.ResourceError(
    `${description}: the offer has errors:\n${diagnostics
      .filter((diagnostic) => diagnostic.severity === "error")
      .map(library.formatDiagnostic)
      .join("\n")}`,
    component,
  );
}

/** Arguments of {@link LighthouseDelegation}. */
export interface LighthouseDelegationArgs {
  /** The offer file's text (YAML), as the toolkit's offer files hold it: read the file in your program. */
  offerYaml: string;
  /** How messages name the offer file, e.g. `offers/contoso.yaml`. Default: `offer.yaml`. */
  offerFile?: string;
  /** The customer subscription (GUID). */
  subscriptionId: string;
  /** Resource groups of that subscription to delegate. Default: the whole subscription. */
  resourceGroups?: string[];
  /** The customer's tenant id: an offer managed by that tenant is refused. Default: not checked. */
  customerTenantId?: string;
  /** `toolkit` (the default) or `samples`: the GUIDs of Microsoft's onboarding templates. */
  naming?: string;
}

/** One offer delegated in one customer subscription: the registration definition and its assignments. */
export class LighthouseDelegation extends pulumi.ComponentResource {
  /** The registration definition's resource id. */
  public readonly registrationDefinitionId: pulumi.Output<string>;
  /** The registration assignments' resource ids: the subscription's, or one per resource group. */
  public readonly registrationAssignmentIds: pulumi.Output<string[]>;

  constructor(name: string, args: LighthouseDelegationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lighthouse:index:LighthouseDelegation", name, args, opts);
    requirePlainArguments(this, `LighthouseDelegation ${name}`, args, {
      offerYaml: "the offer, its GUID and its properties",
      offerFile: "how the offer's problems are reported",
      naming: "the GUID scheme",
    });
    const offer = offerOf(this, `LighthouseDelegation ${name}`, args);
    const naming = args.naming ?? "toolkit";
    if (!(NAMING_SCHEMES as readonly string[]).includes(naming))
      throw new pulumi.ResourceError(
        `LighthouseDelegation ${name}: naming must be ${NAMING_SCHEMES.join(" or ")}, not '${naming}'`,
        this,
      );
    const delegation = new library.LighthouseDelegation(
      name,
      {
        offer,
        subscriptionId: args.subscriptionId,
        ...(args.resourceGroups ? { resourceGroups: args.resourceGroups } : {}),
        ...(args.customerTenantId ? { customerTenantId: args.customerTenantId } : {}),
        naming: naming as DelegationNaming,
      },
      { parent: this },
    );
    this.registrationDefinitionId = delegation.registrationDefinitionId;
    this.registrationAssignmentIds = pulumi.all(delegation.registrationAssignmentIds);
    this.registerOutputs({
      registrationDefinitionId: this.registrationDefinitionId,
      registrationAssignmentIds: this.registrationAssignmentIds,
    });
  }
}

/** A role of {@link ManagedIdentity}. */
export interface RoleAssignmentArgs {
  /** An Azure built-in role: its name (e.g. `Reader`) or its role definition GUID. */
  role: string;
  /** Where it applies: a subscription, resource group or resource id. */
  scope: string;
  /** Shown in the Azure portal. Default: none. */
  description?: pulumi.Input<string>;
}

/** Arguments of {@link ManagedIdentity}. */
export interface ManagedIdentityArgs {
  /** The identity's Azure name (3 to 128 characters). */
  identityName: string;
  /** The subscription holding the identity. */
  subscriptionId: string;
  /** The resource group holding the identity (it must exist). */
  resourceGroupName: string;
  /** Azure region, e.g. `westeurope`. */
  location: pulumi.Input<string>;
  /** Resource tags. Default: none. */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** `Regional` keeps the identity's data in its region. Default: unset. */
  isolationScope?: string;
  /** Federated credentials, written one at a time. Default: none. */
  federatedCredentials?: library.FederatedCredentialArgs[];
  /** Roles for the identity. Default: none. */
  roleAssignments?: RoleAssignmentArgs[];
  /** Deployed from the managing tenant through Lighthouse. Default: false. */
  delegatedThroughLighthouse?: boolean;
}

/** A user-assigned managed identity with its federated credentials and role assignments. */
export class ManagedIdentity extends pulumi.ComponentResource {
  /** The identity's client (application) id. */
  public readonly clientId: pulumi.Output<string>;
  /** The identity's principal (object) id. */
  public readonly principalId: pulumi.Output<string>;
  /** The tenant the identity belongs to. */
  public readonly tenantId: pulumi.Output<string>;
  /** The identity's resource id. */
  public readonly resourceId: pulumi.Output<string>;

  constructor(name: string, args: ManagedIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lighthouse:index:ManagedIdentity", name, args, opts);
    const roleAssignments = (args.roleAssignments ?? []).map(({ role, scope, description }) => {
      const found = typeof role === "string" ? (roleById(role) ?? roleByName(role)) : undefined;
      if (!found) throw new pulumi.ResourceError(`ManagedIdentity ${name}: ${unknownRoleMessage(String(role))}`, this);
      return { roleDefinitionId: found.id, scope, ...(description !== undefined ? { description } : {}) };
    });
    const isolationScope = args.isolationScope;
    if (isolationScope !== undefined && isolationScope !== "None" && isolationScope !== "Regional")
      throw new pulumi.ResourceError(
        `ManagedIdentity ${name}: isolationScope must be None or Regional, not '${isolationScope}'`,
        this,
      );
    const identity = new library.ManagedIdentity(name, { ...args, isolationScope, roleAssignments }, { parent: this });
    this.clientId = identity.clientId;
    this.principalId = identity.principalId;
    this.tenantId = identity.tenantId;
    this.resourceId = identity.resourceId;
    this.registerOutputs({
      clientId: this.clientId,
      principalId: this.principalId,
      tenantId: this.tenantId,
      resourceId: this.resourceId,
    });
  }
}

/** Arguments of {@link ManagementGroupDelegation}. */
export interface ManagementGroupDelegationArgs {
  /** The offer file's text (YAML). */
  offerYaml: string;
  /** How messages name the offer file. Default: `offer.yaml`. */
  offerFile?: string;
  /** The management group's id (not its display name). */
  managementGroupId: string;
  /** Region of the policy assignment's identity and of each subscription's deployment, e.g. `westeurope`. */
  location: pulumi.Input<string>;
  /** Also delegate the subscriptions already in the management group. Default: true. */
  remediate?: boolean;
  /** The customer's tenant id: an offer managed by that tenant is refused. Default: not checked. */
  customerTenantId?: string;
}

/** One offer delegated to every subscription of a management group, present and future, by Azure Policy. */
export class ManagementGroupDelegation extends pulumi.ComponentResource {
  /** The policy assignment's resource id. */
  public readonly policyAssignmentId: pulumi.Output<string>;
  /** The principal of the assignment's identity, which deploys the delegations. */
  public readonly principalId: pulumi.Output<string>;

  constructor(name: string, args: ManagementGroupDelegationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lighthouse:index:ManagementGroupDelegation", name, args, opts);
    requirePlainArguments(this, `ManagementGroupDelegation ${name}`, args, {
      offerYaml: "the policy and the delegation it deploys",
      offerFile: "how the offer's problems are reported",
    });
    const offer = offerOf(this, `ManagementGroupDelegation ${name}`, args);
    const { offerYaml: _yaml, offerFile: _file, ...rest } = args;
    const delegation = new library.ManagementGroupDelegation(name, { ...rest, offer }, { parent: this });
    this.policyAssignmentId = delegation.policyAssignmentId;
    this.principalId = delegation.principalId;
    this.registerOutputs({ policyAssignmentId: this.policyAssignmentId, principalId: this.principalId });
  }
}
