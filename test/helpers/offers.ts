import { stringify } from "yaml";
import { parseOffer } from "../../src/offer/load";
import type { Diagnostic } from "../../src/diagnostics";

export const MSP_TENANT = "83ace5cd-bcc3-441a-bd86-e6a75360cecc";
export const GROUP_A = "f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc";
export const GROUP_B = "3e0ed8c6-e902-4fc5-863c-e3ddbb2ae2a2";
export const APPROVERS = "d9b22cd6-6407-43cc-8c60-07c56df0b51a";
export const DELETER = "5d7e9f10-2b3c-4d5e-9f60-718293a4b5c6";

/** A valid offer as plain data; tests change one thing and expect one finding. */
export function validOfferData(): Record<string, unknown> {
  return {
    name: "Test Offer",
    managedByTenantId: MSP_TENANT,
    authorizations: [
      { principalId: GROUP_A, principalIdDisplayName: "Support", principalType: "Group", role: "Reader" },
      { principalId: GROUP_B, principalIdDisplayName: "Engineers", principalType: "Group", role: "Reader" },
      {
        principalId: DELETER,
        principalIdDisplayName: "Offboarding",
        role: "Managed Services Registration assignment Delete Role",
      },
    ],
    eligibleAuthorizations: [
      {
        principalId: GROUP_B,
        principalIdDisplayName: "Engineers",
        principalType: "Group",
        role: "Contributor",
        justInTimeAccessPolicy: {
          multiFactorAuthProvider: "Azure",
          maximumActivationDuration: "PT4H",
          managedByTenantApprovers: [{ principalId: APPROVERS, principalIdDisplayName: "Approvers" }],
        },
      },
    ],
  };
}

export function parseOfferData(data: unknown) {
  return parseOffer("offer.yaml", stringify(data));
}

/** The rule ids (or messages, for schema errors) of a result's diagnostics of one severity. */
export function rulesOf(diagnostics: Diagnostic[], severity: Diagnostic["severity"] = "error"): string[] {
  return diagnostics
    .filter((diagnostic) => diagnostic.severity === severity)
    .map((diagnostic) => diagnostic.rule ?? diagnostic.message);
}
