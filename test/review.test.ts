import { describe, expect, it } from "vitest";
import type { AccessView, DelegationView, Grant, IdentityView } from "../src/access/view";
import {
  accessChanges,
  continuityLines,
  fleetLines,
  reviewLines,
  stepCounts,
  stepList,
  stepWarnings,
  type AccessChange,
} from "../src/access/review";
import type { ContinuityFinding, Step } from "../src/plan/steps";

// Literal access views: every kind of change the review names, with the full output asserted.
const SUB_A = "11111111-1111-4111-8111-111111111111";
const SUB_B = "22222222-2222-4222-8222-222222222222";
const ops = { id: "0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7", name: "Operations" };
const admins = { id: "2b4d6f80-1a3c-4e5f-8a9b-0c1d2e3f4a5b", name: "Identity admins" };
const leads = { id: "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", name: "Security leads" };
const duty = { id: "d9b22cd6-6407-43cc-8c60-07c56df0b51a" };

const reader: Grant = { principal: ops, roleId: "acdd72a7-3385-48ef-bd42-f606fba81ae7", role: "Reader" };
const uaa = (delegatedRoles: string[]): Grant => ({
  principal: admins,
  roleId: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
  role: "User Access Administrator",
  delegatedRoles,
});
const eligible = (jit: Grant["jit"]): Grant => ({
  principal: leads,
  roleId: "b24988ac-6180-42a0-ab88-20f7382dd24c",
  role: "Contributor",
  jit,
});

function delegation(
  subscriptionId: string,
  scopes: string[],
  permanent: Grant[],
  eligibleGrants: Grant[] = [],
): DelegationView {
  return {
    subscriptionId,
    offer: "Operations",
    definitionGuid: "00000000-0000-4000-8000-000000000001",
    managedByTenantId: "83ace5cd-bcc3-441a-bd86-e6a75360cecc",
    scopes,
    permanent,
    eligible: eligibleGrants,
  };
}
const identity = (
  roles: IdentityView["roleAssignments"],
  trusts: IdentityView["federatedCredentials"],
  name = "id-deploy",
): IdentityView => ({
  name,
  kind: "user-assigned",
  subscriptionId: SUB_A,
  resourceGroup: "rg-identities",
  federatedCredentials: trusts,
  roleAssignments: roles,
});
const github = {
  name: "github",
  issuer: "https://token.actions.githubusercontent.com",
  subject: "repo:contoso/infra:environment:production",
};
const backup = {
  role: "Backup Contributor",
  roleId: "5e467623-bb1f-42f4-a55d-6e525e11384b",
  scope: `/subscriptions/${SUB_A}`,
  delegated: true,
};

describe("access review", () => {
  it("names every kind of change, with weakenings first and resource groups named", () => {
    const base: AccessView = {
      delegations: [
        delegation(
          SUB_A,
          [`/subscriptions/${SUB_A}`],
          [reader, uaa(["Contributor", "Monitoring Contributor"])],
          [eligible({ multiFactorAuthProvider: "Azure", maximumActivationDuration: "PT8H", approvers: [duty] })],
        ),
        delegation(
          SUB_B,
          [`/subscriptions/${SUB_B}/resourceGroups/rg-app`, `/subscriptions/${SUB_B}/resourceGroups/rg-old`],
          [reader],
        ),
      ],
      identities: [identity([backup], [github]), identity([], [], "id-legacy")],
    };
    const head: AccessView = {
      delegations: [
        delegation(
          SUB_A,
          [`/subscriptions/${SUB_A}`],
          [uaa(["Contributor", "Backup Contributor"])],
          [eligible({ multiFactorAuthProvider: "None", maximumActivationDuration: "PT12H", approvers: [] })],
        ),
        delegation(
          SUB_B,
          [`/subscriptions/${SUB_B}/resourceGroups/rg-app`, `/subscriptions/${SUB_B}/resourceGroups/rg-new`],
          [reader, uaa(["Contributor"])],
          [eligible({ multiFactorAuthProvider: "Azure", maximumActivationDuration: "PT1H", approvers: [duty] })],
        ),
      ],
      identities: [identity([], []), identity([], [github], "id-new")],
    };
    expect(reviewLines(accessChanges(base, head), "Fabrikam")).toEqual([
      "**Identity admins** (2b4d6f80-1a3c-4e5f-8a9b-0c1d2e3f4a5b) **may now assign** Backup Contributor to managed identities on Fabrikam (1 subscription)",
      "**Security leads** (7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d) (eligible Contributor): JIT duration **raised** from PT8H to PT12H on Fabrikam (1 subscription)",
      "**Security leads** (7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d) (eligible Contributor): JIT MFA **weakened** from Azure to None on Fabrikam (1 subscription)",
      "**Security leads** (7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d) (eligible Contributor): approver d9b22cd6-6407-43cc-8c60-07c56df0b51a removed: **no approval required any more** on Fabrikam (1 subscription)",
      'offer "Operations" **now also covers** this scope on Fabrikam (resource group rg-new)',
      'offer "Operations" **no longer covers** this scope on Fabrikam (resource group rg-old)',
      "**Operations** (0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7) **loses** Reader on Fabrikam (1 subscription, resource group rg-old)",
      "**Identity admins** (2b4d6f80-1a3c-4e5f-8a9b-0c1d2e3f4a5b) may no longer assign Monitoring Contributor on Fabrikam (1 subscription)",
      "**Identity admins** (2b4d6f80-1a3c-4e5f-8a9b-0c1d2e3f4a5b) **gains** User Access Administrator (may assign Contributor to managed identities) on Fabrikam (resource groups rg-app, rg-new)",
      "**Security leads** (7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d) **gains** eligible Contributor (JIT up to PT1H, MFA Azure, approvers d9b22cd6-6407-43cc-8c60-07c56df0b51a) on Fabrikam (resource groups rg-app, rg-new)",
      "**Operations** (0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7) **gains** Reader on Fabrikam (resource group rg-new)",
      "identity id-deploy **loses** Backup Contributor at /subscriptions/11111111-1111-4111-8111-111111111111 (through Lighthouse)",
      "identity id-deploy no longer trusts https://token.actions.githubusercontent.com repo:contoso/infra:environment:production",
      "identity **added**: id-new",
      "identity id-new **now trusts** tokens from https://token.actions.githubusercontent.com repo:contoso/infra:environment:production",
      "identity **removed**: id-legacy (and its role assignments)",
    ]);
  });

  it("returns one record per change and scope, with the values before and after", () => {
    const before = eligible({
      multiFactorAuthProvider: "None",
      maximumActivationDuration: "PT4H",
      approvers: [duty, leads],
    });
    const after = eligible({ multiFactorAuthProvider: "Azure", maximumActivationDuration: "PT2H", approvers: [leads] });
    const scope = `/subscriptions/${SUB_A}/resourceGroups/rg-app`;
    const at = {
      subscription: SUB_A,
      scope,
      scopeKind: "resource group",
      offer: "Operations",
      principal: leads,
      role: "Contributor",
      eligible: true,
    };
    const changes = accessChanges(
      { delegations: [delegation(SUB_A, [scope], [], [before])], identities: [] },
      { delegations: [delegation(SUB_A, [scope], [], [after])], identities: [] },
    );
    expect(changes).toEqual([
      { ...at, change: "jit-duration-changed", before: "PT4H", after: "PT2H", weakening: false },
      { ...at, change: "jit-mfa-changed", before: "None", after: "Azure", weakening: false },
      { ...at, change: "jit-approver-removed", before: duty, weakening: false },
    ]);
    expect(reviewLines(changes, "Contoso")).toEqual([
      "**Security leads** (7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d) (eligible Contributor): JIT duration lowered from PT4H to PT2H on Contoso (resource group rg-app)",
      "**Security leads** (7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d) (eligible Contributor): JIT MFA changed from None to Azure on Contoso (resource group rg-app)",
      "**Security leads** (7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d) (eligible Contributor): approver d9b22cd6-6407-43cc-8c60-07c56df0b51a removed on Contoso (resource group rg-app)",
    ]);
  });

  it("describes a new delegation and every grant it brings; nothing for identical views", () => {
    const added = delegation(SUB_B, [], [reader]);
    expect(
      reviewLines(
        accessChanges({ delegations: [], identities: [] }, { delegations: [added], identities: [] }),
        "Contoso",
      ),
    ).toEqual(['delegation **added**: offer "Operations" on Contoso (1 subscription)']);
    const view: AccessView = {
      delegations: [delegation(SUB_A, [`/subscriptions/${SUB_A}`], [reader])],
      identities: [identity([backup], [github])],
    };
    expect(accessChanges(view, structuredClone(view))).toEqual([]);
    expect(reviewLines(accessChanges(undefined, view), "Contoso")).toEqual([
      'delegation **added**: offer "Operations" on Contoso (1 subscription)',
      "**Operations** (0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7) **gains** Reader on Contoso (1 subscription)",
      "identity **added**: id-deploy",
      "identity id-deploy **gains** Backup Contributor at /subscriptions/11111111-1111-4111-8111-111111111111 (through Lighthouse)",
      "identity id-deploy **now trusts** tokens from https://token.actions.githubusercontent.com repo:contoso/infra:environment:production",
    ]);
  });
});

describe("the review's steps and continuity lines", () => {
  const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
  const finding = (subscription: string, extra: Partial<ContinuityFinding> = {}): ContinuityFinding => ({
    kind: "interrupted",
    subscription,
    scope: `/subscriptions/${subscription}`,
    offer: "Operations",
    principal: ops,
    roleId: READER,
    eligible: false,
    from: 1,
    until: 4,
    cause: `step delete-replaced ops-${subscription}-subscription`,
    ...extra,
  });
  const step = (index: number): Step => ({
    op: "update",
    urn: `urn:pulumi:s::lighthouse::azure-native:managedservices:RegistrationDefinition::d${index}`,
    type: "azure-native:managedservices:RegistrationDefinition",
    id: `/d${index}`,
    reason: "properties changed",
  });

  it("one finding with its steps and cause; the same finding over several scopes as one line in general terms", () => {
    expect(continuityLines({ steps: [], continuity: [finding(SUB_A)] }, "Fabrikam")).toEqual([
      `**Operations** (${ops.id}) is **without** Reader while pulumi up runs (offer "Operations"; from step 1 until step 4; step delete-replaced ops-${SUB_A}-subscription) on Fabrikam (1 subscription)`,
    ]);
    const lost = {
      kind: "lost" as const,
      until: undefined,
      eligible: true,
      cause:
        "step delete esc: removing a delegation removes the principal/role pairs it shares with the subscription's other delegations (remove-delegation.md)",
    };
    expect(
      continuityLines(
        { steps: [], continuity: [finding(SUB_A, lost), finding(SUB_B, lost), finding(SUB_B)] },
        "Fabrikam",
      ),
    ).toEqual([
      `**Operations** (${ops.id}) **loses** eligible Reader when pulumi up ends (offer "Operations"; Azure removes the principal/role pairs a removed delegation shares with the subscription's others (remove-delegation.md)) on Fabrikam (2 subscriptions)`,
      `**Operations** (${ops.id}) is **without** Reader while pulumi up runs (offer "Operations"; from step 1 until step 4; step delete-replaced ops-${SUB_B}-subscription) on Fabrikam (1 subscription)`,
    ]);
  });

  it("failing and unknown steps one line each; the list stops at 200 and says how many more", () => {
    const failing = { ...step(1), fails: "refused" };
    const unknown = { ...step(2), op: "delete-replaced" as const, unknown: "not documented" };
    expect(stepWarnings({ steps: [failing, unknown], continuity: [] })).toEqual([
      "**pulumi up stops at step 1** (update in place `d1`): refused",
      "**step 2 unknown** (delete (replaced, deleted first) `d2`): not documented",
    ]);
    const many = { steps: Array.from({ length: 203 }, (_, index) => step(index + 1)), continuity: [] };
    const listed = stepList(many);
    expect(listed).toHaveLength(201);
    expect([listed[0], listed[199], listed[200]]).toEqual([
      "1. update in place `d1` (RegistrationDefinition): properties changed",
      "200. update in place `d200` (RegistrationDefinition): properties changed",
      "… and 3 more steps (npm run diff -- --format json lists them all)",
    ]);
    expect(stepCounts({ steps: [step(1), unknown, step(3)], continuity: [] })).toBe(
      "2 × update in place, 1 × delete (replaced, deleted first)",
    );
    expect(stepCounts({ steps: [], continuity: [] })).toBe("no change");
  });
});

describe("fleetLines: a fleet's changes, each once", () => {
  const ops = { id: "0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7", name: "Operations engineers" };
  const granted = (role: string, weakening = false): AccessChange => ({
    change: "granted",
    principal: ops,
    role,
    subscription: "x",
    scope: "/subscriptions/x",
    scopeKind: "subscription",
    after: {},
    weakening,
  });
  it("names the stacks (three, then how many more), weakenings first, then the most widespread; a stack counts once", () => {
    expect(
      fleetLines([
        { stack: "a", records: [granted("Reader"), granted("Reader")] },
        { stack: "b", records: [granted("Reader"), granted("Contributor")] },
        { stack: "c", records: [granted("Reader")] },
        { stack: "d", records: [granted("Reader"), { ...granted("Monitoring Contributor"), weakening: true }] },
        { stack: "e", records: [granted("Reader"), granted("Contributor")] },
      ]),
    ).toEqual([
      "**Operations engineers** (0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7) **gains** Monitoring Contributor in 1 stack (d)",
      "**Operations engineers** (0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7) **gains** Reader in 5 stacks (a, b, c and 2 more)",
      "**Operations engineers** (0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7) **gains** Contributor in 2 stacks (b, e)",
    ]);
  });

  it("at most 30 lines, then how many more", () => {
    const records = Array.from({ length: 32 }, (_, index) => granted(`Role ${index}`));
    const lines = fleetLines([{ stack: "a", records }]);
    expect(lines).toHaveLength(31);
    expect(lines[29]).toBe(
      "**Operations engineers** (0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7) **gains** Role 29 in 1 stack (a)",
    );
    expect(lines[30]).toBe("2 more changes: see each stack below");
  });
});

describe("every other change, record and sentence", () => {
  /** Where a record applies, written out independently of the review's own helper. */
  const located = (scope: string) => ({
    subscription: scope.split("/")[2],
    scope,
    scopeKind: scope.includes("/resourceGroups/") ? ("resource group" as const) : ("subscription" as const),
  });
  const TENANT_NEW = "9f0e1d2c-3b4a-4596-8877-665544332211";
  const rg = (subscription: string, group: string) => `/subscriptions/${subscription}/resourceGroups/${group}`;

  it("a removed delegation: per scope, or per subscription when it has none; the other subscription's stays", () => {
    const kept = delegation(SUB_A, [`/subscriptions/${SUB_A}`], []);
    const base: AccessView = {
      delegations: [kept, delegation(SUB_B, [rg(SUB_B, "rg-b"), rg(SUB_B, "rg-a")], [])],
      identities: [],
    };
    const head: AccessView = { delegations: [kept], identities: [] };
    expect(accessChanges(base, head)).toEqual([
      { change: "delegation-removed", ...located(rg(SUB_B, "rg-b")), offer: "Operations", weakening: false },
      { change: "delegation-removed", ...located(rg(SUB_B, "rg-a")), offer: "Operations", weakening: false },
    ]);
    expect(reviewLines(accessChanges(base, head), "Fabrikam")).toEqual([
      'delegation **removed**: offer "Operations" on Fabrikam (resource groups rg-a, rg-b)',
    ]);
    expect(accessChanges({ delegations: [delegation(SUB_B, [], [])], identities: [] }, undefined)).toEqual([
      { change: "delegation-removed", subscription: SUB_B, offer: "Operations", weakening: false },
    ]);
  });

  it("a new managing tenant is a weakening, first in the records", () => {
    const scope = `/subscriptions/${SUB_A}`;
    const changes = accessChanges(
      { delegations: [delegation(SUB_A, [scope], [])], identities: [] },
      {
        delegations: [{ ...delegation(SUB_A, [scope, rg(SUB_A, "rg-x")], []), managedByTenantId: TENANT_NEW }],
        identities: [],
      },
    );
    expect(changes).toEqual([
      {
        change: "managing-tenant-changed",
        subscription: SUB_A,
        offer: "Operations",
        before: "83ace5cd-bcc3-441a-bd86-e6a75360cecc",
        after: TENANT_NEW,
        weakening: true,
      },
      { change: "scope-added", ...located(rg(SUB_A, "rg-x")), offer: "Operations", weakening: false },
    ]);
    expect(reviewLines(changes, "Fabrikam")).toEqual([
      `offer "Operations": **managing tenant changed** from 83ace5cd-bcc3-441a-bd86-e6a75360cecc to ${TENANT_NEW} (a new delegation: see the steps for the order) on Fabrikam (1 subscription)`,
      'offer "Operations" **now also covers** this scope on Fabrikam (resource group rg-x)',
    ]);
  });

  it("JIT: an added approver; the same duration written otherwise; only what changed", () => {
    const scope = `/subscriptions/${SUB_A}`;
    const jit = (maximumActivationDuration: string, approvers: Grant["principal"][]) =>
      eligible({ multiFactorAuthProvider: "Azure", maximumActivationDuration, approvers });
    const changes = accessChanges(
      { delegations: [delegation(SUB_A, [scope], [], [jit("PT1H", [duty])])], identities: [] },
      { delegations: [delegation(SUB_A, [scope], [], [jit("PT60M", [duty, admins])])], identities: [] },
    );
    const at = { ...located(scope), offer: "Operations", principal: leads, role: "Contributor", eligible: true };
    expect(changes).toEqual([
      { ...at, change: "jit-duration-changed", before: "PT1H", after: "PT60M", weakening: false },
      { ...at, change: "jit-approver-added", after: admins, weakening: false },
    ]);
    expect(reviewLines(changes, "Fabrikam")).toEqual([
      "**Security leads** (7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d) (eligible Contributor): JIT duration lowered from PT1H to PT60M on Fabrikam (1 subscription)",
      "**Security leads** (7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d) (eligible Contributor): approver Identity admins (2b4d6f80-1a3c-4e5f-8a9b-0c1d2e3f4a5b) added on Fabrikam (1 subscription)",
    ]);
  });

  it("identities are told apart by subscription, resource group and name; trusts by issuer and subject", () => {
    const trust = (subject: string) => ({ ...github, subject });
    const at = (subscriptionId: string | undefined, resourceGroup: string | undefined, trusts = [github]) => ({
      ...identity([], trusts),
      subscriptionId,
      resourceGroup,
    });
    const base: AccessView = {
      delegations: [],
      identities: [at(SUB_A, "rg-identities"), at(undefined, undefined, [github, trust("repo:contoso/infra:pr")])],
    };
    const head: AccessView = {
      delegations: [],
      identities: [
        at(SUB_A, "rg-identities"),
        at(SUB_A, "rg-other"),
        at(SUB_B, "rg-identities"),
        at(undefined, undefined, [github]),
      ],
    };
    expect(accessChanges(base, head)).toEqual([
      { subscription: SUB_A, identity: "id-deploy", change: "identity-added", weakening: false },
      {
        subscription: SUB_A,
        identity: "id-deploy",
        change: "trust-added",
        after: { issuer: github.issuer, subject: github.subject },
        weakening: false,
      },
      { subscription: SUB_B, identity: "id-deploy", change: "identity-added", weakening: false },
      {
        subscription: SUB_B,
        identity: "id-deploy",
        change: "trust-added",
        after: { issuer: github.issuer, subject: github.subject },
        weakening: false,
      },
      {
        identity: "id-deploy",
        change: "trust-removed",
        before: { issuer: github.issuer, subject: "repo:contoso/infra:pr" },
        weakening: false,
      },
    ]);
    expect(accessChanges({ delegations: [], identities: [at(undefined, undefined, [])] }, undefined)).toEqual([
      { identity: "id-deploy", change: "identity-removed", weakening: false },
    ]);
  });

  it("records list weakenings first; a line is first when any change in it weakens", () => {
    const scope = `/subscriptions/${SUB_A}`;
    const changes = accessChanges(
      { delegations: [delegation(SUB_A, [scope], [uaa([])])], identities: [] },
      { delegations: [delegation(SUB_A, [scope], [reader, uaa(["Contributor"])])], identities: [] },
    );
    expect(changes.map((change) => change.change)).toEqual(["delegated-role-added", "granted"]);
    const granted = (subscription: string, weakening: boolean): AccessChange => ({
      change: "granted",
      principal: ops,
      role: "Reader",
      ...located(`/subscriptions/${subscription}`),
      after: {},
      weakening,
    });
    const revoked: AccessChange = { ...granted(SUB_A, false), change: "revoked", before: {} };
    expect(reviewLines([revoked, granted(SUB_A, false), granted(SUB_B, true)], "Fabrikam")).toEqual([
      "**Operations** (0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7) **gains** Reader on Fabrikam (2 subscriptions)",
      "**Operations** (0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7) **loses** Reader on Fabrikam (1 subscription)",
    ]);
  });

  it("a removed stack says nothing is revoked until destroy", () => {
    expect(reviewLines([{ change: "stack-removed", stack: "contoso", weakening: false }], "Contoso")).toEqual([
      "**stack removed**: nothing is revoked by this change; its delegations and identities stay in Azure until the destroy workflow (or pulumi destroy --stack contoso) removes them",
    ]);
  });
});

describe("continuity and step lines at their edges", () => {
  const finding = (subscription: string, kind: "lost" | "interrupted", cause: string): ContinuityFinding => ({
    kind,
    subscription,
    scope: `/subscriptions/${subscription}`,
    offer: "Operations",
    principal: duty,
    roleId: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    eligible: false,
    from: 2,
    ...(kind === "interrupted" ? { until: 3 } : {}),
    cause,
  });
  const plan = (continuity: ContinuityFinding[]) => continuityLines({ steps: [], continuity }, "Fabrikam");
  const who = `**${duty.id}** (${duty.id})`;

  it("causes in general terms: the run stops, a deletion, a replacement", () => {
    expect(
      plan([
        finding(SUB_A, "lost", "the run stops at step 2"),
        finding(SUB_B, "lost", "the run stops at step 5"),
        finding(SUB_A, "lost", "step delete ops-a"),
        finding(SUB_B, "lost", "step delete ops-b"),
        finding(SUB_A, "interrupted", "step delete-replaced ops-a"),
        finding(SUB_B, "interrupted", "step delete-replaced ops-b"),
      ]),
    ).toEqual([
      `${who} **loses** Reader when pulumi up ends (offer "Operations"; the run stops before granting it) on Fabrikam (2 subscriptions)`,
      `${who} **loses** Reader when pulumi up ends (offer "Operations"; its delegation is deleted) on Fabrikam (2 subscriptions)`,
      `${who} is **without** Reader while pulumi up runs (offer "Operations"; its delegation is deleted before it is re-created) on Fabrikam (2 subscriptions)`,
    ]);
    expect(plan([finding(SUB_A, "lost", "step delete ops-a")])).toEqual([
      `${who} **loses** Reader when pulumi up ends (offer "Operations"; step delete ops-a) on Fabrikam (1 subscription)`,
    ]);
  });

  it("a step that neither fails nor is unknown has no warning; exactly 200 steps have no 'more' line", () => {
    const step = (index: number): Step => ({
      op: "create",
      urn: `urn:pulumi:s::lighthouse::azure-native:managedservices:RegistrationAssignment::a${index}`,
      type: "azure-native:managedservices:RegistrationAssignment",
      id: `/a${index}`,
      reason: "new",
    });
    expect(stepWarnings({ steps: [step(1)], continuity: [] })).toEqual([]);
    const listed = stepList({ steps: Array.from({ length: 200 }, (_, index) => step(index + 1)), continuity: [] });
    expect([listed.length, listed.at(-1)]).toEqual([200, "200. create `a200` (RegistrationAssignment): new"]);
  });
});

describe("fleetLines at its edges", () => {
  const granted = (role: string): AccessChange => ({
    change: "granted",
    principal: ops,
    role,
    subscription: SUB_A,
    scope: `/subscriptions/${SUB_A}`,
    scopeKind: "subscription",
    after: {},
    weakening: false,
  });
  it("three stacks are all named; the most widespread first whatever the order seen; exactly 30 lines", () => {
    expect(
      fleetLines([
        { stack: "a", records: [granted("Contributor")] },
        { stack: "b", records: [granted("Reader")] },
        { stack: "c", records: [granted("Reader")] },
        { stack: "d", records: [granted("Reader")] },
      ]),
    ).toEqual([
      "**Operations** (0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7) **gains** Reader in 3 stacks (b, c, d)",
      "**Operations** (0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7) **gains** Contributor in 1 stack (a)",
    ]);
    const lines = fleetLines([{ stack: "a", records: Array.from({ length: 30 }, (_, index) => granted(`R${index}`)) }]);
    expect([lines.length, lines.at(-1)]).toEqual([
      30,
      "**Operations** (0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7) **gains** R29 in 1 stack (a)",
    ]);
  });
});
