/**
 * npm run schema: writes schemas/offer.schema.json (referenced by the offers' `$schema` lines)
 * and schemas/stack.schema.json from the zod schemas (src/jsonSchema.ts). Re-run after a schema
 * change or `npm run import-reference`; a test fails while the committed files are stale.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { jsonSchemas } from "../src/jsonSchema";
import { TOOLKIT_ROOT } from "../src/project/paths";

for (const [file, content] of Object.entries(jsonSchemas())) {
  writeFileSync(join(TOOLKIT_ROOT, "schemas", file), content);
  console.log(`schemas/${file}`);
}
