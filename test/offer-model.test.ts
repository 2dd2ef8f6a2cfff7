import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadOffer, parseOffer } from "../src/offer/load";
import { definitionProperties } from "../src/offer/model";

const OFFER = `name: Minimal
managedByTenantId: 83ace5cd-bcc3-441a-bd86-e6a75360cecc
authorizations:
  - principalId: f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc
    role: Reader
  - principalId: 5d7e9f10-2b3c-4d5e-9f60-718293a4b5c6
    principalIdDisplayName: Offboarding
    role: Managed Services Registration assignment Delete Role
`;
/** The errors (the minimal offer's one warning, the first authorization's missing display name, aside). */
const errors = (text: string) =>
  parseOffer("offer.yaml", text)
    .diagnostics.filter((d) => d.severity === "error")
    .map((d) => `${d.line}:${d.column} ${d.severity} ${d.message}`);

describe("the offer model", () => {
  it("leaves out what the file leaves out: no description, no display name, no eligible list (keys, not undefined values)", () => {
    const { offer } = parseOffer("offer.yaml", OFFER);
    const properties = definitionProperties(offer!);
    expect(Object.keys(offer!)).not.toContain("description");
    expect(Object.keys(properties)).toEqual(["registrationDefinitionName", "managedByTenantId", "authorizations"]);
    expect(properties.authorizations.map((authorization) => Object.keys(authorization))).toEqual([
      ["principalId", "roleDefinitionId"],
      ["principalId", "principalIdDisplayName", "roleDefinitionId"],
    ]);
  });

  it("calls a value in angle brackets a placeholder, and anything else that is no GUID just that", () => {
    const tenant = (value: string) => errors(OFFER.replace("83ace5cd-bcc3-441a-bd86-e6a75360cecc", value));
    expect(tenant("<managing tenant id>")).toEqual([
      "2:20 error '<managing tenant id>' is a placeholder: replace it with a GUID (8-4-4-4-12 hex digits)",
    ]);
    expect(tenant("tenant <id>")).toEqual(["2:20 error 'tenant <id>' is not a GUID (expected 8-4-4-4-12 hex digits)"]);
    expect(tenant("<id> here")).toEqual(["2:20 error '<id> here' is not a GUID (expected 8-4-4-4-12 hex digits)"]);
  });

  it("a file that cannot be read is one located error", () => {
    const missing = join(mkdtempSync(join(tmpdir(), "offer-")), "nope.yaml");
    expect(loadOffer(missing)).toEqual({
      diagnostics: [
        { file: missing, line: 1, column: 1, severity: "error", message: "cannot read file: no such file" },
      ],
    });
  });
});
