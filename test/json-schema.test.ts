import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jsonSchemas } from "../src/jsonSchema";
import { REPO_ROOT } from "./helpers/project";

describe("JSON Schemas for editors", () => {
  it.each(Object.entries(jsonSchemas()))(
    "schemas/%s is up to date with the zod schema (npm run schema)",
    (file, content) => {
      expect(readFileSync(join(REPO_ROOT, "schemas", file), "utf8")).toBe(content);
    },
  );

  it("offers point editors at the offer schema, and role fields complete role names", () => {
    const offer = JSON.parse(jsonSchemas()["offer.schema.json"]);
    expect(offer.$defs.role.anyOf[0].enum).toContain("Contributor");
    expect(offer.$defs.role.anyOf[0].enum).not.toContain("Owner");
    expect(offer.additionalProperties).toBe(false);
    expect(readFileSync(join(REPO_ROOT, "offers", "contoso-operations.yaml"), "utf8")).toMatch(
      /^# yaml-language-server: \$schema=\.\.\/schemas\/offer\.schema\.json$/m,
    );
  });
});
