import { describe, expect, it } from "vitest";
import { OWNER_ROLE_ID, USER_ACCESS_ADMINISTRATOR_ROLE_ID } from "../src/roles/support";
import { APPROVERS, GROUP_A, parseOfferData, rulesOf, validOfferData } from "./helpers/offers";

type Offer = ReturnType<typeof validOfferData> & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Each case: a change to the valid offer, and the one rule (or schema message) it must break. */
const failing: Array<[string, (offer: Offer) => void, string | RegExp]> = [
  ["no permanent authorization", (o) => (o.authorizations = []), "authorization-required"],
  ["Owner", (o) => (o.authorizations[0].role = "Owner"), "role-not-supported"],
  ["Owner by GUID", (o) => (o.authorizations[0].role = OWNER_ROLE_ID), "role-not-supported"],
  ["a role with DataActions", (o) => (o.authorizations[0].role = "Storage Blob Data Reader"), "role-not-supported"],
  ["a role granting forbidden actions", (o) => (o.authorizations[0].role = "Locks Contributor"), "role-not-supported"],
  [
    "a custom role GUID",
    (o) => (o.authorizations[0].role = "11111111-2222-4333-8444-555555555555"),
    "role-not-built-in",
  ],
  [
    "UAA without delegatedRoles",
    (o) => (o.authorizations[0].role = "User Access Administrator"),
    "uaa-requires-delegated-roles",
  ],
  [
    "UAA with empty delegatedRoles",
    (o) => Object.assign(o.authorizations[0], { role: "User Access Administrator", delegatedRoles: [] }),
    "uaa-requires-delegated-roles",
  ],
  [
    "UAA delegating Owner",
    (o) => Object.assign(o.authorizations[0], { role: "User Access Administrator", delegatedRoles: ["Owner"] }),
    "delegated-role-not-allowed",
  ],
  [
    "UAA delegating UAA",
    (o) =>
      Object.assign(o.authorizations[0], {
        role: "User Access Administrator",
        delegatedRoles: [USER_ACCESS_ADMINISTRATOR_ROLE_ID],
      }),
    "delegated-role-not-allowed",
  ],
  [
    "UAA delegating an unsupported role",
    (o) =>
      Object.assign(o.authorizations[0], {
        role: "User Access Administrator",
        delegatedRoles: ["Log Analytics Contributor"],
      }),
    "role-not-supported",
  ],
  [
    "delegatedRoles on another role",
    (o) => (o.authorizations[0].delegatedRoles = ["Contributor"]),
    "delegated-roles-only-on-uaa",
  ],
  [
    "eligible UAA",
    (o) => (o.eligibleAuthorizations[0].role = "User Access Administrator"),
    "eligible-role-not-allowed",
  ],
  ["eligible Owner", (o) => (o.eligibleAuthorizations[0].role = "Owner"), "role-not-supported"],
  [
    "eligible delegatedRoles",
    (o) => (o.eligibleAuthorizations[0].delegatedRoles = ["Reader"]),
    "eligible-role-not-allowed",
  ],
  [
    "eligible service principal",
    (o) => (o.eligibleAuthorizations[0].principalType = "ServicePrincipal"),
    "eligible-principal-type",
  ],
  [
    "service principal approver",
    (o) =>
      (o.eligibleAuthorizations[0].justInTimeAccessPolicy.managedByTenantApprovers[0].principalType =
        "ServicePrincipal"),
    "eligible-principal-type",
  ],
  [
    "duration below PT30M",
    (o) => (o.eligibleAuthorizations[0].justInTimeAccessPolicy.maximumActivationDuration = "PT29M"),
    "jit-duration",
  ],
  [
    "duration above PT8H",
    (o) => (o.eligibleAuthorizations[0].justInTimeAccessPolicy.maximumActivationDuration = "P1D"),
    "jit-duration",
  ],
  [
    "a duration that is not ISO 8601",
    (o) => (o.eligibleAuthorizations[0].justInTimeAccessPolicy.maximumActivationDuration = "4 hours"),
    /'4 hours' is not an ISO 8601 duration/,
  ],
  [
    "eleven approvers",
    (o) =>
      (o.eligibleAuthorizations[0].justInTimeAccessPolicy.managedByTenantApprovers = Array.from(
        { length: 11 },
        (_, i) => ({
          principalId: `d9b22cd6-6407-43cc-8c60-07c56df0b5${String(i).padStart(2, "0")}`,
          principalIdDisplayName: `Approver ${i}`,
        }),
      )),
    "jit-approvers",
  ],
  [
    "one role with two JIT policies",
    (o) =>
      o.eligibleAuthorizations.push({
        principalId: GROUP_A,
        principalIdDisplayName: "Support",
        role: "Contributor",
        justInTimeAccessPolicy: { maximumActivationDuration: "PT1H" },
      }),
    "jit-policy-consistent",
  ],
  [
    "a duplicate principal and role",
    (o) => o.authorizations.push({ ...o.authorizations[0] }),
    "duplicate-authorization",
  ],
  [
    "a Marketplace plan with 21 authorizations",
    (o) => {
      o.plan = { name: "p", product: "x", publisher: "y", version: "1.0.0" };
      o.authorizations.push(
        ...Array.from({ length: 18 }, (_, i) => ({
          principalId: `aaaaaaaa-0000-4000-8000-0000000000${String(i).padStart(2, "0")}`,
          principalIdDisplayName: `Group ${i}`,
          role: "Reader",
        })),
      );
    },
    "marketplace-plan-limit",
  ],
  [
    "a plan missing a field",
    (o) => (o.plan = { name: "p", product: "x", publisher: "y" }),
    "missing required key 'version'",
  ],
  [
    "a principal id that is not a GUID",
    (o) => (o.authorizations[0].principalId = "f98g86a2-4cc4-4e6d-ad47-b3e80a1bcdfc"),
    /is not a GUID/,
  ],
  ["a managing tenant that is not a GUID", (o) => (o.managedByTenantId = "contoso.onmicrosoft.com"), /is not a GUID/],
  [
    "an unknown role name",
    (o) => (o.authorizations[0].role = "Reeder"),
    /unknown role 'Reeder'.*did you mean 'Reader'/,
  ],
  ["an unknown key", (o) => (o.authorizations[0].roles = "Reader"), /unknown key 'roles'; did you mean 'role'\?/],
  [
    "an unknown MFA provider",
    (o) => (o.eligibleAuthorizations[0].justInTimeAccessPolicy.multiFactorAuthProvider = "Sms"),
    /Azure.*None/,
  ],
  [
    "one role with JIT policies that differ only in approvers",
    (o) =>
      o.eligibleAuthorizations.push({
        principalId: GROUP_A,
        principalIdDisplayName: "Support",
        role: "Contributor",
        justInTimeAccessPolicy: {
          ...o.eligibleAuthorizations[0].justInTimeAccessPolicy,
          managedByTenantApprovers: [{ principalId: GROUP_A, principalIdDisplayName: "Support" }],
        },
      }),
    "jit-policy-consistent",
  ],
];

describe("offer rules: each breaks alone", () => {
  it("the valid offer has no errors and no warnings", () => {
    const result = parseOfferData(validOfferData());
    expect(result.diagnostics).toEqual([]);
    expect(result.offer).toBeDefined();
  });

  it.each(failing)("%s", (_name, change, expected) => {
    const data = validOfferData() as Offer;
    change(data);
    const result = parseOfferData(data);
    const errors = rulesOf(result.diagnostics);
    expect(result.offer).toBeUndefined();
    // Exactly one error: a rule that also fires where it should not fails the case.
    if (typeof expected === "string") expect(errors).toEqual([expected]);
    else expect(errors).toEqual([expect.stringMatching(expected)]);
  });

  it("accepts the limits themselves: 10 approvers, 20 authorizations with a plan, 21 without one, PT8H", () => {
    const data = validOfferData() as Offer;
    const policy = data.eligibleAuthorizations[0].justInTimeAccessPolicy;
    policy.maximumActivationDuration = "PT8H";
    policy.managedByTenantApprovers = Array.from({ length: 10 }, (_, i) => ({
      principalId: `d9b22cd6-6407-43cc-8c60-07c56df0b5${String(i).padStart(2, "0")}`,
      principalIdDisplayName: `Approver ${i}`,
    }));
    const extra = (count: number) =>
      Array.from({ length: count }, (_, i) => ({
        principalId: `aaaaaaaa-0000-4000-8000-0000000000${String(i).padStart(2, "0")}`,
        principalIdDisplayName: `Group ${i}`,
        role: "Reader",
      }));
    const withPlan = {
      ...data,
      plan: { name: "p", product: "x", publisher: "y", version: "1.0.0" },
      authorizations: [...data.authorizations, ...extra(16)],
    };
    expect(withPlan.authorizations.length + data.eligibleAuthorizations.length).toBe(20);
    expect(rulesOf(parseOfferData(withPlan).diagnostics)).toEqual([]);
    const withoutPlan = { ...data, authorizations: [...data.authorizations, ...extra(17)] };
    expect(withoutPlan.authorizations.length + data.eligibleAuthorizations.length).toBe(21);
    expect(rulesOf(parseOfferData(withoutPlan).diagnostics)).toEqual([]);
  });

  it("accepts what the failing cases refuse when done right", () => {
    const data = validOfferData() as Offer;
    Object.assign(data.authorizations[0], {
      role: "User Access Administrator",
      delegatedRoles: ["Contributor", "Monitoring Contributor"],
    });
    data.plan = { name: "p", product: "x", publisher: "y", version: "1.0.0" };
    data.eligibleAuthorizations[0].justInTimeAccessPolicy.maximumActivationDuration = "PT30M";
    data.eligibleAuthorizations.push({
      principalId: GROUP_A,
      principalIdDisplayName: "Support",
      role: "Contributor",
      justInTimeAccessPolicy: {
        multiFactorAuthProvider: "Azure",
        maximumActivationDuration: "PT30M",
        managedByTenantApprovers: [{ principalId: APPROVERS.toUpperCase(), principalIdDisplayName: "Approvers" }],
      },
    });
    const result = parseOfferData(data);
    expect(rulesOf(result.diagnostics)).toEqual([]);
    expect(result.offer?.authorizations[0].delegatedRoleNames).toEqual(["Contributor", "Monitoring Contributor"]);
  });
});

describe("offer warnings (best practices) never block", () => {
  it("missing Registration assignment Delete Role", () => {
    const data = validOfferData() as Offer;
    data.authorizations.pop();
    const result = parseOfferData(data);
    expect(result.offer).toBeDefined();
    expect(rulesOf(result.diagnostics, "warning")).toEqual(["recommend-delete-role"]);
  });

  it("eligible principal without a permanent authorization", () => {
    const data = validOfferData() as Offer;
    data.authorizations.splice(1, 1);
    const result = parseOfferData(data);
    expect(result.offer).toBeDefined();
    expect(rulesOf(result.diagnostics, "warning")).toEqual(["eligible-without-permanent"]);
  });

  it("individual users instead of groups, permanent or eligible", () => {
    const data = validOfferData() as Offer;
    data.authorizations[0].principalType = "User";
    expect(rulesOf(parseOfferData(data).diagnostics, "warning")).toEqual(["prefer-groups"]);
    const eligible = validOfferData() as Offer;
    eligible.eligibleAuthorizations[0].principalType = "User";
    const result = parseOfferData(eligible);
    expect(result.offer).toBeDefined();
    expect(rulesOf(result.diagnostics, "warning")).toEqual(["prefer-groups"]);
  });
});

describe("resolution", () => {
  it("maps role names to ids, applies the API's JIT defaults, derives the definition GUID", () => {
    const data = validOfferData() as Offer;
    data.eligibleAuthorizations[0].justInTimeAccessPolicy = {};
    const { offer } = parseOfferData(data);
    expect(offer?.authorizations[0]).toMatchObject({
      roleDefinitionId: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
      roleName: "Reader",
    });
    expect(offer?.eligibleAuthorizations[0].justInTimeAccessPolicy).toEqual({
      multiFactorAuthProvider: "None",
      maximumActivationDuration: "PT8H",
    });
    expect(offer?.definitionGuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("defaults a missing justInTimeAccessPolicy entirely", () => {
    const data = validOfferData() as Offer;
    delete data.eligibleAuthorizations[0].justInTimeAccessPolicy;
    expect(parseOfferData(data).offer?.eligibleAuthorizations[0].justInTimeAccessPolicy.maximumActivationDuration).toBe(
      "PT8H",
    );
  });

  it("reports every problem of a file at once", () => {
    const data = validOfferData() as Offer;
    data.authorizations[0].role = "Reeder";
    data.authorizations[1].principalId = "nope";
    data.eligibleAuthorizations[0].colour = "blue";
    expect(parseOfferData(data).diagnostics.filter((d) => d.severity === "error")).toHaveLength(3);
  });
});
