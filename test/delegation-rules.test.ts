import { describe, expect, it } from "vitest";
import {
  reviewCustomerTenant,
  reviewDelegatedRoleAssignment,
  reviewScopeDelegated,
  reviewSharedGrants,
  type DelegationUnderReview,
} from "../src/rules/delegation";
import { reviewFederatedSubjects } from "../src/rules/trust";

const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c";
const MONITORING_CONTRIBUTOR = "749f88d5-cbae-40b8-bcfc-e573ddc772fa";
const UAA = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9";
const SUB = "/subscriptions/9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d";

const operations: DelegationUnderReview = {
  offerName: "Operations",
  scopes: [`${SUB}/resourceGroups/rg-app`],
  authorizations: [
    { roleDefinitionId: CONTRIBUTOR },
    // Role ids may come as resource ids; they compare by GUID.
    {
      roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${UAA}`,
      delegatedRoleDefinitionIds: [CONTRIBUTOR, MONITORING_CONTRIBUTOR],
    },
  ],
};
// A delegatedRoles list on a role other than User Access Administrator allows nothing.
const readers: DelegationUnderReview = {
  offerName: "Readers",
  scopes: [SUB],
  authorizations: [{ roleDefinitionId: READER, delegatedRoleDefinitionIds: [READER] }],
};

describe("delegation rules", () => {
  it("a role assignment through Lighthouse needs a covering offer whose UAA authorization allows the role", () => {
    const scope = `${SUB}/resourceGroups/rg-app/providers/Microsoft.Storage/storageAccounts/st1`;
    expect(reviewDelegatedRoleAssignment(MONITORING_CONTRIBUTOR, scope, [readers, operations])).toEqual([]);
    expect(reviewDelegatedRoleAssignment(READER, scope, [readers, operations])).toEqual([
      {
        rule: "role-not-delegated",
        severity: "error",
        path: ["roleDefinitionId"],
        message: `Reader cannot be assigned through Lighthouse at ${scope}: offer 'Readers' allows none (no User Access Administrator authorization); offer 'Operations' allows Contributor, Monitoring Contributor`,
      },
    ]);
  });

  it("only offers delegated at a scope containing the assignment count", () => {
    // Operations is delegated at rg-app only: at rg-data only Readers covers, and it allows nothing.
    expect(reviewDelegatedRoleAssignment(CONTRIBUTOR, `${SUB}/resourceGroups/rg-data`, [readers, operations])).toEqual([
      {
        rule: "role-not-delegated",
        severity: "error",
        path: ["roleDefinitionId"],
        message: `Contributor cannot be assigned through Lighthouse at ${SUB}/resourceGroups/rg-data: offer 'Readers' allows none (no User Access Administrator authorization)`,
      },
    ]);
    expect(
      reviewDelegatedRoleAssignment(CONTRIBUTOR, "/subscriptions/11111111-2222-4333-8444-555555555555", [operations]),
    ).toEqual([
      {
        rule: "scope-not-delegated",
        severity: "error",
        path: ["scope"],
        message: "/subscriptions/11111111-2222-4333-8444-555555555555 is not inside any scope this customer delegated",
      },
    ]);
  });

  it("a scope must lie inside a delegated scope", () => {
    expect(reviewScopeDelegated(`${SUB}/resourceGroups/rg-app/providers/x/y/z`, [operations], [3, "scope"])).toEqual(
      [],
    );
    expect(reviewScopeDelegated(`${SUB}/resourceGroups/rg-application`, [operations], [3, "scope"])).toEqual([
      {
        rule: "scope-not-delegated",
        severity: "error",
        path: [3, "scope"],
        message: `${SUB}/resourceGroups/rg-application is not inside any scope this customer delegated`,
      },
    ]);
  });

  it("the customer's own tenant cannot manage it, whatever the case", () => {
    expect(
      reviewCustomerTenant("83ace5cd-bcc3-441a-bd86-e6a75360cecc", "0e06d6a3-55ae-40a3-ac29-350808980808"),
    ).toEqual([]);
    expect(
      reviewCustomerTenant("83ACE5CD-bcc3-441a-bd86-e6a75360cecc", "83ace5cd-bcc3-441a-bd86-E6A75360CECC"),
    ).toEqual([
      {
        rule: "managing-tenant-is-customer",
        severity: "error",
        path: ["managedByTenantId"],
        message:
          "managedByTenantId 83ACE5CD-bcc3-441a-bd86-e6a75360cecc is the customer's own tenant; a tenant cannot delegate to itself",
      },
    ]);
  });
});

describe("shared-grant: one principal and role through two delegations of a subscription", () => {
  const ALICE = "11111111-1111-4111-8111-111111111111";
  const BOB = "22222222-2222-4222-8222-222222222222";
  const SUB_A = "9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d";
  const SUB_B = "a4b5c6d7-e8f9-4a0b-8c1d-2e3f4a5b6c7d";
  const grant = (principalId: string, roleDefinitionId: string, principalIdDisplayName?: string) => ({
    principalId,
    roleDefinitionId,
    ...(principalIdDisplayName ? { principalIdDisplayName } : {}),
  });
  const message = (who: string, role: string, first: string, second: string, sub: string) =>
    `${who} holds ${role} through offers '${first}' and '${second}' in subscription ${sub}: removing either delegation removes it from the other too, and pulumi up does not restore it; after removing one, re-create the other's assignment (pulumi up --replace <its assignment's URN>)`;

  it("each repeat once, at the later delegation, naming the earlier; role ids compared by GUID, principals without case", () => {
    const findings = reviewSharedGrants([
      {
        offerName: "Ops",
        subscriptionId: SUB_A,
        authorizations: [grant(ALICE, READER, "Alice"), grant(BOB, CONTRIBUTOR)],
      },
      // Another subscription: no repeat.
      { offerName: "Ops", subscriptionId: SUB_B, authorizations: [grant(ALICE, READER, "Alice")] },
      {
        offerName: "Escalation",
        subscriptionId: SUB_A.toUpperCase(),
        authorizations: [
          grant(ALICE.toUpperCase(), `/providers/Microsoft.Authorization/roleDefinitions/${READER}`, "Alice"),
          // Another role of the same principal: no repeat.
          grant(BOB, READER),
        ],
      },
      { offerName: "Audit", subscriptionId: SUB_A, authorizations: [grant(BOB, CONTRIBUTOR)] },
    ]);
    expect(findings).toEqual([
      {
        rule: "shared-grant",
        severity: "warning",
        path: [],
        index: 2,
        message: message(
          "'Alice' (11111111-1111-4111-8111-111111111111)",
          "Reader",
          "Ops",
          "Escalation",
          SUB_A.toUpperCase(),
        ),
      },
      {
        rule: "shared-grant",
        severity: "warning",
        path: [],
        index: 3,
        message: message(BOB, "Contributor", "Ops", "Audit", SUB_A),
      },
    ]);
  });

  it("a third delegation names the one before it; one offer repeating its own pair is another rule's", () => {
    const three = ["A", "B", "C"].map((offerName) => ({
      offerName,
      subscriptionId: SUB_A,
      authorizations: [grant(BOB, READER)],
    }));
    expect(
      reviewSharedGrants(three).map((finding) => [finding.index, finding.message.split(" in subscription")[0]]),
    ).toEqual([
      [1, `${BOB} holds Reader through offers 'A' and 'B'`],
      [2, `${BOB} holds Reader through offers 'B' and 'C'`],
    ]);
    expect(
      reviewSharedGrants([
        { offerName: "A", subscriptionId: SUB_A, authorizations: [grant(BOB, READER), grant(BOB, READER)] },
      ]),
    ).toEqual([]);
  });
});

describe("federated-subject-protected: who may obtain an identity's tokens", () => {
  const GITHUB = "https://token.actions.githubusercontent.com";
  it("flags GitHub pull-request and branch subjects, at each credential's subject (indices kept over unreadable entries)", () => {
    expect(
      reviewFederatedSubjects([
        { issuer: GITHUB, subject: "repo:contoso/ops:pull_request" },
        undefined,
        { issuer: `${GITHUB}/`, subject: "repo:contoso/ops:ref:refs/heads/feature/x" },
        { issuer: GITHUB, subject: "repo:contoso/ops:environment:production" },
        {
          issuer: "https://vstoken.dev.azure.com/6f7e8d9c-0b1a-4c2d-9e3f-4a5b6c7d8e9f",
          subject: "sc://contoso/ops/prod",
        },
        // Another issuer's subject is not GitHub's claim.
        { issuer: "https://issuer.example", subject: "repo:contoso/ops:pull_request" },
        { issuer: GITHUB },
      ]),
    ).toEqual([
      {
        rule: "federated-subject-protected",
        severity: "error",
        path: ["federatedCredentials", 0, "subject"],
        message:
          "subject 'repo:contoso/ops:pull_request' gives this identity's access to every pull request's workflow: trust a protected environment instead (repo:contoso/ops:environment:production, with required reviewers and main as its only deployment branch)",
      },
      {
        rule: "federated-subject-protected",
        severity: "error",
        path: ["federatedCredentials", 2, "subject"],
        message:
          "subject 'repo:contoso/ops:ref:refs/heads/feature/x' gives this identity's access to any workflow run on that branch: trust a protected environment instead (repo:contoso/ops:environment:production, with required reviewers and main as its only deployment branch)",
      },
    ]);
  });
});
