import { z } from "zod";
import { GUID_PATTERN } from "./guid";
import { offerSchema, roleReferenceInput } from "./offer/schema";
import { builtInRoles } from "./roles/catalog";
import { stackFileSchema } from "./stack/schema";

/**
 * JSON Schemas for editors, generated from the zod schemas the validator runs (so they cannot
 * disagree). Role fields list every built-in role name Azure Lighthouse accepts, for completion.
 */
function toJsonSchema(schema: z.ZodType, id: string, title: string): string {
  const usableRoleNames = builtInRoles.filter((role) => role.lighthouse.usable !== "no").map((role) => role.name);
  const json = z.toJSONSchema(schema, {
    io: "input",
    target: "draft-7",
    override: (context) => {
      if (context.zodSchema !== roleReferenceInput) return;
      const description = context.jsonSchema.description;
      for (const key of Object.keys(context.jsonSchema)) delete context.jsonSchema[key];
      Object.assign(context.jsonSchema, {
        description,
        anyOf: [
          { type: "string", enum: usableRoleNames, description: "A built-in role Azure Lighthouse accepts" },
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
