/**
 * Writes the JSON Schemas editors use to autocomplete and check offer and stack files, generated
 * from the zod schemas the validator runs (so the two cannot disagree):
 *   schemas/offer.schema.json   referenced by `# yaml-language-server: $schema=...` in offers
 *   schemas/stack.schema.json   for stacks/Pulumi.<stack>.yaml
 * Role fields list every built-in role name Azure Lighthouse accepts, so editors complete them.
 *   npm run schema            (re-run after `npm run import-reference` refreshes the roles)
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { GUID_PATTERN } from "../src/guid";
import { offerSchema, roleReferenceInput } from "../src/offer/schema";
import { builtInRoles } from "../src/roles/catalog";
import { stackFileSchema } from "../src/stack/schema";

const usableRoleNames = builtInRoles.filter((role) => role.lighthouse.usable !== "no").map((role) => role.name);

function toJsonSchema(schema: z.ZodType, id: string, title: string): string {
  const json = z.toJSONSchema(schema, {
    io: "input",
    target: "draft-7",
    override: (context) => {
      if (context.zodSchema === roleReferenceInput) {
        const description = context.jsonSchema.description;
        for (const key of Object.keys(context.jsonSchema)) delete context.jsonSchema[key];
        Object.assign(context.jsonSchema, {
          description,
          anyOf: [
            { type: "string", enum: usableRoleNames, description: "A built-in role Azure Lighthouse accepts" },
            { type: "string", pattern: GUID_PATTERN.source, description: "A role definition GUID" },
          ],
        });
      }
    },
  });
  return `${JSON.stringify({ $id: id, title, ...json }, null, 2)}\n`;
}

const root = join(__dirname, "..");
writeFileSync(join(root, "schemas", "offer.schema.json"), toJsonSchema(offerSchema, "offer.schema.json", "Azure Lighthouse offer"));
writeFileSync(join(root, "schemas", "stack.schema.json"), toJsonSchema(stackFileSchema, "stack.schema.json", "Lighthouse customer stack"));
console.log(`schemas/offer.schema.json, schemas/stack.schema.json written (${usableRoleNames.length} role names)`);
