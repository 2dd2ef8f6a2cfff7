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
    // One message for a name that breaks the general rule; narrower rules below only for the rest.
    abort: true,
  });

/**
 * The managed-identity API's own constraint on `resourceGroupName` (seed managed-identity-client.md,
 * "Parameter Constraints"): ASCII only, and no trailing '-' either. Identities are deployed through
 * that API, so their resource groups must pass it.
 */
export const MANAGED_IDENTITY_RESOURCE_GROUP_PATTERN = /^[a-zA-Z0-9._()-]*[a-zA-Z0-9_()]$/;

export const identityResourceGroupName = resourceGroupName.regex(MANAGED_IDENTITY_RESOURCE_GROUP_PATTERN, {
  error: (issue) =>
    `${quote(issue.input)} is accepted by Azure for resource groups, but not by the managed-identity API (ASCII letters, digits, '.', '_', '-', '(', ')'; ending in a letter, digit, '_', '(' or ')')`,
});
