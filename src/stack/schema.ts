import { posix } from "node:path";
import { z } from "zod";
import { didYouMean } from "../suggest";
import { guid } from "../offer/schema";

/** The Pulumi project name: the namespace of this toolkit's keys in a stack's config. */
export const PROJECT_NAME = "lighthouse";
export const CUSTOMER_KEY = `${PROJECT_NAME}:customer` as const;
export const DELEGATIONS_KEY = `${PROJECT_NAME}:delegations` as const;

/** Azure's resource group name rule (seed managed-identity-client.md, "Parameter Constraints"). */
export const RESOURCE_GROUP_NAME_PATTERN = /^[a-zA-Z0-9._()-]*[a-zA-Z0-9_()]$/;

export const resourceGroupName = z
  .string()
  .min(1)
  .max(90, { error: (issue) => `resource group name '${String(issue.input)}' is longer than 90 characters` })
  .regex(RESOURCE_GROUP_NAME_PATTERN, {
    error: (issue) =>
      `'${String(issue.input)}' is not a valid resource group name (letters, digits, '.', '_', '-', '(', ')'; not ending in '.' or '-')`,
  });

/** Where an offer is delegated in one subscription: the whole subscription, or some of its groups. */
const subscriptionTargetSchema = z.strictObject({
  subscriptionId: guid.describe("The customer subscription; its registration definition lives here."),
  resourceGroups: z
    .array(resourceGroupName)
    .min(1, { error: "list at least one resource group, or omit resourceGroups to delegate the whole subscription" })
    .optional()
    .describe("Delegate only these resource groups. Default: the whole subscription."),
});

const delegationSchema = z
  .strictObject({
    offer: z
      .string()
      .min(1)
      .transform((path) => posix.normalize(path))
      .describe("Path of the offer file, relative to the project root (where Pulumi.yaml is)."),
    subscriptions: z.array(subscriptionTargetSchema).min(1, { error: "list at least one subscription" }),
  })
  .superRefine((delegation, context) => {
    const seenSubscriptions = new Map<string, number>();
    delegation.subscriptions.forEach((target, index) => {
      const first = seenSubscriptions.get(target.subscriptionId);
      if (first !== undefined) {
        context.addIssue({
          code: "custom",
          path: ["subscriptions", index, "subscriptionId"],
          message: `subscription ${target.subscriptionId} is already listed for this offer (subscriptions[${first}]); list its resource groups once`,
        });
      }
      seenSubscriptions.set(target.subscriptionId, index);
      const seenGroups = new Set<string>();
      target.resourceGroups?.forEach((group, groupIndex) => {
        // Azure resource group names are case-insensitive.
        if (seenGroups.has(group.toLowerCase())) {
          context.addIssue({
            code: "custom",
            path: ["subscriptions", index, "resourceGroups", groupIndex],
            message: `resource group '${group}' is listed twice`,
          });
        }
        seenGroups.add(group.toLowerCase());
      });
    });
  });

const customerSchema = z.strictObject({
  name: z.string().min(1).describe("The customer's name, for plans and summaries."),
  tenantId: guid.describe("The customer's Entra tenant: every subscription below belongs to it."),
});

const lighthouseKeys = {
  [CUSTOMER_KEY]: customerSchema,
  [DELEGATIONS_KEY]: z
    .array(delegationSchema)
    .min(1, { error: "list at least one delegation" })
    .superRefine((delegations, context) => {
      const seenOffers = new Map<string, number>();
      delegations.forEach((delegation, index) => {
        const first = seenOffers.get(delegation.offer);
        if (first !== undefined) {
          context.addIssue({
            code: "custom",
            path: [index, "offer"],
            message: `offer ${delegation.offer} is already delegated in entry ${first}; list all its subscriptions there`,
          });
        }
        seenOffers.set(delegation.offer, index);
      });
    }),
};

/**
 * A Pulumi stack file (`stacks/Pulumi.<stack>.yaml`): one customer tenant. Keys of other
 * namespaces and Pulumi's own top-level keys (secrets provider, ...) pass untouched.
 */
export const stackFileSchema = z.looseObject({
  config: z.looseObject(lighthouseKeys).superRefine(
    (config, context) => {
      if (typeof config !== "object" || config === null) return;
      for (const name of Object.keys(config)) {
      if (name.startsWith(`${PROJECT_NAME}:`) && !(name in lighthouseKeys)) {
        context.addIssue({
          code: "custom",
          path: [name],
          params: { onKey: true },
          message: `unknown config key '${name}'${didYouMean(name, Object.keys(lighthouseKeys))}`,
          });
        }
      }
    },
    // Also when a required key is missing: a misspelt key is usually why it is missing.
    { when: () => true },
  ),
});

export type StackFileDocument = z.output<typeof stackFileSchema>;
