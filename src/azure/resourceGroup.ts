import { z } from "zod";
import { quote } from "../text";

/**
 * Azure's resource group name rule (docs: resource-name-rules, Microsoft.Resources/resourcegroups):
 * 1 to 90 characters of letters (any script), digits, underscores, hyphens, periods and
 * parentheses, not ending in a period. ARM checks it with .NET's `^[-\w._()]+$`, where `\w` is
 * Unicode letters, marks, decimal digits and connector punctuation.
 */
// The length is `.max(90)`'s to report: a long name breaks one rule, not two.
export const RESOURCE_GROUP_NAME_PATTERN = /^[-\p{L}\p{Mn}\p{Nd}\p{Pc}.()]*[-\p{L}\p{Mn}\p{Nd}\p{Pc}()]$/u;

export const resourceGroupName = z
  .string()
  .min(1)
  .max(90, { error: (issue) => `resource group name ${quote(issue.input)} is longer than 90 characters` })
  .regex(RESOURCE_GROUP_NAME_PATTERN, {
    error: (issue) =>
      `${quote(issue.input)} is not a valid resource group name (letters, digits, '.', '_', '-', '(', ')'; not ending in '.')`,
  });

/**
 * For a narrower rule's check: run only on names that pass Azure's general rule, so that a name
 * breaking it gets one message. (zod's `abort` would do so too, but would also stop every check
 * of the objects around the name, such as "resource group listed twice".)
 */
const passesGeneralRule = (payload: { value: unknown }) =>
  typeof payload.value === "string" && RESOURCE_GROUP_NAME_PATTERN.test(payload.value);

/**
 * The managed-identity API's own constraint on `resourceGroupName` (seed managed-identity-client.md,
 * "Parameter Constraints"): ASCII only, and no trailing '-' either. Identities are deployed through
 * that API, so their resource groups must pass it.
 */
export const MANAGED_IDENTITY_RESOURCE_GROUP_PATTERN = /^[a-zA-Z0-9._()-]*[a-zA-Z0-9_()]$/;

export const identityResourceGroupName = resourceGroupName.refine(
  (name) => MANAGED_IDENTITY_RESOURCE_GROUP_PATTERN.test(name),
  {
    error: (issue) =>
      `${quote(issue.input)} is accepted by Azure for resource groups, but not by the managed-identity API (ASCII letters, digits, '.', '_', '-', '(', ')'; ending in a letter, digit, '_', '(' or ')')`,
    when: passesGeneralRule,
  },
);
