import { parseResourceId } from "../src/azure/scopes";
import { MANAGED_IDENTITY_API_VERSION } from "../src/azure/definitions";
import * as pulumi from "@pulumi/pulumi";
import { getResourceOutput } from "@pulumi/azure-native/resources";
import type { SystemAssignedIdentityOutputs } from "../src/identity/model";
import { requirePlainArguments } from "./plainArguments";
import {
  assignRolesToIdentity,
  ROLE_ASSIGNMENT_NAMING,
  roleAssignmentNaming,
  type IdentityRoleAssignmentArgs,
} from "./roleAssignments";

/** The API of the seed's `system_assigned_identities.get_by_scope`. */
const SYSTEM_IDENTITY_API_VERSION = MANAGED_IDENTITY_API_VERSION;

export interface SystemAssignedIdentityAccessArgs {
  /** Resource id of an existing resource (in a resource group) with a system-assigned identity, e.g. a VM. */
  resourceId: string;
  /** Roles for that identity. */
  roleAssignments: IdentityRoleAssignmentArgs[];
  /** Deployed from the managing tenant through Lighthouse (see ManagedIdentityArgs). Default: false. */
  delegatedThroughLighthouse?: boolean;
}

/**
 * Role assignments for the system-assigned identity of an existing resource. The identity's
 * principal id is read at deploy time with the seed's get-by-scope call,
 * `GET {resourceId}/providers/Microsoft.ManagedIdentity/identities/default` (API 2024-11-30).
 */
export class SystemAssignedIdentityAccess extends pulumi.ComponentResource {
  /** The resource whose identity it is. */
  readonly resourceId: string;
  /** The identity's principal id, as Azure returned it. */
  readonly principalId: pulumi.Output<string>;

  constructor(name: string, args: SystemAssignedIdentityAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lighthouse:identity:SystemAssignedIdentityAccess", name, {}, opts);
    requirePlainArguments(
      this,
      `SystemAssignedIdentityAccess ${name}`,
      { resourceId: args.resourceId, ...roleAssignmentNaming(args.roleAssignments) },
      { resourceId: "the identity read and its role assignments' GUIDs", ...ROLE_ASSIGNMENT_NAMING },
    );
    this.resourceId = args.resourceId;
    const resource = parseResourceId(args.resourceId);
    if (!resource)
      throw new pulumi.ResourceError(
        `SystemAssignedIdentityAccess ${name}: resourceId ${args.resourceId} is not the id of a resource in a resource group`,
        this,
      );
    const identity = getResourceOutput(
      {
        resourceGroupName: resource.resourceGroup,
        resourceProviderNamespace: resource.namespace,
        parentResourcePath: `${resource.path.join("/")}/providers/Microsoft.ManagedIdentity`,
        resourceType: "identities",
        resourceName: "default",
        apiVersion: SYSTEM_IDENTITY_API_VERSION,
      },
      { parent: this },
    );
    this.principalId = identity.properties.apply((properties) => properties.principalId as string);
    assignRolesToIdentity(
      this,
      name,
      {
        principalId: this.principalId,
        resourceId: args.resourceId,
        delegatedThroughLighthouse: args.delegatedThroughLighthouse ?? false,
      },
      args.roleAssignments,
    );
    // Plans and reviews name the identity by these outputs (src/access/view.ts).
    const outputs: { [key in keyof SystemAssignedIdentityOutputs]: pulumi.Input<string> } = {
      resourceId: this.resourceId,
      principalId: this.principalId,
    };
    this.registerOutputs(outputs);
  }
}
