import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { armGuid, isGuid } from "../src/azure/guid";
import { registrationDefinitionGuid } from "../src/offer/model";

// Vectors computed with Python's uuid.uuid5, an implementation independent of ours
// (copied from the reference material by scripts/import-reference.ts).
const vectors = readFileSync(join(__dirname, "fixtures", "arm-guid-vectors.txt"), "utf8")
  .split("\n")
  .filter((line) => line.trim() && !line.startsWith("#"))
  .map((line) => {
    const [args, expected] = line.split("\t");
    return { args: JSON.parse(args) as string[], expected: expected.trim() };
  });

describe("armGuid (ARM template guid())", () => {
  it("has vectors to check against", () => {
    expect(vectors.length).toBeGreaterThanOrEqual(6);
  });

  it.each(vectors)("guid($args) = $expected", ({ args, expected }) => {
    expect(armGuid(...args)).toBe(expected);
  });

  it("is a version-5 RFC 4122 UUID", () => {
    const value = armGuid("anything");
    expect(isGuid(value)).toBe(true);
    expect(value[14]).toBe("5");
    expect(["8", "9", "a", "b"]).toContain(value[19]);
  });

  it("needs at least one argument, as ARM's guid() does", () => {
    expect(() => armGuid()).toThrow("armGuid needs at least one argument");
  });

  it("joins arguments with '-' exactly as ARM does", () => {
    expect(armGuid("a", "b", "c")).toBe(armGuid("a-b-c"));
    expect(armGuid("a", "b")).not.toBe(armGuid("b", "a"));
  });
});

describe("registration definition GUID", () => {
  it("is guid(managedByTenantId, offer name), tenant id in lower case", () => {
    expect(registrationDefinitionGuid("83ace5cd-bcc3-441a-bd86-e6a75360cecc", "Contoso Managed Operations")).toBe(
      "2370eb03-671f-565d-8fcd-c1bc9e0fe4b8",
    );
    expect(registrationDefinitionGuid("83ACE5CD-BCC3-441A-BD86-E6A75360CECC", "Contoso Managed Operations")).toBe(
      "2370eb03-671f-565d-8fcd-c1bc9e0fe4b8",
    );
  });

  it("changes with the managing tenant, so a tenant change is a new definition, never an update", () => {
    expect(registrationDefinitionGuid("de83f4a9-a76a-4025-a91a-91171923eac7", "Contoso Managed Operations")).not.toBe(
      "2370eb03-671f-565d-8fcd-c1bc9e0fe4b8",
    );
  });
});

describe("isGuid", () => {
  it.each(["83ace5cd-bcc3-441a-bd86-e6a75360cecc", "83ACE5CD-BCC3-441A-BD86-E6A75360CECC"])("accepts %s", (value) => {
    expect(isGuid(value)).toBe(true);
  });
  it.each([
    "83ace5cd-bcc3-441a-hd86-e6a75360cecc",
    "83ace5cdbcc3441abd86e6a75360cecc",
    "",
    "{83ace5cd-bcc3-441a-bd86-e6a75360cecc}",
  ])("rejects %s", (value) => {
    expect(isGuid(value)).toBe(false);
  });
});
