import { JIT_DEFAULTS } from "../azure/definitions";
import { z } from "zod";
import { GUID_PATTERN } from "../azure/guid";
import { durationSeconds } from "../azure/duration";
import { builtInRoleIds, builtInRoleNames, roleById, roleByName, unknownRoleMessage } from "../roles/catalog";
import { closestMatch } from "../suggest";
import { quote } from "../text";

/**
 * The offer file format: one Lighthouse registration definition in the REST API's own
 * vocabulary (seed registration-definitions-list-api.txt), with role names instead of GUIDs.
 * Structure only; the Lighthouse rules over the whole definition live in src/rules.
 */

/** Tenant, principal and role ids; lower-cased so that case never changes a derived GUID. */
export const guid = z
  .string()
  .regex(GUID_PATTERN, {
    error: (issue) =>
      /^<.*>$/s.test(String(issue.input))
        ? `${quote(issue.input)} is a placeholder: replace it with a GUID (8-4-4-4-12 hex digits)`
        : `${quote(issue.input)} is not a GUID (expected 8-4-4-4-12 hex digits)`,
  })
  .transform((value) => value.toLowerCase());

export const principalType = z
  .enum(["User", "Group", "ServicePrincipal"])
  .describe("Kind of Entra principal, when known: lets the rules about users and service principals apply.");

/** The text an ops engineer types for a role in an offer: a role Lighthouse can delegate. */
export const roleReferenceInput = z
  .string()
  .min(1)
  .meta({ id: "role", description: "An Azure built-in role: its name (e.g. Reader) or its role definition GUID." });

/** The text for a role assigned to a managed identity: any built-in role, DataActions included. */
export const assignableRoleReferenceInput = z.string().min(1).meta({
  id: "assignableRole",
  description: "Any Azure built-in role: its name (e.g. Storage Blob Data Reader) or its role definition GUID.",
});

/** Hex digits and dashes only, about as long as a GUID: a role id mistyped, not a role name. */
const LOOKS_LIKE_GUID = /^[0-9a-f]{4,}(?:-[0-9a-f]*){2,}$/i;

/** A role reference resolved to the role definition id the API takes, keeping the name for people. */
const resolvedRole = (input: z.ZodString) =>
  input.transform((value, context) => {
    if (GUID_PATTERN.test(value)) {
      const id = value.toLowerCase();
      return { roleDefinitionId: id, roleName: roleById(id)?.name ?? id };
    }
    const role = roleByName(value);
    if (!role && LOOKS_LIKE_GUID.test(value)) {
      const near = closestMatch(value.toLowerCase(), builtInRoleIds);
      context.addIssue({
        code: "custom",
        message: `${quote(value)} is not a GUID (a role definition id has 8-4-4-4-12 hex digits)${near ? `; did you mean ${near} (${roleById(near)!.name})?` : ""}`,
        input: value,
      });
      return z.NEVER;
    }
    if (!role) {
      context.addIssue({
        code: "custom",
        message: unknownRoleMessage(value),
        input: value,
        params: { suggestFrom: builtInRoleNames },
      });
      return z.NEVER;
    }
    return { roleDefinitionId: role.id, roleName: role.name };
  });

export const roleReference = resolvedRole(roleReferenceInput);
export const assignableRoleReference = resolvedRole(assignableRoleReferenceInput);

const duration = z.string().refine((value) => durationSeconds(value) !== undefined, {
  error: (issue) => `${quote(issue.input)} is not an ISO 8601 duration such as PT30M or PT4H`,
});

const principal = {
  principalId: guid.describe("Object id of the Entra user, group or service principal in the managing tenant."),
  principalIdDisplayName: z
    .string()
    .min(1)
    .optional()
    .describe("Display name shown in the customer's portal, plans and reviews. Optional for the API; recommended."),
  principalType: principalType.optional(),
};

export const approverSchema = z.strictObject(principal);

export const justInTimeAccessPolicySchema = z.strictObject({
  multiFactorAuthProvider: z
    .enum(["Azure", "None"])
    .default(JIT_DEFAULTS.multiFactorAuthProvider)
    .describe(
      `Multi-factor authentication on activation. Default: ${JIT_DEFAULTS.multiFactorAuthProvider} (the API's default).`,
    ),
  maximumActivationDuration: duration
    .default(JIT_DEFAULTS.maximumActivationDuration)
    .describe(
      `Longest activation, ISO 8601, PT30M to PT8H. Default: ${JIT_DEFAULTS.maximumActivationDuration} (the API's default).`,
    ),
  managedByTenantApprovers: z
    .array(approverSchema)
    .optional()
    .describe("Who approves activations (at most 10, no service principals). None: no approval needed."),
});

export const authorizationSchema = z.strictObject({
  ...principal,
  role: roleReference,
  delegatedRoles: z
    .array(roleReference)
    .optional()
    .describe("User Access Administrator only: the roles it may assign to managed identities."),
});

export const eligibleAuthorizationSchema = z.strictObject({
  ...principal,
  role: roleReference,
  // Accepted by the schema so that the rule can say why it is wrong (src/rules), not "unknown key".
  delegatedRoles: z.array(roleReference).optional().describe("Not allowed on eligible authorizations."),
  justInTimeAccessPolicy: justInTimeAccessPolicySchema
    .prefault({})
    .describe("Just-in-time activation policy. Default: no MFA requirement, PT8H, no approvers."),
});

export const planSchema = z
  .strictObject({
    name: z.string().min(1),
    product: z.string().min(1),
    publisher: z.string().min(1),
    version: z.string().min(1),
  })
  .describe("Azure Marketplace plan: all four fields or none.");

/**
 * Partner recognition (Partner Admin Link): the Microsoft partner ID the managing tenant works
 * under, and the principal linked to it, which should hold a permanent role that earns credit.
 */
export const partnerSchema = z
  .strictObject({
    partnerId: z
      .string()
      .regex(/^[0-9]{1,10}$/, {
        error: "a partner ID is the Associated Partner ID of the partner profile: digits only",
      })
      .describe("The Associated Partner ID (Microsoft AI Cloud Partner Program) to be credited."),
    principalId: guid.describe("Object id of the principal linked to that partner ID (Partner Admin Link)."),
  })
  .describe("Partner recognition: the partner ID and the principal linked to it.");

export const offerSchema = z
  .strictObject({
    name: z.string().min(1).describe("registrationDefinitionName: the offer's name, shown to the customer."),
    description: z.string().optional().describe("What the offer is for, shown to the customer."),
    managedByTenantId: guid.describe("The managing (service provider's) Entra tenant id."),
    plan: planSchema.optional(),
    partner: partnerSchema.optional(),
    authorizations: z.array(authorizationSchema).describe("Permanent access: at least one is required."),
    eligibleAuthorizations: z
      .array(eligibleAuthorizationSchema)
      .default([])
      .describe("Just-in-time (PIM) access, activated on demand."),
  })
  .describe("An Azure Lighthouse offer: one registration definition.");

export type OfferDocument = z.output<typeof offerSchema>;
