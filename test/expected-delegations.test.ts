import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectedDelegations } from "../src/inventory/expected";
import { compareDelegations, compareFleet } from "../src/inventory/drift";
import type { FoundDelegation } from "../src/inventory/inventory";
import { OfferCache } from "../src/offer/cache";
import { loadStack, type ResolvedStack } from "../src/stack/load";
import { REPO_ROOT } from "./helpers/project";

/** guid("83ace5cd-…", "Contoso Managed Operations"), the reference vectors. */
const OPERATIONS = "2370eb03-671f-565d-8fcd-c1bc9e0fe4b8";
const LISTED = "0afefe50-734e-4610-8a82-a144a2f49dea";
const BELOW = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a";

describe("what a stack delegates below its management groups", () => {
  const fabrikam = loadStack(join(REPO_ROOT, "stacks", "Pulumi.fabrikam.yaml"), new OfferCache()).stack!;
  const operations = fabrikam.subscriptions[0].delegations[0].offer;
  const stack: ResolvedStack = {
    ...fabrikam,
    managementGroups: [
      { offer: operations, managementGroupId: "mg-a", location: "westeurope", remediate: true },
      { offer: operations, managementGroupId: "mg-b", location: "westeurope", remediate: true },
    ],
  };
  const keys = (subscriptions: Map<string, string[]>) =>
    expectedDelegations(stack, subscriptions).map((view) => [
      view.subscriptionId,
      view.offer,
      view.definitionGuid,
      view.scopes,
      view.managementGroupId,
    ]);

  it("each subscription found below a group, once; those the stack lists stay direct", () => {
    const direct = keys(new Map());
    expect(direct.map(([subscription, offer]) => `${subscription} ${offer}`)).toEqual([
      `${LISTED} Contoso Managed Operations`,
      `${LISTED} Contoso Escalation`,
      "6c8b2e14-9d3f-4a5b-8c7d-1e2f3a4b5c6d Contoso Managed Operations",
    ]);
    expect(
      keys(
        new Map([
          ["mg-a", [LISTED, BELOW]],
          ["mg-b", [BELOW]],
        ]),
      ).slice(direct.length),
    ).toEqual([[BELOW, "Contoso Managed Operations", OPERATIONS, [`/subscriptions/${BELOW}`], "mg-a"]]);
  });

  it("drift names the management group of a subscription the policy has not reached", () => {
    const report = compareDelegations(expectedDelegations(stack, new Map([["mg-b", [BELOW]]])), []);
    expect(report.drift.filter((item) => item.subscriptionId === BELOW)).toEqual([
      {
        kind: "missing-delegation",
        subscriptionId: BELOW,
        offer: "Contoso Managed Operations",
        message: `not delegated yet: no registration definition ${OPERATIONS} in this subscription of management group mg-b (its policy deploys it when it evaluates the subscription, or by a remediation)`,
      },
    ]);
    expect(
      report.drift.find((item) => item.subscriptionId === LISTED && item.offer === "Contoso Managed Operations")
        ?.message,
    ).toBe(`not delegated: no registration definition ${OPERATIONS} in the subscription`);
  });
});

describe("the fleet's drift counts what a management-group policy deployed as its stack's", () => {
  const fabrikam = loadStack(join(REPO_ROOT, "stacks", "Pulumi.fabrikam.yaml"), new OfferCache()).stack!;
  const [operations, escalation] = fabrikam.subscriptions[0].delegations.map((delegation) => delegation.offer);
  const woodgrove: ResolvedStack = {
    ...fabrikam,
    stackName: "woodgrove",
    subscriptions: [],
    managementGroups: [{ offer: operations, managementGroupId: "mg-a", location: "westeurope", remediate: true }],
  };
  const OTHER = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
  /** What Azure holds for `offer` in `subscription`, as the offer deploys it. */
  const found = (offer: typeof operations, subscription: string): FoundDelegation => {
    const stack: ResolvedStack = {
      ...fabrikam,
      subscriptions: [{ subscriptionId: subscription, delegations: [{ offer, naming: "toolkit" }] }],
    };
    const [view] = expectedDelegations(stack);
    return {
      ...view,
      definitionId: `/subscriptions/${subscription}/providers/Microsoft.ManagedServices/registrationDefinitions/${view.definitionGuid}`,
      assignments: [{ scope: `/subscriptions/${subscription}`, guid: "aaaaaaaa-0000-4000-8000-000000000001" }],
    };
  };

  it("in sync below the group, drift where the policy's delegation differs, the rest unclaimed", () => {
    const changed = found(operations, OTHER);
    changed.permanent = changed.permanent.slice(1);
    // Another offer of the same tenant: beside the policy's, the stack's to report; alone, no stack's.
    const beside = found(escalation, BELOW);
    const alone = found(escalation, LISTED);
    const report = compareFleet([woodgrove], {
      scopes: [],
      delegations: [beside, found(operations, BELOW), changed, alone],
    });
    expect(report.unclaimed).toEqual([alone]);
    expect(
      report.stacks.map(({ stack, report: { drift } }) => [
        stack,
        drift.map((item) => [item.kind, item.subscriptionId, item.offer]),
      ]),
    ).toEqual([
      [
        "woodgrove",
        [
          ["authorization-removed", OTHER, "Contoso Managed Operations"],
          ["extra-delegation", BELOW, "Contoso Escalation"],
        ],
      ],
    ]);
  });

  it("a subscription a stack lists stays that stack's, even when it holds a management-group offer", () => {
    const report = compareFleet([fabrikam, woodgrove], {
      scopes: [],
      delegations: [
        found(operations, LISTED),
        found(escalation, LISTED),
        found(operations, "6c8b2e14-9d3f-4a5b-8c7d-1e2f3a4b5c6d"),
      ],
    });
    expect([report.unclaimed, report.stacks.map(({ stack, report: { drift } }) => [stack, drift])]).toEqual([
      [],
      [
        ["fabrikam", []],
        ["woodgrove", []],
      ],
    ]);
  });
});
