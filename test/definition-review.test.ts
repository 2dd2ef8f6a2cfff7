import { describe, expect, it } from "vitest";
import { reviewRegistrationDefinition } from "../src/rules/definition";

const NIL = "00000000-0000-0000-0000-000000000000";
const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c";
const UAA = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9";
const ADMINS = "11111111-1111-4111-8111-111111111111";
const OPS = "22222222-2222-4222-8222-222222222222";
const READERS = "33333333-3333-4333-8333-333333333333";
const ENGINEER = "44444444-4444-4444-8444-444444444444";

describe("reviewRegistrationDefinition on an API-shaped definition (a resource built in code)", () => {
  it("reports every finding, in the order of the definition, with its path and message", () => {
    const findings = reviewRegistrationDefinition({
      managedByTenantId: NIL,
      authorizations: [
        { principalId: NIL, principalIdDisplayName: "", roleDefinitionId: READER, principalType: "User" },
        {
          principalId: ADMINS,
          principalIdDisplayName: "Admins",
          roleDefinitionId: UAA,
          delegatedRoleDefinitionIds: [],
        },
        {
          principalId: OPS,
          principalIdDisplayName: "Ops",
          roleDefinitionId: CONTRIBUTOR,
          delegatedRoleDefinitionIds: [],
        },
        {
          principalId: READERS,
          principalIdDisplayName: "Readers",
          roleDefinitionId: READER,
          delegatedRoleDefinitionIds: [CONTRIBUTOR],
        },
        // The same principal and role as [2]: ids compare case-insensitively.
        { principalId: OPS.toUpperCase(), principalIdDisplayName: "Ops", roleDefinitionId: CONTRIBUTOR },
      ],
      eligibleAuthorizations: [
        {
          principalId: ENGINEER,
          principalIdDisplayName: "Eng",
          roleDefinitionId: UAA,
          principalType: "ServicePrincipal",
          delegatedRoleDefinitionIds: [READER],
          justInTimeAccessPolicy: {
            multiFactorAuthProvider: "Azure",
            maximumActivationDuration: "PT9H",
            managedByTenantApprovers: [
              { principalId: ENGINEER, principalIdDisplayName: "Eng" },
              { principalId: NIL, principalIdDisplayName: "" },
            ],
          },
        },
      ],
    });
    const jit = ["eligibleAuthorizations", 0, "justInTimeAccessPolicy"];
    expect(findings.map(({ rule, path, message }) => ({ rule, path, message }))).toEqual([
      {
        rule: "managing-tenant-placeholder",
        path: ["managedByTenantId"],
        message: `managedByTenantId is the nil GUID ${NIL}, a placeholder: use your managing tenant's id`,
      },
      {
        rule: "principal-placeholder",
        path: ["authorizations", 0, "principalId"],
        message: `authorization principalId is the nil GUID ${NIL}, a placeholder: replace it with the principal's object id`,
      },
      {
        rule: "display-name-recommended",
        path: ["authorizations", 0, "principalId"],
        message: `authorization ${NIL} has no principalIdDisplayName; portals, plans and reviews show only the id`,
      },
      {
        rule: "prefer-groups",
        path: ["authorizations", 0, "principalId"],
        message: `${NIL} is an individual user; grant a security group instead`,
      },
      {
        rule: "uaa-requires-delegated-roles",
        path: ["authorizations", 1, "roleDefinitionId"],
        message:
          "User Access Administrator is supported only with delegatedRoles: list the roles it may assign to managed identities",
      },
      {
        rule: "delegated-roles-empty",
        path: ["authorizations", 2, "delegatedRoleDefinitionIds"],
        message:
          "delegatedRoles is empty, the same as leaving it out (it only means something on User Access Administrator)",
      },
      {
        rule: "delegated-roles-only-on-uaa",
        path: ["authorizations", 3, "delegatedRoleDefinitionIds"],
        message: "delegatedRoles is only valid with User Access Administrator, not Reader",
      },
      {
        rule: "eligible-role-not-allowed",
        path: ["eligibleAuthorizations", 0, "roleDefinitionId"],
        message: "User Access Administrator cannot be an eligible authorization",
      },
      {
        rule: "eligible-role-not-allowed",
        path: ["eligibleAuthorizations", 0, "delegatedRoleDefinitionIds"],
        message: "eligible authorizations cannot carry delegatedRoles",
      },
      {
        rule: "eligible-principal-type",
        path: ["eligibleAuthorizations", 0, "principalId"],
        message: `'Eng' (${ENGINEER}) is a service principal; eligible authorizations are for users and groups only`,
      },
      {
        rule: "eligible-without-permanent",
        path: ["eligibleAuthorizations", 0, "principalId"],
        message: `'Eng' (${ENGINEER}) has no permanent authorization; give it Reader too, or activating in the portal fails`,
      },
      {
        rule: "jit-duration",
        path: [...jit, "maximumActivationDuration"],
        message: "maximumActivationDuration PT9H is outside PT30M to PT8H",
      },
      {
        rule: "approver-is-eligible-principal",
        path: [...jit, "managedByTenantApprovers", 0, "principalId"],
        message: `approver 'Eng' (${ENGINEER}) is the eligible principal itself; nobody can approve their own request`,
      },
      {
        rule: "principal-placeholder",
        path: [...jit, "managedByTenantApprovers", 1, "principalId"],
        message: `approver principalId is the nil GUID ${NIL}, a placeholder: replace it with the approver's object id`,
      },
      {
        rule: "display-name-recommended",
        path: [...jit, "managedByTenantApprovers", 1, "principalId"],
        message: `approver ${NIL} has no principalIdDisplayName; portals, plans and reviews show only the id`,
      },
      {
        rule: "duplicate-authorization",
        path: ["authorizations", 4],
        message: `'Ops' (${OPS.toUpperCase()}) already has Contributor in authorizations[2]`,
      },
      {
        rule: "recommend-delete-role",
        path: ["authorizations"],
        message:
          "no authorization has the Managed Services Registration assignment Delete Role: only the customer will be able to remove this delegation",
      },
    ]);
  });

  it("limits: no permanent authorization, 21 in a plan, 11 approvers, two policies for one role", () => {
    const approver = (index: number) => ({
      principalId: `aaaaaaaa-0000-4000-8000-${String(index).padStart(12, "0")}`,
      principalIdDisplayName: `Approver ${index}`,
    });
    const eligible = (principal: string, policy: object, roleDefinitionId = CONTRIBUTOR) => ({
      principalId: principal,
      principalIdDisplayName: "Eng",
      roleDefinitionId,
      justInTimeAccessPolicy: policy,
    });
    const findings = reviewRegistrationDefinition({
      managedByTenantId: ADMINS,
      authorizations: [],
      plan: { name: "p", publisher: "x", product: "y", version: "1" },
      eligibleAuthorizations: [
        eligible(OPS, {
          multiFactorAuthProvider: "Azure",
          managedByTenantApprovers: Array.from({ length: 11 }, (_, i) => approver(i)),
        }),
        eligible(READERS, { multiFactorAuthProvider: "None" }),
        // Readers with the default policy: one policy for their role, no finding of their own.
        ...Array.from({ length: 19 }, (_, i) =>
          eligible(`bbbbbbbb-0000-4000-8000-${String(i).padStart(12, "0")}`, {}, READER),
        ),
      ],
    });
    expect(
      findings
        .filter((finding) => finding.rule !== "eligible-without-permanent")
        .map(({ rule, path, message }) => ({ rule, path, message })),
    ).toEqual([
      {
        rule: "authorization-required",
        path: ["authorizations"],
        message: "at least one permanent authorization is required, even when eligible authorizations are given",
      },
      {
        rule: "jit-approvers",
        path: ["eligibleAuthorizations", 0, "justInTimeAccessPolicy", "managedByTenantApprovers"],
        message: "11 approvers; at most 10 are allowed",
      },
      {
        rule: "jit-policy-consistent",
        path: ["eligibleAuthorizations", 1, "justInTimeAccessPolicy"],
        message:
          "eligible authorizations for Contributor must share one justInTimeAccessPolicy; this one differs from eligibleAuthorizations[0]: multiFactorAuthProvider None here, Azure there; approvers only there: 'Approver 0' (aaaaaaaa-0000-4000-8000-000000000000), 'Approver 1' (aaaaaaaa-0000-4000-8000-000000000001), 'Approver 2' (aaaaaaaa-0000-4000-8000-000000000002) and 8 more",
      },
      {
        rule: "marketplace-plan-limit",
        path: ["plan"],
        message: "a Marketplace plan allows at most 20 authorizations (permanent and eligible); this offer has 21",
      },
      {
        rule: "recommend-delete-role",
        path: ["authorizations"],
        message:
          "no authorization has the Managed Services Registration assignment Delete Role: only the customer will be able to remove this delegation",
      },
    ]);
    // Every eligible principal lacks a permanent authorization: one finding each, none missed.
    expect(findings.filter((finding) => finding.rule === "eligible-without-permanent")).toHaveLength(21);
  });

  it("custom roles, UAA as a delegated role, eligible placeholders and durations; policies equal up to defaults and approver order", () => {
    const OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
    const DELETE_ROLE = "91c1777a-f3dc-4fae-b103-61d183457e46";
    const CUSTOM = "99999999-9999-4999-8999-999999999999";
    const approvers = (...ids: Array<[string, string]>) =>
      ids.map(([principalId, principalIdDisplayName]) => ({ principalId, principalIdDisplayName }));
    const servicePrincipalApprover = {
      principalId: OPS,
      principalIdDisplayName: "Ops",
      principalType: "ServicePrincipal",
    };
    const findings = reviewRegistrationDefinition({
      managedByTenantId: ADMINS,
      authorizations: [
        { principalId: ADMINS, principalIdDisplayName: "Admins", roleDefinitionId: DELETE_ROLE },
        { principalId: OPS, principalIdDisplayName: "Ops", roleDefinitionId: CUSTOM },
        {
          principalId: READERS,
          principalIdDisplayName: "Readers",
          roleDefinitionId: UAA,
          delegatedRoleDefinitionIds: [UAA],
        },
      ],
      eligibleAuthorizations: [
        {
          principalId: NIL,
          principalIdDisplayName: "Nil",
          roleDefinitionId: OWNER,
          justInTimeAccessPolicy: { maximumActivationDuration: "8 hours" },
        },
        {
          principalId: ENGINEER,
          principalIdDisplayName: "Eng",
          roleDefinitionId: CONTRIBUTOR,
          justInTimeAccessPolicy: {
            multiFactorAuthProvider: "Azure",
            managedByTenantApprovers: [servicePrincipalApprover, ...approvers([READERS, "Readers"])],
          },
        },
        // The same principal and role again: a duplicate (its policy is the same).
        {
          principalId: ENGINEER,
          principalIdDisplayName: "Eng",
          roleDefinitionId: CONTRIBUTOR,
          justInTimeAccessPolicy: {
            multiFactorAuthProvider: "Azure",
            managedByTenantApprovers: [servicePrincipalApprover, ...approvers([READERS, "Readers"])],
          },
        },
        // Contributor's policy once more: approvers in another order, the default duration spelt out.
        {
          principalId: ADMINS,
          principalIdDisplayName: "Admins",
          roleDefinitionId: CONTRIBUTOR,
          justInTimeAccessPolicy: {
            multiFactorAuthProvider: "Azure",
            maximumActivationDuration: "PT8H",
            managedByTenantApprovers: approvers([READERS, "Readers"], [OPS, "Ops"]),
          },
        },
        // Reader's policy: the defaults, once implied and once written.
        { principalId: OPS, principalIdDisplayName: "Ops", roleDefinitionId: READER },
        {
          principalId: READERS,
          principalIdDisplayName: "Readers",
          roleDefinitionId: READER,
          justInTimeAccessPolicy: { multiFactorAuthProvider: "None", maximumActivationDuration: "PT8H" },
        },
      ],
    } as never);
    const eligible = (index: number, ...rest: PropertyKey[]) => ["eligibleAuthorizations", index, ...rest];
    const withoutPermanent = (index: number, who: string) => ({
      rule: "eligible-without-permanent",
      path: eligible(index, "principalId"),
      message: `${who} has no permanent authorization; give it Reader too, or activating in the portal fails`,
    });
    const serviceApprover = (index: number) => ({
      rule: "eligible-principal-type",
      path: eligible(index, "justInTimeAccessPolicy", "managedByTenantApprovers", 0, "principalId"),
      message: `approver 'Ops' (${OPS}) is a service principal; approvers are users or groups`,
    });
    expect(findings.map(({ rule, path, message }) => ({ rule, path, message }))).toEqual([
      {
        rule: "role-not-built-in",
        path: ["authorizations", 1, "roleDefinitionId"],
        message: `role definition ${CUSTOM} is not an Azure built-in role; Azure Lighthouse supports built-in roles only`,
      },
      {
        rule: "delegated-role-not-allowed",
        path: ["authorizations", 2, "delegatedRoleDefinitionIds", 0],
        message:
          "User Access Administrator cannot be a delegated role: User Access Administrator may assign managed identities supported roles only, never Owner or User Access Administrator; remove it",
      },
      {
        rule: "principal-placeholder",
        path: eligible(0, "principalId"),
        message: `eligible authorization principalId is the nil GUID ${NIL}, a placeholder: replace it with the principal's object id`,
      },
      {
        rule: "role-not-supported",
        path: eligible(0, "roleDefinitionId"),
        message:
          "Owner cannot be used with Azure Lighthouse: Azure Lighthouse does not support the Owner role; use Contributor (plus User Access Administrator with delegatedRoles to assign roles to managed identities) instead (role data: az role definition list (built-in roles), snapshot of 2026-08-22)",
      },
      withoutPermanent(0, `'Nil' (${NIL})`),
      {
        rule: "jit-duration",
        path: eligible(0, "justInTimeAccessPolicy", "maximumActivationDuration"),
        message: "maximumActivationDuration 8 hours is outside PT30M to PT8H",
      },
      withoutPermanent(1, `'Eng' (${ENGINEER})`),
      serviceApprover(1),
      withoutPermanent(2, `'Eng' (${ENGINEER})`),
      serviceApprover(2),
      {
        rule: "duplicate-authorization",
        path: ["eligibleAuthorizations", 2],
        message: `'Eng' (${ENGINEER}) already has Contributor in eligibleAuthorizations[1]`,
      },
    ]);
  });
});

describe("what a JIT policy mismatch says, and one name warning per principal", () => {
  const approver = (id: string, name: string) => ({ principalId: id, principalIdDisplayName: name });
  const eligible = (principalId: string, policy: Record<string, unknown>) => ({
    principalId,
    principalIdDisplayName: "Engineer",
    roleDefinitionId: CONTRIBUTOR,
    justInTimeAccessPolicy: policy,
  });
  const review = (first: Record<string, unknown>, second: Record<string, unknown>) =>
    reviewRegistrationDefinition({
      managedByTenantId: "83ace5cd-bcc3-441a-bd86-e6a75360cecc",
      authorizations: [
        { principalId: ENGINEER, principalIdDisplayName: "Engineer", roleDefinitionId: READER },
        { principalId: OPS, principalIdDisplayName: "Ops", roleDefinitionId: "91c1777a-f3dc-4fae-b103-61d183457e46" },
      ],
      eligibleAuthorizations: [eligible(ENGINEER, first), eligible(ENGINEER.replace("4444", "5555"), second)],
    })
      .filter((finding) => finding.rule === "jit-policy-consistent")
      .map((finding) => finding.message);

  it.each([
    [
      "three approvers only there are all named",
      {
        managedByTenantApprovers: [approver(ADMINS, "Admins"), approver(OPS, "Ops"), approver(READERS, "Readers")],
      },
      {},
      "approvers only there: 'Admins' (11111111-1111-4111-8111-111111111111), 'Ops' (22222222-2222-4222-8222-222222222222), 'Readers' (33333333-3333-4333-8333-333333333333)",
    ],
    [
      "a default equal to what is written is no difference; a duration in other words is none either",
      { multiFactorAuthProvider: "None", maximumActivationDuration: "PT8H" },
      { maximumActivationDuration: "PT480M", managedByTenantApprovers: [approver(OPS, "Ops")] },
      "approvers only here: 'Ops' (22222222-2222-4222-8222-222222222222)",
    ],
    [
      "the same policy: nothing",
      { maximumActivationDuration: "PT1H" },
      { maximumActivationDuration: "PT60M" },
      undefined,
    ],
  ])("%s", (_name, first, second, difference) => {
    expect(review(first, second)).toEqual(
      difference === undefined
        ? []
        : [
            `eligible authorizations for Contributor must share one justInTimeAccessPolicy; this one differs from eligibleAuthorizations[0]: ${difference}`,
          ],
    );
  });

  it("an unnamed principal is one warning, at its first entry, counting the others; placeholders each their own", () => {
    const unnamed = (principalId: string, roleDefinitionId: string) => ({ principalId, roleDefinitionId });
    const findings = reviewRegistrationDefinition({
      managedByTenantId: "83ace5cd-bcc3-441a-bd86-e6a75360cecc",
      authorizations: [
        unnamed(OPS, READER),
        unnamed(OPS.toUpperCase(), CONTRIBUTOR),
        unnamed(ADMINS, READER),
        unnamed(NIL, READER),
        unnamed(NIL, CONTRIBUTOR),
        unnamed(OPS, "91c1777a-f3dc-4fae-b103-61d183457e46"),
      ],
    }).filter((finding) => finding.rule === "display-name-recommended");
    expect(findings.map((finding) => [finding.path, finding.message])).toEqual([
      [
        ["authorizations", 0, "principalId"],
        `authorization ${OPS} has no principalIdDisplayName; portals, plans and reviews show only the id (nor in its 2 other entries)`,
      ],
      [
        ["authorizations", 2, "principalId"],
        `authorization ${ADMINS} has no principalIdDisplayName; portals, plans and reviews show only the id`,
      ],
      [
        ["authorizations", 3, "principalId"],
        `authorization ${NIL} has no principalIdDisplayName; portals, plans and reviews show only the id`,
      ],
      [
        ["authorizations", 4, "principalId"],
        `authorization ${NIL} has no principalIdDisplayName; portals, plans and reviews show only the id`,
      ],
    ]);
  });
});
