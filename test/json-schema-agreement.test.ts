import Ajv2020 from "ajv/dist/2020";
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { OfferCache } from "../src/offer/cache";
import { loadOffer } from "../src/offer/load";
import { loadStack } from "../src/stack/load";
import { REPO_ROOT } from "./helpers/project";

/**
 * The committed JSON Schemas (what editors check as people type) and `npm run validate` agree on
 * structure: a real JSON Schema 2020-12 validator (ajv) against the committed files, over every
 * shipped offer and stack, Microsoft's samples converted, and a corpus of broken files.
 */
const ajv = new Ajv2020({ allErrors: true, strict: true });
const schema = (name: string) => ajv.compile(JSON.parse(readFileSync(join(REPO_ROOT, "schemas", name), "utf8")));
const offerSchema = schema("offer.schema.json");
const stackSchema = schema("stack.schema.json");
const yamlIn = (folder: string) =>
  readdirSync(folder)
    .filter((name) => name.endsWith(".yaml"))
    .map((name) => join(folder, name));
const read = (file: string) => parse(readFileSync(file, "utf8"));
/** Structural findings: the ones no Lighthouse rule made (rules have ids). */
const structuralErrors = (diagnostics: Array<{ severity: string; rule?: string }>) =>
  diagnostics.filter((d) => d.severity === "error" && !d.rule);

const SAMPLES = join(__dirname, "fixtures", "samples");
const BROKEN = join(__dirname, "fixtures", "multi-error");
/** The broken offers a JSON parser reads at all: a repeated key is YAML's to report (editors' YAML servers do), not a schema's. */
const brokenOffers = () =>
  yamlIn(BROKEN).filter((file) => !basename(file).startsWith("Pulumi.") && basename(file) !== "11-one-hides-none.yaml");

describe("JSON Schemas and the validator agree", () => {
  it.each(yamlIn(join(REPO_ROOT, "offers")))("shipped offer %s: both accept", (file) => {
    expect(loadOffer(file).diagnostics).toEqual([]);
    expect(offerSchema(read(file)), JSON.stringify(offerSchema.errors)).toBe(true);
  });

  it.each(yamlIn(join(REPO_ROOT, "stacks")))("shipped stack %s: both accept", (file) => {
    expect(loadStack(file, new OfferCache()).diagnostics).toEqual([]);
    expect(stackSchema(read(file)), JSON.stringify(stackSchema.errors)).toBe(true);
  });

  // Rule findings (Owner, a JIT policy out of range) are the validator's alone: files with only
  // those are structurally fine, and the schema accepts them.
  it.each([...yamlIn(SAMPLES), ...brokenOffers()].map((file) => [basename(file), file]))(
    "offer %s: the schema refuses exactly when the validator finds a structural error",
    (_name, file) => {
      const structural = structuralErrors(loadOffer(file).diagnostics);
      expect(offerSchema(read(file)), JSON.stringify(structural)).toBe(structural.length === 0);
    },
  );

  it("the broken corpus is mostly structural: at least 8 of its offers are refused by both", () => {
    const refusedByBoth = brokenOffers().filter(
      (file) => structuralErrors(loadOffer(file).diagnostics).length > 0 && !offerSchema(read(file)),
    );
    expect(refusedByBoth.length).toBeGreaterThanOrEqual(8);
  });

  it.each(yamlIn(BROKEN).filter((file) => basename(file).startsWith("Pulumi.")))(
    "broken stack %s: both refuse",
    (file) => {
      expect(stackSchema(read(file))).toBe(false);
    },
  );

  it("a role assigned to an identity may have DataActions; an offer's role may not", () => {
    const identityRole = stackSchema.schema as { $defs: Record<string, { anyOf: Array<{ enum?: string[] }> }> };
    expect(identityRole.$defs.assignableRole.anyOf[0].enum).toContain("Storage Blob Data Contributor");
    const offerRole = offerSchema.schema as { $defs: Record<string, { anyOf: Array<{ enum?: string[] }> }> };
    expect(offerRole.$defs.role.anyOf[0].enum).not.toContain("Storage Blob Data Contributor");
  });
});
