import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { OfferCache } from "../src/offer/cache";
import { loadNamedStack, loadStack } from "../src/stack/load";
import { PROJECT_NAME } from "../src/stack/schema";
import { REPO_ROOT, tempProject } from "./helpers/project";

const FABRIKAM = readFileSync(join(REPO_ROOT, "stacks", "Pulumi.fabrikam.yaml"), "utf8");

function loadWith(stackText: string, files: Record<string, string> = {}) {
  const root = tempProject({ "stacks/Pulumi.test.yaml": stackText, ...files });
  const offers = new OfferCache();
  const result = loadStack(join(root, "stacks", "Pulumi.test.yaml"), offers);
  return {
    ...result,
    lines: result.diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.message}`),
  };
}

describe("stack files", () => {
  it("Pulumi.yaml's project name is the config namespace the loader reads", () => {
    expect(parse(readFileSync(join(REPO_ROOT, "Pulumi.yaml"), "utf8")).name).toBe(PROJECT_NAME);
  });

  it("the example stacks resolve, grouped per subscription", () => {
    const offers = new OfferCache();
    const fabrikam = loadStack(join(REPO_ROOT, "stacks", "Pulumi.fabrikam.yaml"), offers);
    expect(fabrikam.diagnostics).toEqual([]);
    expect(fabrikam.stack?.customer).toEqual({ name: "Fabrikam", tenantId: "0e06d6a3-55ae-40a3-ac29-350808980808" });
    expect(
      fabrikam.stack?.subscriptions.map((s) => [s.subscriptionId, s.delegations.map((d) => d.offer.name)]),
    ).toEqual([
      ["0afefe50-734e-4610-8a82-a144a2f49dea", ["Contoso Managed Operations", "Contoso Escalation"]],
      ["6c8b2e14-9d3f-4a5b-8c7d-1e2f3a4b5c6d", ["Contoso Managed Operations"]],
    ]);
    const northwind = loadStack(join(REPO_ROOT, "stacks", "Pulumi.northwind.yaml"), offers);
    expect(northwind.stack?.subscriptions.map((s) => s.delegations[0].resourceGroups)).toEqual([
      ["rg-app", "rg-data"],
      ["rg-shared"],
    ]);
    // One offer file, parsed once for both stacks.
    expect(northwind.stack?.subscriptions[0].delegations[0].offer).toBe(
      fabrikam.stack?.subscriptions[0].delegations[0].offer,
    );
  });

  it.each([
    [
      "an unknown offer path",
      FABRIKAM.replace("offers/contoso-escalation.yaml", "offers/nope.yaml"),
      "12:14 error offer file offers/nope.yaml not found (paths are relative to",
    ],
    [
      "a subscription listed twice",
      FABRIKAM.replace("6c8b2e14-9d3f-4a5b-8c7d-1e2f3a4b5c6d", "0afefe50-734e-4610-8a82-a144a2f49dea"),
      "11:27 error subscription 0afefe50-734e-4610-8a82-a144a2f49dea is already listed for this offer (subscriptions[0])",
    ],
    [
      "an invalid resource group name",
      FABRIKAM.replace(
        "- subscriptionId: 6c8b2e14-9d3f-4a5b-8c7d-1e2f3a4b5c6d",
        "- subscriptionId: 6c8b2e14-9d3f-4a5b-8c7d-1e2f3a4b5c6d\n          resourceGroups: [rg-ok, bad-name.]",
      ),
      "12:35 error 'bad-name.' is not a valid resource group name",
    ],
    [
      "a resource group name over 90 characters",
      FABRIKAM.replace(
        "- subscriptionId: 6c8b2e14-9d3f-4a5b-8c7d-1e2f3a4b5c6d",
        `- subscriptionId: 6c8b2e14-9d3f-4a5b-8c7d-1e2f3a4b5c6d\n          resourceGroups: [${"r".repeat(91)}]`,
      ),
      "12:28 error resource group name 'rrrr",
    ],
    [
      "the same resource group twice (case-insensitive)",
      FABRIKAM.replace(
        "- subscriptionId: 6c8b2e14-9d3f-4a5b-8c7d-1e2f3a4b5c6d",
        "- subscriptionId: 6c8b2e14-9d3f-4a5b-8c7d-1e2f3a4b5c6d\n          resourceGroups: [rg-app, RG-App]",
      ),
      "12:36 error resource group 'RG-App' is listed twice",
    ],
    [
      "an empty resource group list",
      FABRIKAM.replace(
        "- subscriptionId: 6c8b2e14-9d3f-4a5b-8c7d-1e2f3a4b5c6d",
        "- subscriptionId: 6c8b2e14-9d3f-4a5b-8c7d-1e2f3a4b5c6d\n          resourceGroups: []",
      ),
      "12:11 error list at least one resource group, or omit resourceGroups to delegate the whole subscription",
    ],

    [
      "an unknown lighthouse: key",
      FABRIKAM.replace("lighthouse:delegations:", "lighthouse:delegation:"),
      "7:3 error unknown config key 'lighthouse:delegation'; did you mean 'lighthouse:delegations'?",
    ],
    [
      "the same offer in two entries",
      FABRIKAM.replace("offers/contoso-escalation.yaml", "offers/contoso-operations.yaml"),
      "12:14 error offer 'offers/contoso-operations.yaml' is the same file as entry 0; list all its subscriptions there",
    ],
    [
      "adopt with one assignment GUID for two resource groups",
      FABRIKAM.replace(
        "- subscriptionId: 6c8b2e14-9d3f-4a5b-8c7d-1e2f3a4b5c6d",
        "- subscriptionId: 6c8b2e14-9d3f-4a5b-8c7d-1e2f3a4b5c6d\n          resourceGroups: [rg-a, rg-b]\n          adopt: {registrationAssignmentIds: [2370eb03-671f-565d-8fcd-c1bc9e0fe4b8]}",
      ),
      "13:19 error 1 assignment GUID(s) for 2 delegated scope(s): give one per scope, in order",
    ],
    [
      "a customer without tenant",
      FABRIKAM.replace("    tenantId: 0e06d6a3-55ae-40a3-ac29-350808980808\n", ""),
      "5:5 error missing required key 'tenantId'",
    ],
  ])("rejects %s, located", (_name, text, expected) => {
    const { stack, lines } = loadWith(text);
    expect(stack).toBeUndefined();
    // The whole answer: this one diagnostic (its start, where the rest names a temporary folder), nothing else.
    expect(lines.map((line) => (line.startsWith(expected) ? expected : line))).toEqual([expected]);
  });

  describe("files that are not stacks, and stacks without delegations", () => {
    const T = "0e06d6a3-55ae-40a3-ac29-350808980808";
    const S = "0afefe50-734e-4610-8a82-a144a2f49dea";
    const customer = `config:\n  lighthouse:customer: {name: C, tenantId: ${T}}\n`;
    const identity = (name: string, group = "rg") =>
      `    - {name: ${name}, subscriptionId: ${S}, resourceGroup: ${group}, location: westeurope}\n`;
    it.each([
      [
        "config that is a number",
        "config: 5\n",
        [
          "1:9 error config must be a map of keys, found number 5; its keys: lighthouse:customer, lighthouse:delegations, lighthouse:mode, lighthouse:identities, lighthouse:systemAssignedIdentities",
        ],
      ],
      // Pulumi's own keys only: no lighthouse configuration at all.
      ["no config key", "encryptionsalt: v1:abc\n", ["1:1 error missing required key 'config'"]],
      [
        "config left empty",
        "config:\n",
        [
          "1:8 error config must be a map of keys, found an empty value: give a value after the ':' or leave the key out",
        ],
      ],
      [
        "one identity declared twice, names and groups differing only in case",
        `${customer}  lighthouse:identities:\n${identity("id-a")}${identity("ID-A", "RG")}`,
        ["5:14 error identity 'ID-A' is already declared in entry 0 (same subscription and resource group)"],
      ],
      // A name breaking Azure's general rule gets that one message, not the managed-identity API's too.
      [
        "an identity's resource group breaking both naming rules",
        `${customer}  lighthouse:identities:\n${identity("id-a", "'rg a-'")}`,
        [
          "4:89 error 'rg a-' is not a valid resource group name (letters, digits, '.', '_', '-', '(', ')'; not ending in '.')",
        ],
      ],
      [
        "an identity's resource group Azure accepts but the managed-identity API does not",
        `${customer}  lighthouse:identities:\n${identity("id-a", "rg-é")}`,
        [
          "4:89 error 'rg-é' is accepted by Azure for resource groups, but not by the managed-identity API (ASCII letters, digits, '.', '_', '-', '(', ')'; ending in a letter, digit, '_', '(' or ')')",
        ],
      ],
    ])("rejects %s, once", (_name, text, expected) => {
      const { stack, lines } = loadWith(text);
      expect(stack).toBeUndefined();
      expect(lines).toEqual(expected);
    });

    it.each([
      [
        "two identities in one resource group",
        `${customer}  lighthouse:identities:\n${identity("id-a")}${identity("id-b")}`,
        ["id-a", "id-b"],
        [],
      ],
      [
        "an identity and a system-assigned identity, no delegation",
        `${customer}  lighthouse:identities:\n${identity("id-a")}  lighthouse:systemAssignedIdentities:\n` +
          `    - resourceId: /subscriptions/${S}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1\n` +
          `      roleAssignments: [{role: Reader, scope: /subscriptions/${S}/resourceGroups/rg}]\n`,
        ["id-a"],
        [`/subscriptions/${S}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1`],
      ],
    ])("accepts %s", (_name, text, identities, systemIdentities) => {
      const { stack, lines } = loadWith(text);
      expect(lines).toEqual([]);
      expect(stack?.subscriptions).toEqual([]);
      expect(stack?.identities.map((item) => item.name)).toEqual(identities);
      expect(stack?.systemAssignedIdentities.map((item) => item.resourceId)).toEqual(systemIdentities);
    });
  });

  describe("what waits for an unreadable part, and what does not", () => {
    const SUB_2 = "6c8b2e14-9d3f-4a5b-8c7d-1e2f3a4b5c6d";
    // The identity's second role, moved to the subscription whose delegation is then broken.
    const roleInSub2 = FABRIKAM.replace(
      "scope: /subscriptions/0afefe50-734e-4610-8a82-a144a2f49dea/resourceGroups/rg-app",
      `scope: /subscriptions/${SUB_2}/resourceGroups/rg-app`,
    );
    it.each([
      [
        "a subscription id that is no GUID: only that (identities are checked against complete delegations)",
        roleInSub2.replace(`- subscriptionId: ${SUB_2}`, "- subscriptionId: not-a-guid"),
        ["11:27 error 'not-a-guid' is not a GUID (expected 8-4-4-4-12 hex digits)"],
      ],
      // Entries that are no map, a list that is no list: the repeat checks read what there is.
      [
        "an empty subscription entry and resource groups that are no list",
        FABRIKAM.replace(
          "        - subscriptionId: 6c8b2e14-9d3f-4a5b-8c7d-1e2f3a4b5c6d\n",
          "        -\n        - subscriptionId: 6c8b2e14-9d3f-4a5b-8c7d-1e2f3a4b5c6d\n          resourceGroups: rg-a\n",
        ),
        [
          "11:10 error subscriptions[1] must be a map of keys, found an empty value: write the entry after its '-', or remove the line",
          "13:27 error resourceGroups must be a list, found the string 'rg-a': write a list, one '- ' line per entry (or [a, b])",
        ],
      ],
      [
        "an offer that is no path: only that",
        roleInSub2.replace("- offer: offers/contoso-operations.yaml", "- offer: 5"),
        ['8:14 error offer must be a string, found number 5: YAML reads it as a number; put it in quotes, "5"'],
      ],
      [
        "a role outside every delegated scope, when the delegations are whole",
        FABRIKAM.replace(
          "scope: /subscriptions/0afefe50-734e-4610-8a82-a144a2f49dea/resourceGroups/rg-app",
          "scope: /subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/rg-app",
        ),
        [
          "30:18 error /subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/rg-app is not inside any scope this customer delegated",
        ],
      ],
      [
        "YAML that does not parse",
        "config: [\n",
        ["2:1 error Flow sequence in block collection must be sufficiently indented and end with a ]"],
      ],
    ])("%s", (_name, text, expected) => {
      const { stack, lines } = loadWith(text);
      expect(stack).toBeUndefined();
      expect(lines).toEqual(expected);
    });

    it("accepts the same role in the other delegated subscription", () => {
      const { stack, lines } = loadWith(roleInSub2);
      expect(lines).toEqual([]);
      expect(stack?.identities[0].roleAssignments.map((assignment) => assignment.scope)).toEqual([
        "/subscriptions/0afefe50-734e-4610-8a82-a144a2f49dea",
        `/subscriptions/${SUB_2}/resourceGroups/rg-app`,
      ]);
    });

    it("adopt: true adopts with the toolkit's names", () => {
      const { stack, lines } = loadWith(
        FABRIKAM.replace(
          `        - subscriptionId: ${SUB_2}`,
          `        - subscriptionId: ${SUB_2}\n          adopt: true`,
        ),
      );
      expect(lines).toEqual([]);
      expect(stack?.subscriptions.map(({ delegations }) => delegations.map(({ adopt }) => adopt))).toEqual([
        [undefined, undefined],
        [{}],
      ]);
    });
  });

  describe("a stack by name, with its offers' problems", () => {
    it("a missing stack file is one located error", () => {
      // Strictly: no `stack` key at all, not one that is undefined.
      expect(loadNamedStack(REPO_ROOT, "missing")).toStrictEqual({
        diagnostics: [
          {
            file: "stacks/Pulumi.missing.yaml",
            line: 1,
            column: 1,
            severity: "error",
            message: "cannot read file: no such file",
          },
        ],
      });
    });

    it("an offer's warning comes with the stack, which still loads", () => {
      const root = tempProject({
        "offers/contoso-operations.yaml": readFileSync(
          join(REPO_ROOT, "offers", "contoso-operations.yaml"),
          "utf8",
        ).replace("    principalIdDisplayName: Tier 1 Support\n", ""),
      });
      const { stack, diagnostics } = loadNamedStack(root, "fabrikam");
      expect(stack?.customer.name).toBe("Fabrikam");
      expect(
        diagnostics.map(
          (d) =>
            `${d.file.endsWith("offers/contoso-operations.yaml")} ${d.line}:${d.column} ${d.severity} ${d.message}`,
        ),
      ).toEqual([
        "true 7:18 warning authorization f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc has no principalIdDisplayName; portals, plans and reviews show only the id",
      ]);
    });

    it("deploys from the customer's tenant when onboarding, from the managing tenant through Lighthouse", () => {
      expect(loadNamedStack(REPO_ROOT, "fabrikam").stack?.deploymentTenantId).toBe(
        "0e06d6a3-55ae-40a3-ac29-350808980808",
      );
      expect(loadNamedStack(REPO_ROOT, "northwind-managed").stack?.deploymentTenantId).toBe(
        "83ace5cd-bcc3-441a-bd86-e6a75360cecc",
      );
    });
  });

  it("rejects a customer tenant that is the managing tenant, once per offer that names it", () => {
    const { stack, lines } = loadWith(
      FABRIKAM.replace("0e06d6a3-55ae-40a3-ac29-350808980808", "83ace5cd-bcc3-441a-bd86-e6a75360cecc"),
    );
    expect(stack).toBeUndefined();
    const message =
      "error managedByTenantId 83ace5cd-bcc3-441a-bd86-e6a75360cecc is the customer's own tenant; a tenant cannot delegate to itself";
    expect(lines).toEqual([`8:14 ${message}`, `12:14 ${message}`]);
  });

  it("rejects two offer files that would deploy as one delegation in a subscription (the logical name comes from the file's name)", () => {
    const copy = readFileSync(join(REPO_ROOT, "offers", "contoso-escalation.yaml"), "utf8").replace(
      "name: Contoso Escalation",
      "name: Contoso Escalation (copy)",
    );
    const { lines } = loadWith(
      FABRIKAM.replace("offers/contoso-escalation.yaml", "offers/copy/contoso-operations.yaml"),
      {
        "offers/copy/contoso-operations.yaml": copy,
      },
    );
    expect(lines).toEqual([
      expect.stringMatching(
        /^12:14 error offer files .*offers\/contoso-operations\.yaml and .*offers\/copy\/contoso-operations\.yaml deploy as the same delegation 'contoso-operations-0afefe50-734e-4610-8a82-a144a2f49dea' in subscription 0afefe50-734e-4610-8a82-a144a2f49dea \(the logical name comes from the file's name\); rename one file$/,
      ),
    ]);
  });

  it("rejects two offers with the same name and managing tenant in a subscription: one registration definition GUID", () => {
    const copy = readFileSync(join(REPO_ROOT, "offers", "contoso-operations.yaml"), "utf8");
    const { lines } = loadWith(FABRIKAM.replace("offers/contoso-escalation.yaml", "offers/copy.yaml"), {
      "offers/copy.yaml": copy,
    });
    expect(lines).toEqual([
      expect.stringMatching(
        /^12:14 error offers .*contoso-operations\.yaml and .*copy\.yaml deploy the same registration definition 2370eb03-671f-565d-8fcd-c1bc9e0fe4b8 in subscription 0afefe50-734e-4610-8a82-a144a2f49dea \(the same name and managing tenant\); rename one offer$/,
      ),
    ]);
  });

  it("warns, at the later offer's entry, of a principal and role two offers grant in one subscription (and still loads)", () => {
    const sharing = readFileSync(join(REPO_ROOT, "offers", "contoso-escalation.yaml"), "utf8").replace(
      /principalId: 7a1c3e5f-9b2d-4f6a-8c0e-2d4f6a8c0e1b\n\s+principalIdDisplayName: Escalation offboarding automation/,
      "principalId: 5d7e9f10-2b3c-4d5e-9f60-718293a4b5c6\n    principalIdDisplayName: Offboarding automation",
    );
    const { stack, lines, diagnostics } = loadWith(FABRIKAM, { "offers/contoso-escalation.yaml": sharing });
    expect(stack).toBeDefined();
    expect(lines).toEqual([
      "12:14 warning 'Offboarding automation' (5d7e9f10-2b3c-4d5e-9f60-718293a4b5c6) holds Managed Services Registration assignment Delete Role through offers 'Contoso Managed Operations' and 'Contoso Escalation' in subscription 0afefe50-734e-4610-8a82-a144a2f49dea: removing either delegation removes it from the other too, and pulumi up does not restore it; after removing one, re-create the other's assignment (pulumi up --replace <its assignment's URN>)",
    ]);
    expect(diagnostics[0].rule).toBe("shared-grant");
  });

  it("points at the stack's reference when the offer itself has errors", () => {
    const { lines } = loadWith(FABRIKAM.replace("offers/contoso-escalation.yaml", "offers/broken.yaml"), {
      "offers/broken.yaml": "name: Broken\n",
    });
    expect(lines).toEqual(["12:14 error offer offers/broken.yaml has errors (reported in that file)"]);
  });

  it("keeps a subscription's name, and refuses two names for one subscription where the second is given", () => {
    const named = FABRIKAM.replace(
      "        - subscriptionId: 0afefe50-734e-4610-8a82-a144a2f49dea\n        - subscriptionId: 6c8b2e14",
      "        - subscriptionId: 0afefe50-734e-4610-8a82-a144a2f49dea\n          name: Fabrikam Production\n        - subscriptionId: 6c8b2e14",
    );
    expect(loadWith(named).stack?.subscriptions.map(({ subscriptionId, name }) => [subscriptionId, name])).toEqual([
      ["0afefe50-734e-4610-8a82-a144a2f49dea", "Fabrikam Production"],
      ["6c8b2e14-9d3f-4a5b-8c7d-1e2f3a4b5c6d", undefined],
    ]);
    const twice = named.replace(
      "    - offer: offers/contoso-escalation.yaml\n      subscriptions:\n        - subscriptionId: 0afefe50-734e-4610-8a82-a144a2f49dea\n",
      "    - offer: offers/contoso-escalation.yaml\n      subscriptions:\n        - subscriptionId: 0afefe50-734e-4610-8a82-a144a2f49dea\n          name: Fabrikam Prod\n",
    );
    expect(loadWith(twice).lines).toEqual([
      "16:17 error subscription 0afefe50-734e-4610-8a82-a144a2f49dea is named 'Fabrikam Production' in another entry: give it one name",
    ]);
  });

  it("leaves other namespaces and Pulumi's own keys alone", () => {
    const text = `secretsprovider: passphrase\n${FABRIKAM.replace("config:\n", "config:\n  azure-native:location: westeurope\n")}`;
    expect(loadWith(text).diagnostics).toEqual([]);
  });
});
