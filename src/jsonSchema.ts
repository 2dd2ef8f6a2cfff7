import { z } from "zod";
import { GUID_PATTERN } from "./azure/guid";
import { assignableRoleReferenceInput, offerSchema, roleReferenceInput } from "./offer/schema";
import { builtInRoles } from "./roles/catalog";
import { stackFileSchema } from "./stack/schema";

/**
 * JSON Schemas for editors, generated from the zod schemas the validator runs (so they cannot
 * disagree). Role fields list every built-in role name Azure Lighthouse accepts, for completion.
 */
function toJsonSchema(schema: z.ZodType, id: string, title: string): string {
  const roleNames = new Map<unknown, { names: string[]; description: string }>([
    [
      roleReferenceInput,
      {
        names: builtInRoles.filter((role) => role.lighthouse.usable !== "no").map((role) => role.name),
        description: "A built-in role Azure Lighthouse accepts",
      },
    ],
    [assignableRoleReferenceInput, { names: builtInRoles.map((role) => role.name), description: "A built-in role" }],
  ]);
  const json = z.toJSONSchema(schema, {
    io: "input",
    target: "draft-2020-12",
    override: (context) => {
      const roles = roleNames.get(context.zodSchema);
      if (!roles) return;
      const description = context.jsonSchema.description;
      for (const key of Object.keys(context.jsonSchema)) delete context.jsonSchema[key];
      Object.assign(context.jsonSchema, {
        description,
        anyOf: [
          { type: "string", enum: roles.names, description: roles.description },
          { type: "string", pattern: GUID_PATTERN.source, description: "A role definition GUID" },
        ],
      });
    },
  });
  return `${JSON.stringify({ $id: id, title, ...json }, null, 2)}\n`;
}

/** File name under schemas/ → its content. */
export function jsonSchemas(): Record<string, string> {
  return {
    "offer.schema.json": toJsonSchema(offerSchema, "offer.schema.json", "Azure Lighthouse offer"),
    "stack.schema.json": toJsonSchema(stackFileSchema, "stack.schema.json", "Lighthouse customer stack"),
  };
}
