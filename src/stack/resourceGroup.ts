import { z } from "zod";

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
