import { z } from "zod";

/**
 * The read side of Microsoft.ManagedServices 2022-10-01 (seed registration-definitions-list-api.txt):
 * what the server returns is data, parsed tolerantly. Ids are plain strings (the seed's own samples
 * hold ids that are no GUIDs), unknown fields pass, and a missing required field is an error.
 */

const principal = z.looseObject({ principalId: z.string(), principalIdDisplayName: z.string().optional() });

export const authorizationModel = z.looseObject({
  principalId: z.string(),
  principalIdDisplayName: z.string().optional(),
  roleDefinitionId: z.string(),
  delegatedRoleDefinitionIds: z.array(z.string()).optional(),
});

export const eligibleAuthorizationModel = z.looseObject({
  principalId: z.string(),
  principalIdDisplayName: z.string().optional(),
  roleDefinitionId: z.string(),
  justInTimeAccessPolicy: z
    .looseObject({
      multiFactorAuthProvider: z.string(),
      maximumActivationDuration: z.string().optional(),
      managedByTenantApprovers: z.array(principal).optional(),
    })
    .optional(),
});

const systemDataModel = z
  .looseObject({
    createdBy: z.string().optional(),
    createdByType: z.string().optional(),
    createdAt: z.string().optional(),
    lastModifiedBy: z.string().optional(),
    lastModifiedByType: z.string().optional(),
    lastModifiedAt: z.string().optional(),
  })
  .optional();

export const definitionPropertiesModel = z.looseObject({
  description: z.string().optional(),
  authorizations: z.array(authorizationModel),
  eligibleAuthorizations: z.array(eligibleAuthorizationModel).optional(),
  registrationDefinitionName: z.string().optional(),
  managedByTenantId: z.string(),
  provisioningState: z.string().optional(),
  manageeTenantId: z.string().optional(),
  manageeTenantName: z.string().optional(),
  managedByTenantName: z.string().optional(),
});

export const registrationDefinitionModel = z.looseObject({
  id: z.string(),
  name: z.string(),
  type: z.string().optional(),
  properties: definitionPropertiesModel,
  plan: z.looseObject({ name: z.string(), product: z.string(), publisher: z.string(), version: z.string() }).optional(),
  systemData: systemDataModel,
});

export const registrationAssignmentModel = z.looseObject({
  id: z.string(),
  name: z.string(),
  type: z.string().optional(),
  properties: z.looseObject({
    registrationDefinitionId: z.string(),
    provisioningState: z.string().optional(),
    // Present with $expandRegistrationDefinition=true.
    registrationDefinition: z
      .looseObject({
        properties: definitionPropertiesModel.partial().optional(),
        id: z.string().optional(),
        name: z.string().optional(),
      })
      .optional(),
  }),
  systemData: systemDataModel,
});

export const listModel = <T extends z.ZodType>(item: T) =>
  z.looseObject({ value: z.array(item), nextLink: z.string().nullish() });

export const errorResponseModel = z.looseObject({
  error: z.looseObject({
    code: z.string(),
    message: z.string(),
    details: z.array(z.looseObject({ code: z.string().optional(), message: z.string().optional() })).optional(),
  }),
});

export type RegistrationDefinition = z.output<typeof registrationDefinitionModel>;
export type RegistrationAssignment = z.output<typeof registrationAssignmentModel>;

/** One permission block of a role definition; absent lists are empty. */
export const permissionModel = z.looseObject({
  actions: z.array(z.string()).default([]),
  notActions: z.array(z.string()).default([]),
  dataActions: z.array(z.string()).default([]),
});

/** A role definition as ARM lists it (Microsoft.Authorization 2022-04-01). */
export const roleDefinitionModel = z.looseObject({
  id: z.string(),
  name: z.string(),
  properties: z.looseObject({
    roleName: z.string(),
    type: z.string(),
    permissions: z.array(permissionModel),
  }),
});
export type RoleDefinition = z.output<typeof roleDefinitionModel>;

/** A user-assigned identity (Microsoft.ManagedIdentity 2024-11-30, seed managed-identity-client.md). */
export const userAssignedIdentityModel = z.looseObject({
  id: z.string(),
  name: z.string(),
  location: z.string(),
  tags: z.record(z.string(), z.string()).optional(),
  properties: z
    .looseObject({
      principalId: z.string().optional(),
      clientId: z.string().optional(),
      tenantId: z.string().optional(),
      isolationScope: z.string().optional(),
    })
    .default({}),
});
export type UserAssignedIdentity = z.output<typeof userAssignedIdentityModel>;

/** A federated identity credential of a user-assigned identity. */
export const federatedCredentialModel = z.looseObject({
  id: z.string(),
  name: z.string(),
  properties: z.looseObject({ issuer: z.string(), subject: z.string(), audiences: z.array(z.string()) }),
});
export type FederatedCredentialResource = z.output<typeof federatedCredentialModel>;

/** A resource's system-assigned identity, read by scope (`.../providers/Microsoft.ManagedIdentity/identities/default`). */
export const systemAssignedIdentityModel = z.looseObject({
  id: z.string(),
  properties: z.looseObject({
    principalId: z.string(),
    tenantId: z.string().optional(),
    clientId: z.string().optional(),
  }),
});

/** A role assignment (Microsoft.Authorization 2022-04-01). */
export const roleAssignmentModel = z.looseObject({
  id: z.string(),
  name: z.string(),
  properties: z.looseObject({ roleDefinitionId: z.string(), principalId: z.string(), scope: z.string() }),
});
export type RoleAssignmentResource = z.output<typeof roleAssignmentModel>;

/** One Activity Log event (Microsoft.Insights EventData, API 2015-04-01): the fields this toolkit reads. */
export const activityLogEventModel = z.looseObject({
  eventTimestamp: z.string(),
  caller: z.string().optional(),
  operationName: z.looseObject({ value: z.string() }),
  status: z.looseObject({ value: z.string() }).optional(),
  authorization: z.looseObject({ scope: z.string().optional() }).optional(),
  resourceId: z.string().optional(),
  tenantId: z.string().optional(),
});
export type ActivityLogEvent = z.output<typeof activityLogEventModel>;

/** One page of an Azure Resource Graph answer (API 2021-03-01, resultFormat objectArray). */
export const resourceGraphPageModel = z.looseObject({
  data: z.array(z.record(z.string(), z.unknown())),
  $skipToken: z.string().optional(),
  /** "true" when Resource Graph cut the answer short (API 2021-03-01 ResultTruncated: "true" | "false"). */
  resultTruncated: z.union([z.string(), z.boolean()]).optional(),
});

/** One entry of a management group's descendants (Management Groups API): a group, or a subscription (`type` "/subscriptions"). */
export const descendantModel = z.looseObject({
  id: z.string(),
  name: z.string(),
  type: z.string(),
});

/** The partner a principal is linked to (Microsoft.ManagementPartner, API 2018-02-01). */
export const partnerModel = z.looseObject({
  properties: z.looseObject({ partnerId: z.string() }),
});
