import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { armParameters, armTemplate } from "../src/export/arm";
import { importArmParameters, markedOffer } from "../src/import/armParameters";
import { parseOffer } from "../src/offer/load";
import { deploy } from "./helpers/arm-evaluator";
import { runCli, tempProject } from "./helpers/project";

/**
 * Microsoft's onboarding layouts, round-tripped: parameters file → npm run import → offer
 * (validated) → npm run export --names samples → the template evaluated as ARM would. Names must
 * be those Microsoft's templates compute (guid(mspOfferName), guid(rgName)); the vectors below
 * were computed with Python's uuid.uuid5 under ARM's guid() namespace, not by this project.
 * Bodies and parameters must be the parameters file's own values, passed through unchanged.
 */
const FIXTURES = join(__dirname, "fixtures", "arm-parameters");
const SUB = "0afefe50-734e-4610-8a82-a144a2f49dea";
const GUID_OF: Record<string, string> = {
  "Contoso Managed Operations": "fb8a52e8-81dd-5d2b-9420-f62eab4b5057",
  "Contoso App Support": "35404565-49d6-5903-9162-50e4cac91e33",
  "Contoso Data Support": "633c875a-0a13-5738-907c-813755132a35",
  "Contoso Escalation": "c52a55f4-c2d6-5d40-ac9a-e9fa448e73f0",
  "Contoso Marketplace Support": "cef1f05f-b66f-50d0-8d0f-05d0f97dcb06",
  "rg-app": "640b6484-5908-5001-ab32-9aa56db0a08e",
  "rg-data": "b4a493a7-36e7-553b-9443-44c779ce1e53",
};
type Parameters = Record<string, { value: unknown }>;
const parametersOf = (file: string) =>
  (JSON.parse(readFileSync(join(FIXTURES, file), "utf8")) as { parameters: Parameters }).parameters;

const LAYOUTS: Array<[string, string, Array<string | undefined>]> = [
  ["subscription", "subscription.parameters.json", [undefined]],
  ["one resource group (rgName)", "rg.parameters.json", ["rg-app"]],
  ["several resource groups", "multiple-rg.parameters.json", ["rg-app", "rg-data"]],
  ["eligible authorizations with approvers", "eligible-approvers.parameters.json", [undefined]],
  ["a Marketplace plan", "marketplace.parameters.json", [undefined]],
];

describe("import → validate → export --names samples, per layout of Microsoft's templates", () => {
  it.each(LAYOUTS)("%s", (_name, file, assignedGroups) => {
    const imported = importArmParameters(join(FIXTURES, file));
    expect(imported.diagnostics).toEqual([]);
    const { offer, diagnostics } = parseOffer("imported.yaml", imported.text!);
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const given = parametersOf(file);
    const resourceGroups = imported.resourceGroups;

    // The exported parameters file is the one Microsoft's template takes: same names, same values.
    expect(armParameters(offer!, { names: "samples", resourceGroups }).parameters).toEqual(given);

    const template = JSON.parse(JSON.stringify(armTemplate(offer!, { names: "samples", resourceGroups })));
    const values = Object.fromEntries(Object.entries(given).map(([key, parameter]) => [key, parameter.value]));
    const [definition, ...assignments] = deploy(template, values, SUB);
    const offerName = given.mspOfferName.value as string;
    expect(definition.name).toBe(GUID_OF[offerName]);
    expect(definition.body.properties).toEqual({
      registrationDefinitionName: offerName,
      description: given.mspOfferDescription.value,
      managedByTenantId: given.managedByTenantId.value,
      authorizations: given.authorizations.value,
      ...(given.eligibleAuthorizations ? { eligibleAuthorizations: given.eligibleAuthorizations.value } : {}),
    });
    expect(definition.body.plan).toEqual(
      given.marketplaceOffer
        ? { name: "gold", product: "contoso-managed-support", publisher: "contoso", version: "1.0.0" }
        : undefined,
    );
    expect(assignments.map((assignment) => [assignment.name, assignment.resourceGroup])).toEqual(
      assignedGroups.map((group) => [GUID_OF[group ?? offerName], group]),
    );
    for (const assignment of assignments) {
      expect(assignment.body.properties).toEqual({
        registrationDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.ManagedServices/registrationDefinitions/${GUID_OF[offerName]}`,
      });
    }
  });

  it("declares only the parameters the offer uses, names the offer file relative to the project, and has the samples' outputs", () => {
    const imported = importArmParameters(join(FIXTURES, "rg.parameters.json"));
    const { offer } = parseOffer("offers/app-support.yaml", imported.text!);
    const template = armTemplate(offer!, {
      names: "samples",
      resourceGroups: ["rg-app"],
      source: "offers/app-support.yaml",
    });
    expect(Object.keys(template.parameters)).toEqual([
      "mspOfferName",
      "mspOfferDescription",
      "managedByTenantId",
      "authorizations",
      "rgName",
    ]);
    expect(template.metadata.description).toBe(
      "Azure Lighthouse onboarding for the offer 'Contoso App Support', generated from offers/app-support.yaml (Microsoft's sample names)",
    );
    expect(Object.keys(template.outputs)).toEqual(["mspOfferName", "authorizations", "registrationDefinitionId"]);
  });
});

describe("npm run import -- arm-parameters", () => {
  it("turns role ids into names and writes every decision as a comment", () => {
    const imported = importArmParameters(join(FIXTURES, "multiple-rg.parameters.json"));
    expect(imported.text).toBe(
      [
        "# yaml-language-server: $schema=../schemas/offer.schema.json",
        `# Imported with npm run import -- arm-parameters from ${join(FIXTURES, "multiple-rg.parameters.json")}.`,
        "# Role ids became role names (the built-in role catalog); review, then commit.",
        "# - resource groups rg-app, rg-data: list them under resourceGroups in the stack file; with naming: samples the assignments keep Microsoft's names (guid(rgName))",
        "name: Contoso Data Support",
        "description: Support for the data resource groups",
        "managedByTenantId: 83ace5cd-bcc3-441a-bd86-e6a75360cecc",
        "authorizations:",
        "  - principalId: f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc",
        "    principalIdDisplayName: Tier 1 Support",
        "    role: Reader",
        "  - principalId: 5d7e9f10-2b3c-4d5e-9f60-718293a4b5c6",
        "    principalIdDisplayName: Offboarding automation",
        "    role: Managed Services Registration assignment Delete Role",
        "",
      ].join("\n"),
    );
    expect(imported.resourceGroups).toEqual(["rg-app", "rg-data"]);
  });

  it("--template supplies the defaults of parameters the file leaves out (its placeholders are errors too)", () => {
    const root = tempProject({
      "t/template.json": JSON.stringify({
        parameters: {
          mspOfferName: { type: "string" },
          managedByTenantId: { type: "string", defaultValue: "83ace5cd-bcc3-441a-bd86-e6a75360cecc" },
          authorizations: {
            type: "array",
            defaultValue: [
              {
                principalId: "f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc",
                roleDefinitionId: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
              },
            ],
          },
          mspOfferDescription: {
            type: "string",
            defaultValue: "<to be filled out by MSP> Provide a brief description of your offer",
          },
        },
      }),
      "t/p.parameters.json": JSON.stringify({
        parameters: { mspOfferName: { value: "From Defaults" }, mspOfferDescription: { value: "Given" } },
      }),
      "t/q.parameters.json": JSON.stringify({ parameters: { mspOfferName: { value: "From Defaults" } } }),
    });
    const imported = importArmParameters(join(root, "t", "p.parameters.json"), join(root, "t", "template.json"));
    expect(imported.text!.split("\n").filter((line) => !line.startsWith("#"))).toEqual([
      "name: From Defaults",
      "description: Given",
      "managedByTenantId: 83ace5cd-bcc3-441a-bd86-e6a75360cecc",
      "authorizations:",
      "  - principalId: f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc",
      "    role: Reader",
      "",
    ]);
    // The template's placeholder lands in the offer's description, which takes any text: only the import can say.
    const defaults = importArmParameters(join(root, "t", "q.parameters.json"), join(root, "t", "template.json"));
    expect(defaults.placeholders).toEqual([{ path: ["description"], parameter: "mspOfferDescription" }]);
    expect(
      markedOffer({ ...defaults, text: defaults.text! }, "offers/q.yaml").diagnostics.map(
        (d) => `${d.line}:${d.column} ${d.message}`,
      ),
    ).toEqual([
      // Line 7: the mark above it is line 6.
      "7:14 parameter mspOfferDescription still holds the template's placeholder: replace it with the real value",
      "9:1 no authorization has the Managed Services Registration assignment Delete Role: only the customer will be able to remove this delegation",
      "10:18 authorization f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc has no principalIdDisplayName; portals, plans and reviews show only the id",
    ]);
  });

  it("placeholders are carried into the offer, where they are marked", () => {
    const imported = importArmParameters(join(FIXTURES, "placeholders.parameters.json"));
    expect(imported.diagnostics).toEqual([]);
    expect(imported.placeholders).toEqual([
      { path: ["managedByTenantId"], parameter: "managedByTenantId" },
      { path: ["authorizations", 1, "principalId"], parameter: "authorizations" },
    ]);
    const marked = markedOffer({ ...imported, text: imported.text! }, "offers/x.yaml");
    expect(marked.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual([
      "8:20 '<insert the managing tenant id>' is a placeholder: replace it with a GUID (8-4-4-4-12 hex digits)",
      "14:18 '<insert principal id>' is a placeholder: replace it with a GUID (8-4-4-4-12 hex digits)",
    ]);
    expect(marked.text.split("\n").slice(3, 15)).toEqual([
      "# Errors are marked '# error:' above their line: fix each and delete its mark, then npm run validate.",
      "name: Contoso Managed Operations",
      "description: 24x7 operations by Contoso",
      "# error: '<insert the managing tenant id>' is a placeholder: replace it with a GUID (8-4-4-4-12 hex digits)",
      "managedByTenantId: <insert the managing tenant id>",
      "authorizations:",
      "  - principalId: f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc",
      "    principalIdDisplayName: Tier 1 Support",
      "    role: Reader",
      "  # error: '<insert principal id>' is a placeholder: replace it with a GUID (8-4-4-4-12 hex digits)",
      "  - principalId: <insert principal id>",
      "    principalIdDisplayName: Operations engineers",
    ]);
  });

  it("a placeholder outside the offer (a resource group) stays located in the parameters file", () => {
    const root = tempProject({
      "p.parameters.json": JSON.stringify(
        {
          parameters: {
            mspOfferName: { value: "Offer" },
            managedByTenantId: { value: "83ace5cd-bcc3-441a-bd86-e6a75360cecc" },
            rgName: { value: "<insert resource group name>" },
            authorizations: { value: [] },
          },
        },
        null,
        1,
      ),
    });
    expect(
      importArmParameters(join(root, "p.parameters.json")).diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`),
    ).toEqual(["10:13 parameter rgName still holds the template's placeholder: replace it with the real value"]);
  });

  // Microsoft's own sample, byte for byte: a placeholder tenant, nil principals, and a delegated
  // role Lighthouse now refuses. It imports to a file with both errors marked where they are.
  it("Microsoft's subscription sample imports to a file, its errors marked; validate agrees on every line", () => {
    const root = tempProject({
      "onboarding/subscription.parameters.json": readFileSync(
        join(__dirname, "fixtures", "microsoft-samples", "subscription.parameters.json"),
        "utf8",
      ),
    });
    const imported = runCli(
      "import",
      ["arm-parameters", "onboarding/subscription.parameters.json", "--out", "offers/relecloud.yaml"],
      root,
    );
    const errors = [
      "offers/relecloud.yaml:8:20: error: '<insert managing tenant id>' is a placeholder: replace it with a GUID (8-4-4-4-12 hex digits)",
      "offers/relecloud.yaml:22:9: error: Log Analytics Contributor cannot be used with Azure Lighthouse: the role has DataActions (Microsoft.OperationalInsights/workspaces/jobs/export/action), which Azure Lighthouse does not support (role data: az role definition list (built-in roles), snapshot of 2026-08-22) [role-not-supported]",
    ];
    const nilPrincipal = (line: number) =>
      `offers/relecloud.yaml:${line}:18: warning: authorization principalId is the nil GUID 00000000-0000-0000-0000-000000000000, a placeholder: replace it with the principal's object id [principal-placeholder]`;
    const findings = [errors[0], nilPrincipal(10), nilPrincipal(13), nilPrincipal(16), errors[1]];
    expect(imported).toMatchObject({
      status: 1,
      stdout: "",
      stderr: [...findings, "written offers/relecloud.yaml with 2 error(s) marked '# error:'", ""].join("\n"),
    });
    expect(readFileSync(join(root, "offers", "relecloud.yaml"), "utf8")).toBe(
      [
        "# yaml-language-server: $schema=../schemas/offer.schema.json",
        "# Imported with npm run import -- arm-parameters from onboarding/subscription.parameters.json.",
        "# Role ids became role names (the built-in role catalog); review, then commit.",
        "# Errors are marked '# error:' above their line: fix each and delete its mark, then npm run validate.",
        "name: Relecloud Managed Services",
        "description: Relecloud Managed Services",
        "# error: '<insert managing tenant id>' is a placeholder: replace it with a GUID (8-4-4-4-12 hex digits)",
        "managedByTenantId: <insert managing tenant id>",
        "authorizations:",
        "  - principalId: 00000000-0000-0000-0000-000000000000",
        "    principalIdDisplayName: PIM_Group",
        "    role: Reader",
        "  - principalId: 00000000-0000-0000-0000-000000000000",
        "    principalIdDisplayName: PIM_Group",
        "    role: Managed Services Registration assignment Delete Role",
        "  - principalId: 00000000-0000-0000-0000-000000000000",
        "    principalIdDisplayName: PIM_Group",
        "    role: User Access Administrator",
        "    delegatedRoles:",
        "      - Contributor",
        "      # error: Log Analytics Contributor cannot be used with Azure Lighthouse: the role has DataActions (Microsoft.OperationalInsights/workspaces/jobs/export/action), which Azure Lighthouse does not support (role data: az role definition list (built-in roles), snapshot of 2026-08-22) [role-not-supported]",
        "      - Log Analytics Contributor",
        "",
      ].join("\n"),
    );
    expect(runCli("validate", ["offers/relecloud.yaml"], root)).toMatchObject({
      status: 1,
      stdout: `${findings.join("\n")}\n`,
    });
  });

  it("writes --out inside the project, never over a file; exit 1 with nothing written when the parameters cannot be read", () => {
    const root = tempProject({
      "import/subscription.parameters.json": readFileSync(join(FIXTURES, "subscription.parameters.json"), "utf8"),
      "import/placeholders.parameters.json": readFileSync(join(FIXTURES, "placeholders.parameters.json"), "utf8"),
    });
    const written = runCli(
      "import",
      ["arm-parameters", "import/subscription.parameters.json", "--out", "offers/imported.yaml"],
      root,
    );
    expect(written).toMatchObject({ status: 0, stderr: "written offers/imported.yaml\n" });
    expect(runCli("validate", ["offers/imported.yaml"], root)).toMatchObject({ status: 0, stdout: "" });
    expect(
      runCli(
        "import",
        ["arm-parameters", "import/subscription.parameters.json", "--out", "offers/imported.yaml"],
        root,
      ),
    ).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/^error: --out: offers\/imported\.yaml exists/),
    });
    writeFileSync(join(root, "import", "broken.parameters.json"), '{"parameters": {"mspOfferName": ');
    const refused = runCli(
      "import",
      ["arm-parameters", "import/broken.parameters.json", "--out", "offers/other.yaml"],
      root,
    );
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^import\/broken\.parameters\.json:1:33: error: /);
    expect(existsSync(join(root, "offers", "other.yaml"))).toBe(false);
  });
});
