import { hasDotSegments } from "../azure/scopes";
import { z } from "zod";
import { GUID_PATTERN } from "../azure/guid";
import { assignableRoleReference, guid } from "../offer/schema";
import {
  DEFAULT_AUDIENCE,
  duplicateSubjectMessage,
  federatedCredentialRule,
  IDENTITY_NAME_PATTERN,
  identityNameMessage,
  MAX_FEDERATED_CREDENTIALS,
  TOO_MANY_CREDENTIALS_MESSAGE,
} from "../rules/identity";
import { repeats } from "../repeats";
import { identityResourceGroupName } from "../azure/resourceGroup";
import { quote } from "../text";

/**
 * Managed identities in a stack file (seed managed-identity-client.md): user-assigned identities
 * with federated credentials and role assignments, and role assignments for the system-assigned
 * identity of an existing resource.
 */

/**
 * An ARM scope inside a subscription: the subscription, a resource group, or a resource.
 * The subscription id is lower-cased so scopes compare and hash the same however typed.
 */
const SCOPE_PATTERN = new RegExp(
  `^/subscriptions/(${GUID_PATTERN.source.slice(1, -1)})((/resourceGroups/[^/]+)(/providers/[^/]+(/[^/]+/[^/]+)+)?)?$`,
  "i",
);
export const scopeSchema = z
  .string()
  // A canonical id only: '..' would make a scope outside a delegated group look inside it.
  .refine((scope) => !hasDotSegments(scope), {
    error: (issue) => `${quote(issue.input)} has '.' or '..' segments: write the scope as a plain ARM id`,
  })
  .refine((scope) => SCOPE_PATTERN.test(scope), {
    error: (issue) =>
      `${quote(issue.input)} is not an ARM scope (/subscriptions/<id>[/resourceGroups/<name>[/providers/...]])`,
    // One message per scope; not zod's `abort`, which would also stop the checks around it.
    when: (payload) => typeof payload.value === "string" && !hasDotSegments(payload.value),
  })
  .transform((scope) =>
    scope.replace(/^\/subscriptions\/([^/]+)/i, (_, id: string) => `/subscriptions/${id.toLowerCase()}`),
  )
  .transform((scope) => scope.replace(/\/resourcegroups\//i, "/resourceGroups/"));

/** The resource id of an existing resource in a resource group (one with a system-assigned identity). */
export const resourceIdSchema = scopeSchema.refine((scope) => scope.includes("/providers/"), {
  error: (issue) =>
    `${quote(issue.input)} is not a resource id (/subscriptions/<id>/resourceGroups/<name>/providers/<namespace>/<type>/<name>)`,
});

export const roleAssignmentSchema = z.strictObject({
  role: assignableRoleReference,
  scope: scopeSchema.describe("Where the role applies: inside the customer's delegated scopes."),
  description: z.string().optional(),
});

const federatedCredentialSchema = federatedCredentialRule.extend({
  audiences: federatedCredentialRule.shape.audiences
    .default([DEFAULT_AUDIENCE])
    .describe(`Token audiences. Default: [${DEFAULT_AUDIENCE}].`),
});

export const userAssignedIdentitySchema = z
  .strictObject({
    name: z.string().regex(IDENTITY_NAME_PATTERN, { error: (issue) => identityNameMessage(issue.input) }),
    subscriptionId: guid,
    resourceGroup: identityResourceGroupName,
    location: z.string().regex(/^[a-zA-Z0-9]+$/, {
      error: (issue) => `location ${quote(issue.input)} must be a region name such as westeurope`,
    }),
    tags: z
      .record(z.string().min(1).max(512), z.string().max(256))
      .refine((tags) => Object.keys(tags).length <= 50, { error: "at most 50 tags" })
      .optional(),
    isolationScope: z
      .enum(["None", "Regional"])
      .optional()
      .describe("Regional keeps the identity's data in its region (API 2024-11-30). Default: not set."),
    federatedCredentials: z
      .array(federatedCredentialSchema)
      .max(MAX_FEDERATED_CREDENTIALS, { error: TOO_MANY_CREDENTIALS_MESSAGE })
      .default([]),
    roleAssignments: z.array(roleAssignmentSchema).default([]),
  })
  .superRefine((identity, context) => {
    const credentials = identity.federatedCredentials;
    for (const { index, first } of repeats(credentials, (credential) => credential.name.toLowerCase())) {
      context.addIssue({
        code: "custom",
        path: ["federatedCredentials", index, "name"],
        message: `credential name ${quote(credentials[index].name)} is already used by federatedCredentials[${first}]`,
      });
    }
    for (const { index, first } of repeats(
      credentials,
      (credential) => `${credential.issuer}\n${credential.subject}`,
    )) {
      context.addIssue({
        code: "custom",
        path: ["federatedCredentials", index, "subject"],
        message: duplicateSubjectMessage(first),
      });
    }
  });

export const systemAssignedIdentitySchema = z.strictObject({
  resourceId: resourceIdSchema.describe("The existing resource whose system-assigned identity receives the roles."),
  roleAssignments: z.array(roleAssignmentSchema).min(1, { error: "list at least one role assignment" }),
});

export type UserAssignedIdentityDocument = z.output<typeof userAssignedIdentitySchema>;
export type SystemAssignedIdentityDocument = z.output<typeof systemAssignedIdentitySchema>;
