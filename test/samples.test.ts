import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadOffer } from "../src/offer/load";

/**
 * Microsoft's own onboarding parameter files (converted by hand, test/fixtures/samples) judged as
 * Azure's documented rules judge them: accepted unless a rule is broken, and then exactly that.
 * Expected values are written from reading each file, not from running the validator.
 */
const SAMPLES = join(__dirname, "fixtures", "samples");
const findings = (file: string) =>
  loadOffer(join(SAMPLES, file)).diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.rule ?? d.message}`);

const NO_DISPLAY_NAME = "warning display-name-recommended";
const NIL_PRINCIPAL = "warning principal-placeholder";
const NO_DELETE_ROLE = "warning recommend-delete-role";
const LOG_ANALYTICS_CONTRIBUTOR = "error role-not-supported";

const expected: Record<string, string[]> = {
  // Reader + Delete Role + eligible Resource Policy Contributor with an approver: nothing to say.
  "eligible-approvers.yaml": [],
  "multiple-rg.yaml": [],
  // Accepted, with warnings: what the API allows but reviews miss.
  // One warning per unnamed principal, at its first entry, however many roles it holds.
  "subscription-2019.yaml": [
    `5:1 ${NO_DELETE_ROLE}`,
    `6:18 ${NO_DISPLAY_NAME}`,
    `10:18 ${NO_DISPLAY_NAME}`,
    `12:18 ${NO_DISPLAY_NAME}`,
  ],
  "resource-projection-2019.yaml": [`5:1 ${NO_DELETE_ROLE}`, `6:18 ${NO_DISPLAY_NAME}`, `8:18 ${NO_DISPLAY_NAME}`],
  "marketplace-2019.yaml": [`5:1 ${NO_DELETE_ROLE}`, `6:18 ${NO_DISPLAY_NAME}`, `8:18 ${NO_DISPLAY_NAME}`],
  "marketplace.yaml": [`6:1 ${NO_DELETE_ROLE}`],
  "marketplace-plan.yaml": [`7:1 ${NO_DELETE_ROLE}`],
  "pim-2021.yaml": [`5:1 ${NO_DELETE_ROLE}`, `13:18 ${NO_DISPLAY_NAME}`],
  "terraform-acceptance.yaml": [
    `7:18 ${NO_DISPLAY_NAME}`,
    "9:5 warning delegated-roles-empty",
    "13:5 warning delegated-roles-empty",
  ],
  // Refused: a placeholder tenant, a principal id with 'k' and 'l' in it, a role with DataActions.
  "subscription.yaml": [
    "4:20 error '<insert the managing tenant id>' is a placeholder: replace it with a GUID (8-4-4-4-12 hex digits)",
    `5:1 ${NO_DELETE_ROLE}`,
    "18:18 error '3kl47fff-5655-4779-b726-2cf02b05c7c4' is not a GUID (expected 8-4-4-4-12 hex digits)",
    `23:9 ${LOG_ANALYTICS_CONTRIBUTOR}`,
  ],
  "eligible-placeholders.yaml": [
    "4:20 error '<insert the managing tenant id>' is a placeholder: replace it with a GUID (8-4-4-4-12 hex digits)",
    `6:18 ${NIL_PRINCIPAL}`,
    `9:18 ${NIL_PRINCIPAL}`,
    `16:18 ${NIL_PRINCIPAL}`,
  ],
  "azmigrate.yaml": [`20:9 ${LOG_ANALYTICS_CONTRIBUTOR}`],
  "rg-eligible-approvers.yaml": [
    `6:18 ${NIL_PRINCIPAL}`,
    `9:18 ${NIL_PRINCIPAL}`,
    `12:18 ${NIL_PRINCIPAL}`,
    `17:9 ${LOG_ANALYTICS_CONTRIBUTOR}`,
    `25:18 ${NIL_PRINCIPAL}`,
  ],
};

describe("Microsoft's sample parameter files, converted", () => {
  it.each(Object.entries(expected))("%s", (file, lines) => {
    expect(findings(file)).toEqual(lines);
  });

  it("refused ones say which role data refused Log Analytics Contributor", () => {
    const [diagnostic] = loadOffer(join(SAMPLES, "azmigrate.yaml")).diagnostics;
    expect(diagnostic.message).toBe(
      "Log Analytics Contributor cannot be used with Azure Lighthouse: the role has DataActions (Microsoft.OperationalInsights/workspaces/jobs/export/action), which Azure Lighthouse does not support (role data: az role definition list (built-in roles), snapshot of 2026-08-22)",
    );
  });

  it("every converted file names its source", () => {
    for (const file of Object.keys(expected)) {
      expect(readFileSync(join(SAMPLES, file), "utf8"), file).toMatch(
        /^# (templates|Azure-Delegated-Resource-Management)\/.*\.json$|^# Not a sample file/m,
      );
    }
  });
});
