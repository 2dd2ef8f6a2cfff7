import { z } from "zod";
import { quote } from "../text";

/**
 * Azure's resource group name rule (docs: resource-name-rules, Microsoft.Resources/resourcegroups):
 * 1 to 90 characters of letters (any script), digits, underscores, hyphens, periods and
 * parentheses, not ending in a period. ARM checks it with .NET's `^[-\w._()]+$`, where `\w` is
 * Unicode letters, marks, decimal digits and connector punctuation.
 */
export const RESOURCE_GROUP_NAME_PATTERN = /^[-\p{L}\p{Mn}\p{Nd}\p{Pc}.()]{0,89}[-\p{L}\p{Mn}\p{Nd}\p{Pc}()]$/u;

export const resourceGroupName = z
  .string()
  .min(1)
  .max(90, { error: (issue) => `resource group name ${quote(issue.input)} is longer than 90 characters` })
  .regex(RESOURCE_GROUP_NAME_PATTERN, {
    error: (issue) =>
      `${quote(issue.input)} is not a valid resource group name (letters, digits, '.', '_', '-', '(', ')'; not ending in '.')`,
  });
