import * as pulumi from "@pulumi/pulumi";
import { FederatedIdentityCredential, UserAssignedIdentity } from "@pulumi/azure-native/managedidentity";
import { Resource } from "@pulumi/azure-native/resources";
import { MANAGED_IDENTITY_API_VERSION } from "../src/azure/definitions";
import { DEFAULT_AUDIENCE } from "../src/rules/identity";
import { userAssignedIdentityResourceId } from "../src/identity/model";
import { requirePlainArguments } from "./plainArguments";
import {
  assignRolesToIdentity,
  ROLE_ASSIGNMENT_NAMING,
  roleAssignmentNaming,
  type IdentityRoleAssignmentArgs,
} from "./roleAssignments";

/** The managed-identity API that knows `isolationScope` (seed managed-identity-client.md). */
export const ISOLATION_SCOPE_API_VERSION = MANAGED_IDENTITY_API_VERSION;

/** One federated credential: its name decides its child's name; where tokens come from may be an Input. */
export interface FederatedCredentialArgs {
  /** The credential's name in Azure (3 to 120 characters); plain, it names the child resource. */
  name: string;
  /** The token issuer, e.g. `https://token.actions.githubusercontent.com`. */
  issuer: pulumi.Input<string>;
  /** The token subject, e.g. `repo:contoso/ops:environment:production`. */
  subject: pulumi.Input<string>;
  /** Default: `api://AzureADTokenExchange`. */
  audiences?: pulumi.Input<pulumi.Input<string>[]>;
}

/**
 * Arguments that decide names and GUIDs (the identity's name, subscription and resource group,
 * which make its resource id, from which its role assignments' GUIDs are computed) are plain
 * values, and an Output there is refused with the argument's name; values passed through to
 * Azure (location, tags, a credential's issuer and subject, a role assignment's description)
 * may be Inputs.
 */
export interface ManagedIdentityArgs {
  /** The identity's Azure name (3 to 128 characters). */
  identityName: string;
  /** Subscription holding the identity; the provider passed in options must target it. */
  subscriptionId: string;
  /** Resource group holding the identity (it must exist; part of the identity's resource id). */
  resourceGroupName: string;
  /** Azure region, e.g. `westeurope`. */
  location: pulumi.Input<string>;
  /** Resource tags. Default: none. */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * `Regional` keeps the identity's data in its region. When set, the identity is deployed as a
   * generic ARM resource at API 2024-11-30, since azure-native's typed resource (2023-01-31) lacks
   * the field; setting or removing it later replaces the identity (a new principal). Default: unset.
   */
  isolationScope?: "None" | "Regional";
  /** Workload identity federation (e.g. GitHub Actions OIDC). Default: none. Written one at a time. */
  federatedCredentials?: FederatedCredentialArgs[];
  /** Roles for the identity. Default: none. */
  roleAssignments?: IdentityRoleAssignmentArgs[];
  /**
   * Deployed from the managing tenant through Lighthouse: role assignments then carry
   * `delegatedManagedIdentityResourceId`. Default: false (deployed in the customer's tenant).
   */
  delegatedThroughLighthouse?: boolean;
}

/** The arguments that decide names, as {@link requirePlainArguments} checks them. */
const namingArguments = (args: ManagedIdentityArgs) => ({
  identityName: args.identityName,
  subscriptionId: args.subscriptionId,
  resourceGroupName: args.resourceGroupName,
  isolationScope: args.isolationScope,
  "federatedCredentials[].name": args.federatedCredentials?.map((credential) => credential.name),
  ...roleAssignmentNaming(args.roleAssignments),
});

/**
 * A user-assigned managed identity with its federated credentials and role assignments.
 * Outputs: client id, principal id, tenant id and resource id.
 */
export class ManagedIdentity extends pulumi.ComponentResource {
  readonly clientId: pulumi.Output<string>;
  readonly principalId: pulumi.Output<string>;
  readonly tenantId: pulumi.Output<string>;
  readonly resourceId: pulumi.Output<string>;

  constructor(name: string, args: ManagedIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lighthouse:identity:ManagedIdentity", name, {}, opts);
    requirePlainArguments(this, `ManagedIdentity ${name}`, namingArguments(args), {
      identityName: "the identity's name and resource id",
      subscriptionId: "the identity's resource id",
      resourceGroupName: "the identity's resource id, from which its role assignments' GUIDs are computed",
      isolationScope: "which kind of resource the identity is deployed as",
      "federatedCredentials[].name": "the credentials' names",
      ...ROLE_ASSIGNMENT_NAMING,
    });
    const { identityName, resourceGroupName, location, tags, isolationScope } = args;

    let identityResource: pulumi.CustomResource;
    if (isolationScope === undefined) {
      const identity = new UserAssignedIdentity(
        `${name}-identity`,
        { resourceName: identityName, resourceGroupName, location, ...(tags ? { tags } : {}) },
        { parent: this },
      );
      this.clientId = identity.clientId;
      this.principalId = identity.principalId;
      this.tenantId = identity.tenantId;
      identityResource = identity;
    } else {
      const identity = new Resource(
        `${name}-identity`,
        {
          apiVersion: ISOLATION_SCOPE_API_VERSION,
          resourceProviderNamespace: "Microsoft.ManagedIdentity",
          parentResourcePath: "",
          resourceType: "userAssignedIdentities",
          resourceName: identityName,
          resourceGroupName,
          location,
          ...(tags ? { tags } : {}),
          properties: { isolationScope },
        },
        { parent: this },
      );
      this.clientId = identity.properties.apply((properties) => properties.clientId as string);
      this.principalId = identity.properties.apply((properties) => properties.principalId as string);
      this.tenantId = identity.properties.apply((properties) => properties.tenantId as string);
      identityResource = identity;
    }
    this.resourceId = identityResource.id;

    // Azure refuses concurrent credential writes on one identity: each waits for the previous.
    let previous: pulumi.Resource = identityResource;
    for (const credential of args.federatedCredentials ?? []) {
      previous = new FederatedIdentityCredential(
        `${name}-fic-${credential.name}`,
        {
          resourceGroupName,
          resourceName: identityName,
          federatedIdentityCredentialResourceName: credential.name,
          issuer: credential.issuer,
          subject: credential.subject,
          audiences: credential.audiences ?? [DEFAULT_AUDIENCE],
        },
        { parent: this, dependsOn: [previous] },
      );
    }

    assignRolesToIdentity(
      this,
      name,
      {
        principalId: this.principalId,
        resourceId: userAssignedIdentityResourceId(args.subscriptionId, resourceGroupName, identityName),
        delegatedThroughLighthouse: args.delegatedThroughLighthouse ?? false,
      },
      args.roleAssignments ?? [],
    );

    this.registerOutputs({
      clientId: this.clientId,
      principalId: this.principalId,
      tenantId: this.tenantId,
      resourceId: this.resourceId,
    });
  }
}
