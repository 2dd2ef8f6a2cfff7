import { posix } from "node:path";
import { z } from "zod";
import { NAMING_SCHEMES } from "../delegation";
import { repeats } from "../repeats";
import { didYouMean } from "../suggest";
import { quote } from "../text";
import { guid } from "../offer/schema";
import { resourceGroupName } from "../azure/resourceGroup";
import { systemAssignedIdentitySchema, userAssignedIdentitySchema } from "../identity/schema";

/** The Pulumi project name: the namespace of this toolkit's keys in a stack's config. */
export const PROJECT_NAME = "lighthouse";
export const CUSTOMER_KEY = `${PROJECT_NAME}:customer` as const;
export const DELEGATIONS_KEY = `${PROJECT_NAME}:delegations` as const;
export const MODE_KEY = `${PROJECT_NAME}:mode` as const;
export const IDENTITIES_KEY = `${PROJECT_NAME}:identities` as const;
export const SYSTEM_IDENTITIES_KEY = `${PROJECT_NAME}:systemAssignedIdentities` as const;

/**
 * An existing delegation to bring under Pulumi (its `import` option) instead of creating one:
 * `true` at the toolkit's own GUIDs (e.g. onboarded with `npm run export`), or the GUIDs it was
 * onboarded with (e.g. Microsoft's sample templates). `npm run adopt` writes these.
 */
const adoptSchema = z
  .union([
    z.literal(true),
    z.strictObject({
      registrationDefinitionId: guid.optional().describe("The existing definition's GUID. Default: the toolkit's."),
      registrationAssignmentIds: z
        .array(guid)
        .optional()
        .describe(
          "The existing assignments' GUIDs, one per delegated scope in order (the subscription, or each resource group).",
        ),
    }),
  ])
  .describe("Adopt the existing delegation (Pulumi import) instead of creating it.");

/** Where an offer is delegated in one subscription: the whole subscription, or some of its groups. */
const subscriptionTargetSchema = z
  .strictObject({
    subscriptionId: guid.describe("The customer subscription; its registration definition lives here."),
    name: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .describe("The subscription's display name, shown beside its id in the access matrix. Default: the id only."),
    resourceGroups: z
      .array(resourceGroupName)
      .min(1, { error: "list at least one resource group, or omit resourceGroups to delegate the whole subscription" })
      .optional()
      .describe("Delegate only these resource groups. Default: the whole subscription."),
    adopt: adoptSchema.optional(),
  })
  .superRefine((target, context) => {
    const assignments = target.adopt === true ? undefined : target.adopt?.registrationAssignmentIds;
    const scopes = target.resourceGroups?.length ?? 1;
    if (assignments && assignments.length !== scopes) {
      context.addIssue({
        code: "custom",
        path: ["adopt", "registrationAssignmentIds"],
        message: `${assignments.length} assignment GUID(s) for ${scopes} delegated scope(s): give one per scope, in order`,
      });
    }
  });

/**
 * A management group whose subscriptions, present and future, get the offer through Azure Policy
 * (src/export/policy.ts). Its id as ARM names it: up to 90 letters, digits, `-_.()`, not ending in `.`.
 */
export const managementGroupId = z.string().regex(/^[A-Za-z0-9_.()-]{0,89}[A-Za-z0-9_()-]$/, {
  error: "a management group id is 1 to 90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.'",
});
export const azureLocation = z
  .string()
  .regex(/^[a-z][a-z0-9]*$/, { error: "an Azure region name in lower case without spaces, e.g. westeurope" });

const managementGroupTargetSchema = z.strictObject({
  managementGroupId: managementGroupId.describe("The management group's id (not its display name)."),
  location: azureLocation.describe(
    "Region of the policy assignment's managed identity and of each subscription's deployment.",
  ),
  remediate: z
    .boolean()
    .default(true)
    .describe("Also delegate the subscriptions already in the management group (a remediation task). Default: true."),
});

/** A list that may not have passed its schema: its entries, or none. */
const entriesOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const fieldOf = (value: unknown, key: string): unknown =>
  typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
/** GUIDs and resource group names compare case-insensitively, as Azure compares them. */
const caseless = (value: unknown) => (typeof value === "string" ? value.toLowerCase() : undefined);

/**
 * A subscription listed twice for one offer, a resource group twice in one subscription: read
 * from the entries as written, so that a wrong value elsewhere in the delegation hides neither.
 */
function reportRepeatedTargets(delegation: unknown, context: z.RefinementCtx) {
  const groups = entriesOf(fieldOf(delegation, "managementGroups"));
  for (const { index, first } of repeats(groups, (group) => caseless(fieldOf(group, "managementGroupId")))) {
    context.addIssue({
      code: "custom",
      path: ["managementGroups", index, "managementGroupId"],
      message: `management group ${String(fieldOf(groups[index], "managementGroupId"))} is already listed for this offer (managementGroups[${first}])`,
    });
  }
  const targets = entriesOf(fieldOf(delegation, "subscriptions"));
  for (const { index, first } of repeats(targets, (target) => caseless(fieldOf(target, "subscriptionId")))) {
    context.addIssue({
      code: "custom",
      path: ["subscriptions", index, "subscriptionId"],
      message: `subscription ${String(fieldOf(targets[index], "subscriptionId"))} is already listed for this offer (subscriptions[${first}]); list its resource groups once`,
    });
  }
  targets.forEach((target, index) => {
    const groups = entriesOf(fieldOf(target, "resourceGroups"));
    for (const repeat of repeats(groups, caseless)) {
      context.addIssue({
        code: "custom",
        path: ["subscriptions", index, "resourceGroups", repeat.index],
        message: `resource group ${quote(groups[repeat.index])} is listed twice`,
      });
    }
  });
}

const delegationSchema = z
  .strictObject({
    offer: z
      .string()
      .min(1)
      .transform((path) => posix.normalize(path))
      .describe("Path of the offer file, relative to the project root (where Pulumi.yaml is)."),
    naming: z
      .enum(NAMING_SCHEMES)
      .default("toolkit")
      .describe(
        "How the delegation's resources are named. samples: as Microsoft's onboarding templates name them (guid(mspOfferName); guid(rgName) per resource group), for a customer onboarded with them; needs adopt on each subscription (Pulumi imports the existing delegation). Default: toolkit.",
      ),
    subscriptions: z.array(subscriptionTargetSchema).min(1, { error: "list at least one subscription" }).optional(),
    managementGroups: z
      .array(managementGroupTargetSchema)
      .min(1, { error: "list at least one management group, or omit managementGroups" })
      .optional()
      .describe(
        "Management groups whose subscriptions, present and future, get the offer through an Azure Policy (deployIfNotExists) the stack deploys.",
      ),
  })
  // Listed twice is a fact about the text: it holds even when another field of an entry is wrong.
  .superRefine(reportRepeatedTargets, { when: () => true })
  .superRefine((delegation, context) => {
    if (!delegation.subscriptions && !delegation.managementGroups)
      context.addIssue({
        code: "custom",
        path: [],
        message: "list the subscriptions (or managementGroups) this offer is delegated to",
      });
    // The policy deploys with the toolkit's names; Microsoft's are for adopting what a template made.
    if (delegation.naming === "samples" && delegation.managementGroups)
      context.addIssue({
        code: "custom",
        path: ["managementGroups"],
        message:
          "naming: samples is for subscriptions a template already onboarded; the management-group policy deploys the toolkit's names: list the management group in an entry without naming: samples",
      });
    (delegation.subscriptions ?? []).forEach((target, index) => {
      // Microsoft's names are those of a delegation a template already created: Pulumi can only
      // import it, since azure-native refuses to create an existing resource (provider.go Create).
      if (delegation.naming === "samples" && !target.adopt) {
        context.addIssue({
          code: "custom",
          path: ["subscriptions", index],
          message: `naming: samples names the delegation Microsoft's onboarding template created in subscription ${target.subscriptionId}; pulumi up cannot create it again (azure-native refuses an existing resource): run npm run adopt -- --stack <stack> --write to adopt it, or remove naming: samples to create a delegation with the toolkit's names`,
        });
      }
    });
  });

const customerSchema = z.strictObject({
  name: z.string().min(1).describe("The customer's name, for plans and summaries."),
  tenantId: guid.describe("The customer's Entra tenant: every subscription below belongs to it."),
});

const lighthouseKeys = {
  [CUSTOMER_KEY]: customerSchema,
  // One offer file in two entries is found by the stack loader, which follows links.
  [DELEGATIONS_KEY]: z.array(delegationSchema).default([]),
  [MODE_KEY]: z
    .enum(["onboarding", "managing"])
    .default("onboarding")
    .describe(
      "onboarding: run by an account of the customer's tenant; deploys the delegations, identities and plain role assignments. " +
        "managing: run from the managing tenant through the delegations (deployed elsewhere, listed here); deploys identities only, " +
        "and each role assignment must be allowed by a User Access Administrator authorization. Default: onboarding.",
    ),
  [IDENTITIES_KEY]: z
    .array(userAssignedIdentitySchema)
    .default([])
    .superRefine((identities, context) => {
      const place = (identity: (typeof identities)[number]) =>
        `${identity.subscriptionId}/${identity.resourceGroup}/${identity.name}`.toLowerCase();
      for (const { index, first } of repeats(identities, place)) {
        context.addIssue({
          code: "custom",
          path: [index, "name"],
          message: `identity ${quote(identities[index].name)} is already declared in entry ${first} (same subscription and resource group)`,
        });
      }
    })
    .describe("User-assigned managed identities, their federated credentials and role assignments."),
  [SYSTEM_IDENTITIES_KEY]: z
    .array(systemAssignedIdentitySchema)
    .default([])
    .describe("Role assignments for the system-assigned identity of existing resources."),
};

/**
 * A Pulumi stack file (`stacks/Pulumi.<stack>.yaml`): one customer tenant. Keys of other
 * namespaces and Pulumi's own top-level keys (secrets provider, ...) pass untouched.
 */
export const stackFileSchema = z.looseObject({
  config: z
    .looseObject(lighthouseKeys)
    .refine(
      (config) =>
        config[DELEGATIONS_KEY].length + config[IDENTITIES_KEY].length + config[SYSTEM_IDENTITIES_KEY].length > 0,
      {
        error: `the stack deploys nothing: list ${DELEGATIONS_KEY} (or identities)`,
      },
    )
    .superRefine(
      (config, context) => {
        if (typeof config !== "object" || config === null) return;
        // Managing mode runs in the managing tenant, which Lighthouse gives no management group.
        if (fieldOf(config, MODE_KEY) === "managing")
          entriesOf(fieldOf(config, DELEGATIONS_KEY)).forEach((delegation, index) => {
            if (fieldOf(delegation, "managementGroups") !== undefined)
              context.addIssue({
                code: "custom",
                path: [DELEGATIONS_KEY, index, "managementGroups"],
                message:
                  "managing mode deploys through existing delegations, which never cover a management group: the customer's onboarding stack deploys the management-group policy",
              });
          });
        for (const name of Object.keys(config)) {
          // Namespaces match exactly: 'Lighthouse:delegations' would otherwise be silently ignored.
          if (name.toLowerCase().startsWith(`${PROJECT_NAME}:`) && !(name in lighthouseKeys)) {
            context.addIssue({
              code: "custom",
              path: [name],
              params: { onKey: true },
              message: `unknown config key ${quote(name)}${didYouMean(name, Object.keys(lighthouseKeys))}`,
            });
          }
        }
      },
      // Also when a required key is missing: a misspelt key is usually why it is missing.
      { when: () => true },
    ),
});
