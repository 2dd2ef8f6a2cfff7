import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseOffer } from "../src/offer/load";
import { definitionProperties } from "../src/offer/model";

const at = (text: string) =>
  parseOffer("offer.yaml", text).diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.rule ?? d.message}`);

describe("diagnostics point at the YAML node that causes them", () => {
  const offer = `name: Positions
managedByTenantId: 83ace5cd-bcc3-441a-bd86-e6a75360cecc
authorizations:
  - principalId: f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc
    principalIdDisplayName: Support
    role: Owner
  - principalId: 5d7e9f10-2b3c-4d5e-9f60-718293a4b5c6
    principalIdDisplayName: Offboarding
    role: Managed Services Registration assignment Delete Role
eligibleAuthorizations:
  - principalId: f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc
    principalIdDisplayName: Support
    role: Contributor
    justInTimeAccessPolicy:
      maximumActivationDuration: PT12H
`;

  it("rule findings land on the offending value", () => {
    expect(at(offer)).toEqual(["6:11 error role-not-supported", "15:34 error jit-duration"]);
  });

  it("unknown keys land on the key, schema errors on the value", () => {
    const text = offer
      .replace("role: Owner", "rolle: Reader")
      .replace("principalId: 5d7e9f10-2b3c-4d5e-9f60-718293a4b5c6", "principalId: not-a-guid");
    expect(at(text)).toEqual([
      "4:5 error missing required key 'role'",
      "6:5 error unknown key 'rolle'; did you mean 'role'?",
      "7:18 error 'not-a-guid' is not a GUID (expected 8-4-4-4-12 hex digits)",
      // The rules still review every part that could be read.
      "15:34 error jit-duration",
    ]);
  });

  it("unknown role names land on the role, and hide no rule broken elsewhere", () => {
    expect(at(offer.replace("role: Contributor", "role: Contribtor"))).toEqual([
      "6:11 error role-not-supported",
      "13:11 error unknown role 'Contribtor': not an Azure built-in role name; did you mean 'Contributor'?",
      "15:34 error jit-duration",
    ]);
  });
});

describe("bad input: every problem located, with what to do, never an exception", () => {
  it.each([
    ["empty file", "", ["1:1 error file is empty: expected a YAML map"]],
    ["only comments", "# nothing\n", ["1:1 error file is empty: expected a YAML map"]],
    [
      "malformed YAML",
      "name: [unclosed\n",
      ["2:1 error Flow sequence in block collection must be sufficiently indented and end with a ]"],
    ],
    [
      "tabs for indentation",
      "name: x\nauthorizations:\n\t- role: Reader\n",
      ["3:1 error Tabs are not allowed as indentation: indent with spaces"],
    ],
    // A repeated key hides nothing else of the file.
    [
      "duplicate keys",
      "name: a\nname: b\n",
      [
        "1:1 error missing required key 'authorizations'",
        "1:1 error missing required key 'managedByTenantId'",
        "2:1 error key 'name' is repeated (first at line 1): a map holds each key once, so remove one; the last one is checked",
      ],
    ],
    [
      "two documents",
      "name: a\n---\nname: b\n",
      ["2:1 error only one YAML document per file is allowed (found '---' starting another)"],
    ],
    [
      "a list at the top",
      "- name: a\n",
      [
        "1:1 error the file must be a map of keys, found a list; its keys: name, description, managedByTenantId, plan, partner, authorizations, eligibleAuthorizations",
      ],
    ],
    [
      "a scalar at the top",
      "just text\n",
      [
        "1:1 error the file must be a map of keys, found the string 'just text'; its keys: name, description, managedByTenantId, plan, partner, authorizations, eligibleAuthorizations",
      ],
    ],
    [
      "a list where a map belongs",
      "name: a\nmanagedByTenantId: 83ace5cd-bcc3-441a-bd86-e6a75360cecc\nauthorizations: {a: 1}\n",
      ["3:1 error authorizations must be a list, found a map: write one '- ' line per entry"],
    ],
    ["__proto__ keys", "__proto__: {polluted: true}\nname: x\n", ["1:1 error key '__proto__' is not allowed"]],
    [
      "an alias bomb",
      "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
      ["1:1 error YAML aliases expand too far (Excessive alias count indicates a resource exhaustion attack)"],
    ],
    // At the alias, not at 1:1, and not as an expansion problem.
    [
      "an alias without its anchor",
      "name: a\nmanagedByTenantId: *tenant\nauthorizations: []\n",
      ["2:20 error alias *tenant names no anchor: define &tenant on a value above it, or write the value here"],
    ],
    [
      "an alias above its anchor",
      "name: *n\nmanagedByTenantId: &n x\n",
      ["1:7 error alias *n names no anchor: define &n on a value above it, or write the value here"],
    ],
  ])("%s", (_name, text, expected) => {
    expect(at(text)).toEqual(expected);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("allows a modest alias, e.g. a shared approver list", () => {
    const text = `name: Aliases
managedByTenantId: 83ace5cd-bcc3-441a-bd86-e6a75360cecc
authorizations:
  - &support {principalId: f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc, principalIdDisplayName: Support, role: Reader}
  - {principalId: 5d7e9f10-2b3c-4d5e-9f60-718293a4b5c6, principalIdDisplayName: Offboarding, role: Managed Services Registration assignment Delete Role}
  - *support
`;
    expect(at(text)).toEqual(["6:5 error duplicate-authorization"]);
  });
});

describe("the seed's sample registration definition, expressed as an offer", () => {
  const sample = JSON.parse(
    readFileSync(join(__dirname, "fixtures", "seed", "registration-definitions-list.json"), "utf8"),
  ).value[0];
  const properties = sample.properties;
  const approver = properties.eligibleAuthorizations[0].justInTimeAccessPolicy.managedByTenantApprovers[0];
  const offerText = (fix: (id: string) => string) => `name: ${properties.registrationDefinitionName}
description: ${properties.description}
managedByTenantId: ${fix(properties.managedByTenantId)}
plan: {name: ${sample.plan.name}, product: ${sample.plan.product}, publisher: ${sample.plan.publisher}, version: "${sample.plan.version}"}
authorizations:
  - principalId: ${fix(properties.authorizations[0].principalId)}
    principalIdDisplayName: ${properties.authorizations[0].principalIdDisplayName}
    role: Reader
  - principalId: ${properties.authorizations[1].principalId}
    principalIdDisplayName: ${properties.authorizations[1].principalIdDisplayName}
    role: User Access Administrator
    delegatedRoles: [Contributor]
eligibleAuthorizations:
  - principalId: ${properties.eligibleAuthorizations[0].principalId}
    principalIdDisplayName: ${properties.eligibleAuthorizations[0].principalIdDisplayName}
    role: ${properties.eligibleAuthorizations[0].roleDefinitionId}
    justInTimeAccessPolicy:
      multiFactorAuthProvider: Azure
      managedByTenantApprovers:
        - principalId: ${approver.principalId}
          principalIdDisplayName: ${approver.principalIdDisplayName}
`;

  it("as published, its ids with 'g' and 'h' are rejected where they stand", () => {
    expect(at(offerText((id) => id)).filter((line) => line.includes("not a GUID"))).toEqual([
      "3:20 error '83ace5cd-bcc3-441a-hd86-e6a75360cecc' is not a GUID (expected 8-4-4-4-12 hex digits)",
      "6:18 error 'f98g86a2-4cc4-4e6d-ad47-b3e80a1bcdfc' is not a GUID (expected 8-4-4-4-12 hex digits)",
    ]);
  });

  it("with those two ids corrected, resolves to exactly the sample's properties", () => {
    const fix = (id: string) => id.replace("f98g", "f98e").replace("-hd86-", "-bd86-");
    const result = parseOffer("sample.yaml", offerText(fix));
    expect(result.diagnostics.map((d) => d.rule)).toEqual(["recommend-delete-role", "eligible-without-permanent"]);
    const expected = structuredClone(properties);
    for (const readOnly of ["provisioningState", "manageeTenantId", "manageeTenantName", "managedByTenantName"])
      delete expected[readOnly];
    expected.managedByTenantId = fix(expected.managedByTenantId);
    expected.authorizations[0].principalId = fix(expected.authorizations[0].principalId);
    expect(definitionProperties(result.offer!)).toEqual(expected);
    expect(result.offer!.plan).toEqual(sample.plan);
  });
});
