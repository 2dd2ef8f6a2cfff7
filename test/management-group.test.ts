import { afterEach, describe, expect, it } from "vitest";
import { lighthouseProgram } from "../app/program";
import { LighthouseDelegation, ManagementGroupDelegation } from "../components";
import { policyPackServer } from "./helpers/pack";
import { delegationPolicyDefinition } from "../src/export/policy";
import { runOffline, type RegisteredResource } from "../src/offline";
import { accessView } from "../src/access/view";
import { accessLines } from "../src/access/describe";
import { accessMatrixHtml } from "../src/access/matrix";
import { accessChanges, reviewLines } from "../src/access/review";
import { runCommandInProcess } from "./helpers/project";
import { command as inventoryCommand } from "../src/cli/inventory";
import { startFakeArm, type FakeArm } from "../scripts/fake-arm/server";
import { deployedFixture } from "./helpers/deployed";

import {
  DEFINITION,
  MG,
  MG_SCOPE,
  OWNER,
  POLICY_ASSIGNMENT,
  ROLE_ASSIGNMENT,
  SUB,
  operationsOffer as offer,
  GROUP_ENTRY,
  load,
  stackFile,
} from "./helpers/management-group";

describe("a stack that names a management group", () => {
  it("plans the policy definition, its assignment with an identity, the identity's Owner role and a remediation", async () => {
    const { root, stack, diagnostics } = load(stackFile(GROUP_ENTRY));
    expect(diagnostics).toEqual([]);
    expect(stack!.managementGroups).toEqual([
      { offer: stack!.managementGroups[0].offer, managementGroupId: MG, location: "westeurope", remediate: true },
    ]);
    const { resources } = await runOffline("lighthouse", "woodgrove", () =>
      lighthouseProgram({ projectRoot: root, stackName: "woodgrove" }),
    );
    const policy = resources.filter((resource) => resource.name.startsWith("contoso-operations-mg-"));
    expect(policy.map((resource) => [resource.type, resource.name])).toEqual([
      ["lighthouse:delegation:ManagementGroupDelegation", `contoso-operations-mg-${MG}`],
      ["azure-native:authorization:PolicyDefinitionAtManagementGroup", `contoso-operations-mg-${MG}-policy-definition`],
      ["azure-native:authorization:PolicyAssignment", `contoso-operations-mg-${MG}-policy-assignment`],
      ["azure-native:authorization:RoleAssignment", `contoso-operations-mg-${MG}-remediation-role`],
      ["azure-native:policyinsights:RemediationAtManagementGroup", `contoso-operations-mg-${MG}-remediation`],
    ]);
    const [, definition, assignment, role, remediation] = policy;
    expect(definition.inputs).toEqual({
      managementGroupId: MG,
      policyDefinitionName: `lighthouse-${DEFINITION}`,
      ...delegationPolicyDefinition(offer, "westeurope"),
    });
    expect(assignment.inputs).toEqual({
      scope: MG_SCOPE,
      policyAssignmentName: POLICY_ASSIGNMENT,
      policyDefinitionId: `${MG_SCOPE}/providers/Microsoft.Authorization/policyDefinitions/lighthouse-${DEFINITION}`,
      displayName: "Azure Lighthouse: delegate 'Contoso Managed Operations'",
      // azure-native's SDK default.
      enforcementMode: "Default",
      location: "westeurope",
      identity: { type: "SystemAssigned" },
    });
    expect(role.inputs).toEqual({
      scope: MG_SCOPE,
      roleAssignmentName: ROLE_ASSIGNMENT,
      roleDefinitionId: OWNER,
      principalId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      principalType: "ServicePrincipal",
    });
    expect(remediation.inputs).toEqual({
      managementGroupId: MG,
      managementGroupsNamespace: "Microsoft.Management",
      remediationName: `lighthouse-${DEFINITION}`,
      policyAssignmentId: `${MG_SCOPE}/providers/Microsoft.Authorization/policyAssignments/${POLICY_ASSIGNMENT}`,
      resourceDiscoveryMode: "ExistingNonCompliant",
    });
    // The remediation's deployments run as the identity: after it holds Owner.
    expect(remediation.dependencies).toContain(role.urn);
    const noRemediation = load(stackFile(`${GROUP_ENTRY}\n          remediate: false`));
    const planned = await runOffline("lighthouse", "woodgrove", () =>
      lighthouseProgram({ projectRoot: noRemediation.root, stackName: "woodgrove" }),
    );
    expect(planned.resources.filter((resource: RegisteredResource) => resource.type.endsWith("Remediation"))).toEqual(
      [],
    );
  });
});

describe("plan and review name the management group", () => {
  const viewOf = async (entry: string) => {
    const { root } = load(stackFile(entry));
    const { resources } = await runOffline("lighthouse", "woodgrove", () =>
      lighthouseProgram({ projectRoot: root, stackName: "woodgrove" }),
    );
    return accessView(resources);
  };
  const SUBSCRIPTION_ENTRY = `      subscriptions:\n        - subscriptionId: ${SUB}`;

  it("the plan lists the offer's grants under the management group; the review says who gains access there", async () => {
    const before = await viewOf(SUBSCRIPTION_ENTRY);
    const after = await viewOf(`${SUBSCRIPTION_ENTRY}\n${GROUP_ENTRY}`);
    expect(accessLines(after).slice(accessLines(before).length)).toEqual([
      "",
      `Management group ${MG} (every subscription in it, present and future, by Azure Policy)`,
      `  Offer "Contoso Managed Operations" (managing tenant 83ace5cd-bcc3-441a-bd86-e6a75360cecc, definition ${DEFINITION})`,
      "    permanent  Tier 1 Support (f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc): Reader",
      "    permanent  Operations engineers (0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7): Contributor",
      "    permanent  Identity admins (2b4d6f80-1a3c-4e5f-8a9b-0c1d2e3f4a5b): User Access Administrator; may assign Contributor, Monitoring Contributor to managed identities",
      "    permanent  Offboarding automation (5d7e9f10-2b3c-4d5e-9f60-718293a4b5c6): Managed Services Registration assignment Delete Role",
      // The policy's own identity, which deploys the delegations: Owner at the management group.
      "",
      `System-assigned identity of ${MG_SCOPE}/providers/Microsoft.Authorization/policyAssignments/${POLICY_ASSIGNMENT}`,
      `    role       Owner at ${MG_SCOPE}`,
    ]);
    const on = `on Woodgrove (every subscription of management group ${MG})`;
    expect(reviewLines(accessChanges(before, after), "Woodgrove")).toEqual([
      `delegation **added**: offer "Contoso Managed Operations" ${on}`,
      `**Tier 1 Support** (f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc) **gains** Reader ${on}`,
      `**Operations engineers** (0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7) **gains** Contributor ${on}`,
      `**Identity admins** (2b4d6f80-1a3c-4e5f-8a9b-0c1d2e3f4a5b) **gains** User Access Administrator (may assign Contributor, Monitoring Contributor to managed identities) ${on}`,
      `**Offboarding automation** (5d7e9f10-2b3c-4d5e-9f60-718293a4b5c6) **gains** Managed Services Registration assignment Delete Role ${on}`,
      `identity **added**: ${MG_SCOPE}/providers/Microsoft.Authorization/policyAssignments/${POLICY_ASSIGNMENT}`,
      `identity ${MG_SCOPE}/providers/Microsoft.Authorization/policyAssignments/${POLICY_ASSIGNMENT} **gains** Owner at ${MG_SCOPE}`,
    ]);
  });
});

describe("inventory --drift reads the management group's subscriptions", () => {
  const NEW_SUBSCRIPTION = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a";
  let fake: FakeArm | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it("names each subscription below it that the policy has not delegated yet", async () => {
    const { root } = load(stackFile(GROUP_ENTRY));
    // Azure as the policy leaves it after remediating two subscriptions: Fabrikam's deployed operations offer.
    const deployed = deployedFixture("fabrikam");
    const operations = deployed.definitions.filter((item) => item.name === DEFINITION);
    const ids = new Set(operations.map((item) => String(item.id).toLowerCase()));
    fake = await startFakeArm({
      definitions: operations,
      assignments: deployed.assignments.filter((item) =>
        ids.has(String(item.properties.registrationDefinitionId).toLowerCase()),
      ),
      managementGroups: { [MG]: [SUB, "6c8b2e14-9d3f-4a5b-8c7d-1e2f3a4b5c6d", NEW_SUBSCRIPTION] },
    });
    const result = await runCommandInProcess(
      inventoryCommand,
      ["--stack", "woodgrove", "--drift", "--format", "json", "--endpoint", fake.url],
      { AZURE_ACCESS_TOKEN: "fake-token" },
      root,
    );
    expect([result.status, result.stderr]).toEqual([1, ""]);
    expect(JSON.parse(result.stdout).drift).toEqual([
      {
        kind: "missing-delegation",
        subscriptionId: NEW_SUBSCRIPTION,
        offer: "Contoso Managed Operations",
        message: `not delegated yet: no registration definition ${DEFINITION} in this subscription of management group ${MG} (its policy deploys it when it evaluates the subscription, or by a remediation)`,
      },
    ]);
    expect(
      fake.requests.filter((request) => request.path.includes("managementGroups")).map((request) => request.path),
    ).toEqual([`/providers/Microsoft.Management/managementGroups/${MG}/descendants`]);
  });
});

describe("the policy pack reviews the definition a management-group policy deploys", () => {
  const pack = policyPackServer();
  it("an offer refused for a subscription is refused for a management group", async () => {
    const owner = { ...offer.authorizations[0], roleDefinitionId: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635" };
    const refused = { ...offer, authorizations: [owner, ...offer.authorizations.slice(1)] };
    const { resources } = await runOffline("lighthouse", "pack", () => {
      new ManagementGroupDelegation("mg", { offer: refused, managementGroupId: MG, location: "westeurope" });
      new LighthouseDelegation("sub", { offer: refused, subscriptionId: SUB });
    });
    const violations = (await (await pack()).analyze(resources, {})).filter(
      (violation) => violation.policy === "lighthouse-role-not-supported",
    );
    const refusal =
      "authorizations.0.roleDefinitionId: Owner cannot be used with Azure Lighthouse: Azure Lighthouse does not support the Owner role; use Contributor (plus User Access Administrator with delegatedRoles to assign roles to managed identities) instead (role data: az role definition list (built-in roles), snapshot of 2026-08-22)";
    expect(violations.map((violation) => [violation.resource?.name, violation.message])).toEqual([
      ["sub-definition", `properties.${refusal}`],
      ["mg-policy-definition", `the deployed definition's ${refusal}`],
    ]);
  });
});

describe("the access matrix shows a management group's grants", () => {
  it("at the management group, granted in each of its subscriptions; the policy's identity with its Owner role", async () => {
    const { root } = load(stackFile(GROUP_ENTRY));
    const { resources } = await runOffline("lighthouse", "woodgrove", () =>
      lighthouseProgram({ projectRoot: root, stackName: "woodgrove" }),
    );
    const html = accessMatrixHtml(
      [{ stack: "woodgrove", customer: "Woodgrove", access: accessView(resources) }],
      "now",
    );
    const scope = `<span class="scope" title="${MG_SCOPE}">management group ${MG}</span>`;
    const offer = '<span class="detail">offer Contoso Managed Operations</span>';
    const byPolicy = "in each of its subscriptions, by Azure Policy";
    const item = (role: string, rest: string) =>
      `<li class="permanent" data-kind="permanent" data-search="${role.toLowerCase()} management group ${MG} ${rest}`;
    expect(html.match(/<li [^]*?<\/li>/g)?.filter((entry) => entry.includes("management group"))).toEqual([
      `${item("Owner", " woodgrove")}"><span class="role">Owner</span> <span class="badge">permanent</span> ${scope}</li>`,
      `${item("User Access Administrator", "contoso managed operations woodgrove")}"><span class="role">User Access Administrator</span> <span class="badge">permanent</span> ${scope} ${offer} <span class="detail">may assign Contributor, Monitoring Contributor; ${byPolicy}</span></li>`,
      `${item("Managed Services Registration assignment Delete Role", "contoso managed operations woodgrove")}"><span class="role">Managed Services Registration assignment Delete Role</span> <span class="badge">permanent</span> ${scope} ${offer} <span class="detail">${byPolicy}</span></li>`,
      `${item("Contributor", "contoso managed operations woodgrove")}"><span class="role">Contributor</span> <span class="badge">permanent</span> ${scope} ${offer} <span class="detail">${byPolicy}</span></li>`,
      `${item("Reader", "contoso managed operations woodgrove")}"><span class="role">Reader</span> <span class="badge">permanent</span> ${scope} ${offer} <span class="detail">${byPolicy}</span></li>`,
    ]);
  });
});
