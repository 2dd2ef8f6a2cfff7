import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runOffline } from "../src/offline";
import { planStack, planText } from "../src/plan/plan";
import { lighthouseProgram } from "../app/program";
import { startFakeArm, type FakeArm } from "../scripts/fake-arm/server";
import { deployedFixture, type DeployedStack } from "./helpers/deployed";
import { planAdoptions, withAdoptions, type Adoption } from "../src/adopt/adopt";
import { loadStack, type ResolvedStack, type SubscriptionDelegation } from "../src/stack/load";
import { OfferCache } from "../src/offer/cache";
import { expectedDelegations } from "../src/inventory/expected";
import { delegationGuids } from "../src/delegation";
import type { FoundDelegation } from "../src/inventory/inventory";
import { REPO_ROOT, runCommandInProcess, tempProject } from "./helpers/project";
import { command as adoptCommand } from "../src/cli/adopt";
import { policyPackServer } from "./helpers/pack";

const pack = policyPackServer();

let fake: FakeArm | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

type State = DeployedStack;

/** A copy of the project, Azure as `change` leaves the deployed stack, and `npm run adopt` against it. */
async function adopt(stackName: string, args: string[], change: (state: State) => void = () => {}) {
  const root = tempProject();
  const state = deployedFixture(stackName);
  change(state);
  fake = await startFakeArm(state);
  const result = await runCommandInProcess(
    adoptCommand,
    ["--stack", stackName, "--endpoint", fake.url, ...args],
    { AZURE_ACCESS_TOKEN: "fake-token" },
    root,
  );
  return { root, result, stackFile: join(root, "stacks", `Pulumi.${stackName}.yaml`) };
}

/** guid(mspOfferName), from Python's uuid.uuid5 under ARM's namespace. */
const TEMPLATE_GUIDS: Record<string, string> = { "Contoso Managed Operations": "fb8a52e8-81dd-5d2b-9420-f62eab4b5057" };

/** Renames a deployed delegation as Microsoft's sample templates name it: guid(mspOfferName) for both. */
function asTemplateOnboarded(state: State, offerName: string) {
  const name = TEMPLATE_GUIDS[offerName];
  for (const definition of state.definitions.filter(
    (item) => item.properties.registrationDefinitionName === offerName,
  )) {
    const oldId = definition.id;
    definition.id = oldId.replace(/[^/]+$/, name);
    definition.name = name;
    for (const assignment of state.assignments.filter((item) => item.properties.registrationDefinitionId === oldId)) {
      assignment.properties.registrationDefinitionId = definition.id;
      assignment.id = assignment.id.replace(/[^/]+$/, name);
      assignment.name = name;
    }
  }
  return name;
}

describe("npm run adopt", () => {
  it("adopts delegations at the toolkit's GUIDs, writing adopt: true and keeping comments", async () => {
    const { root, result, stackFile } = await adopt("fabrikam", ["--write"]);
    expect(result.stdout.trim().split("\n")).toEqual([
      'adopt      0afefe50-734e-4610-8a82-a144a2f49dea "Contoso Managed Operations": definition 2370eb03-671f-565d-8fcd-c1bc9e0fe4b8 and 1 assignment(s) at the toolkit\'s GUIDs',
      'adopt      0afefe50-734e-4610-8a82-a144a2f49dea "Contoso Escalation": definition 21490c93-e56b-5e37-a1ab-a6af9fa3c920 and 1 assignment(s) at the toolkit\'s GUIDs',
      'adopt      6c8b2e14-9d3f-4a5b-8c7d-1e2f3a4b5c6d "Contoso Managed Operations": definition 2370eb03-671f-565d-8fcd-c1bc9e0fe4b8 and 1 assignment(s) at the toolkit\'s GUIDs',
    ]);
    expect(result.status).toBe(0);
    // Exactly three lines added; every other byte as it was.
    const original = readFileSync(join(REPO_ROOT, "stacks", "Pulumi.fabrikam.yaml"), "utf8");
    const lines = original.split("\n");
    const after = (line: string, from = 0) => lines.indexOf(line, from) + 1;
    const escalation = after("    - offer: offers/contoso-escalation.yaml");
    const expected = [...lines];
    for (const index of [
      after("        - subscriptionId: 0afefe50-734e-4610-8a82-a144a2f49dea", escalation),
      after("        - subscriptionId: 6c8b2e14-9d3f-4a5b-8c7d-1e2f3a4b5c6d"),
      after("        - subscriptionId: 0afefe50-734e-4610-8a82-a144a2f49dea"),
    ].sort((a, b) => b - a)) {
      expected.splice(index, 0, "          adopt: true");
    }
    expect(readFileSync(stackFile, "utf8")).toBe(expected.join("\n"));

    // The next pulumi up imports them: same names, plus the import ids.
    const { resources } = await runOffline("lighthouse", "fabrikam", () =>
      lighthouseProgram({ projectRoot: root, stackName: "fabrikam" }),
    );
    const definitions = resources.filter((resource) => resource.type.endsWith("RegistrationDefinition"));
    expect(definitions.map((definition) => definition.importId)).toEqual(
      definitions.map(
        (definition) =>
          `${definition.inputs.scope}/providers/Microsoft.ManagedServices/registrationDefinitions/${definition.inputs.registrationDefinitionId}`,
      ),
    );
    expect(planText(await planStack(root, "fabrikam", { pack: pack() }))).toContain("adopting the existing delegation");
  });

  it("adopts template-onboarded delegations at the GUIDs they were created with", async () => {
    let templateGuid = "";
    const { root, result, stackFile } = await adopt("northwind", ["--write"], (state) => {
      templateGuid = asTemplateOnboarded(state, "Contoso Managed Operations");
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("at the GUIDs they were onboarded with");
    const original = readFileSync(join(REPO_ROOT, "stacks", "Pulumi.northwind.yaml"), "utf8");
    expect(readFileSync(stackFile, "utf8")).toBe(
      original
        .replace(
          "          resourceGroups: [rg-app, rg-data]\n",
          `          resourceGroups: [rg-app, rg-data]\n          adopt: {registrationDefinitionId: ${templateGuid}, registrationAssignmentIds: [${templateGuid}, ${templateGuid}]}\n`,
        )
        .replace(
          "          resourceGroups: [rg-shared]\n",
          `          resourceGroups: [rg-shared]\n          adopt: {registrationDefinitionId: ${templateGuid}, registrationAssignmentIds: [${templateGuid}]}\n`,
        ),
    );

    const { resources } = await runOffline("lighthouse", "northwind", () =>
      lighthouseProgram({ projectRoot: root, stackName: "northwind" }),
    );
    const assignment = resources.find((resource) => resource.name.endsWith("-rg-rg-data"))!;
    expect(assignment.inputs.registrationAssignmentId).toBe(templateGuid);
    expect(assignment.importId).toBe(
      `/subscriptions/9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d/resourceGroups/rg-data/providers/Microsoft.ManagedServices/registrationAssignments/${templateGuid}`,
    );
    expect(
      resources.find((resource) => resource.type.endsWith("RegistrationDefinition"))!.inputs.registrationDefinitionId,
    ).toBe(templateGuid);
  });

  it("refuses, and writes nothing for, a delegation that differs from its offer", async () => {
    const { result, stackFile } = await adopt("fabrikam", ["--write"], (state) => {
      state.definitions[0].properties.authorizations.pop();
    });
    expect(result.stdout).toMatch(
      /mismatch +0afefe50-734e-4610-8a82-a144a2f49dea "Contoso Managed Operations": definition 2370eb03-671f-565d-8fcd-c1bc9e0fe4b8 differs from the offer, so importing it would fail: authorization in the offer but not in Azure: Offboarding automation/,
    );
    expect(result.status).toBe(1);
    expect(readFileSync(stackFile, "utf8").match(/adopt: true/g)).toHaveLength(2);
  });

  it("reports what does not exist yet (pulumi up creates it) and incomplete onboardings", async () => {
    const nothing = await adopt("northwind", [], (state) => {
      state.definitions.length = 0;
      state.assignments.length = 0;
    });
    expect(nothing.result.stdout).toMatch(/^create +9b1c3d5e.* no existing delegation: pulumi up will create it/m);
    expect(nothing.result.status).toBe(0);
    const incomplete = await adopt("northwind", [], (state) => {
      state.assignments.splice(1, 1);
    });
    expect(incomplete.result.stdout).toMatch(
      /incomplete +9b1c3d5e.* is not assigned at \/subscriptions\/9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d\/resourceGroups\/rg-data/,
    );
    expect(incomplete.result.status).toBe(1);
  });
});

describe("adopt --write edits only what it adds", () => {
  const SUB_A = "0afefe50-734e-4610-8a82-a144a2f49dea";
  const SUB_B = "6c8b2e14-9d3f-4a5b-8c7d-1e2f3a4b5c6d";
  const GUID = "2370eb03-671f-565d-8fcd-c1bc9e0fe4b8";
  const adoptions = (subscriptionIds: string[]): Adoption[] =>
    subscriptionIds.map((subscriptionId) => ({
      offer: "Ops",
      offerFile: "/p/offers/ops.yaml",
      subscriptionId,
      status: "adopt",
      adopt: true,
      message: "",
    }));
  const edit = (text: string, subscriptionIds = [SUB_A, SUB_B]) =>
    withAdoptions(text, "/p", adoptions(subscriptionIds));

  it("keeps numbers, quoting, comments, flow maps, CRLF and a BOM byte for byte", () => {
    const lines = [
      "\ufeff# a comment that stays",
      "config:",
      "  other:number: 12345678901234567890   # too big for a double",
      "  other:hex: 0xFF",
      '  other:quoted: "x"',
      "  lighthouse:delegations:",
      "    - offer: 'offers/ops.yaml'",
      "      subscriptions:",
      `        - {subscriptionId: ${SUB_A} ,  resourceGroups: [ a,b ]}`,
      `        - subscriptionId: ${SUB_B}   # trailing comment`,
      "          resourceGroups:",
      "            - rg-x",
      "",
    ];
    const crlf = lines.join("\r\n");
    const expected = [...lines];
    expected[8] = `        - {subscriptionId: ${SUB_A} ,  resourceGroups: [ a,b ], adopt: true}`;
    expected.splice(12, 0, "          adopt: true");
    expect(edit(crlf)).toEqual({ text: expected.join("\r\n") });
  });

  it("replaces an existing adopt value in place, and changes nothing where nothing is adopted", () => {
    const text = `config:\n  lighthouse:delegations:\n    - offer: offers/ops.yaml\n      subscriptions:\n        - subscriptionId: ${SUB_A}\n          adopt: {registrationDefinitionId: ${GUID}}  # old\n`;
    expect(edit(text)).toEqual({ text: text.replace(`{registrationDefinitionId: ${GUID}}`, "true") });
    expect(edit(text, [])).toEqual({ text });
  });

  it.each([
    ["a subscription entry behind an anchor", `        - &shared\n          subscriptionId: ${SUB_A}\n`, 7, 11],
    [
      "a subscription entry that is an alias",
      `        - &shared {subscriptionId: ${SUB_B}}\n        - *shared\n`,
      6,
      19,
    ],
  ])("refuses %s, located", (_name, targets, line, column) => {
    const text =
      `config:\n  lighthouse:delegations:\n    - offer: offers/ops.yaml\n      subscriptions:\n${targets}`.replace(
        "subscriptions:\n",
        "subscriptions:\n        - subscriptionId: 11111111-2222-4333-8444-555555555555\n",
      );
    const result = edit(text, [SUB_A, SUB_B]);
    expect(result).toMatchObject({
      problem: {
        line,
        column,
        message: expect.stringMatching(/shared through a YAML anchor or alias; adopt will not write through it/),
      },
    });
  });
});

describe("npm run adopt refuses names from Azure that are no GUIDs", () => {
  it("reports a mismatch, writes nothing, exits 1", async () => {
    const { result, stackFile } = await adopt("northwind", ["--write"], (state) => {
      for (const definition of state.definitions) {
        const oldId = definition.id;
        definition.id = oldId.replace(/[^/]+$/, "not-a-guid");
        definition.name = "not-a-guid";
        for (const assignment of state.assignments.filter((item) => item.properties.registrationDefinitionId === oldId))
          assignment.properties.registrationDefinitionId = definition.id;
      }
    });
    expect(result.stdout.trim().split("\n")).toEqual([
      `mismatch   9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d "Contoso Managed Operations": Azure names this delegation 'not-a-guid', which is not a GUID; it cannot be adopted`,
      `mismatch   a4b5c6d7-e8f9-4a0b-8c1d-2e3f4a5b6c7d "Contoso Managed Operations": Azure names this delegation 'not-a-guid', which is not a GUID; it cannot be adopted`,
    ]);
    expect(readFileSync(stackFile, "utf8")).toBe(
      readFileSync(join(REPO_ROOT, "stacks", "Pulumi.northwind.yaml"), "utf8"),
    );
    expect(result.status).toBe(1);
  });
});

describe("planAdoptions decides from what Azure has", () => {
  const SUB = "0afefe50-734e-4610-8a82-a144a2f49dea";
  const OTHER_TENANT = "5f4e3d2c-1b0a-4998-8776-655443322110";
  const FOREIGN = ["3c2b1a09-8f7e-4d6c-9b5a-4e3d2c1b0a98", "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"];
  const fabrikam = loadStack(join(REPO_ROOT, "stacks", "Pulumi.fabrikam.yaml"), new OfferCache()).stack!;
  const operations = fabrikam.subscriptions[0].delegations[0];
  /** The stack narrowed to the operations offer in one subscription, over resource groups if given. */
  const stackWith = (delegation: SubscriptionDelegation): ResolvedStack => ({
    ...fabrikam,
    subscriptions: [{ subscriptionId: SUB, delegations: [delegation] }],
  });
  /** Azure's delegation as the offer deploys it, at the given GUIDs. */
  const found = (stack: ResolvedStack, definitionGuid: string, assignmentGuids: string[]): FoundDelegation => {
    const [view] = expectedDelegations(stack);
    return {
      ...view,
      definitionGuid,
      definitionId: `/subscriptions/${SUB}/providers/Microsoft.ManagedServices/registrationDefinitions/${definitionGuid}`,
      assignments: view.scopes.map((scope, index) => ({ scope, guid: assignmentGuids[index] })),
    };
  };
  const plan = (stack: ResolvedStack, delegations: FoundDelegation[]) =>
    planAdoptions(stack, { scopes: [], delegations }).map(({ status, adopt, message }) => ({ status, adopt, message }));

  const groups = { ...operations, resourceGroups: ["rg-a", "rg-b"] };
  const toolkit = delegationGuids("toolkit", operations.offer, SUB, groups.resourceGroups);
  const samples = delegationGuids("samples", operations.offer, SUB, undefined);

  it("adopts at the stack's own GUIDs, or records the GUIDs Azure has where any differs", () => {
    const stack = stackWith(groups);
    expect(plan(stack, [found(stack, toolkit.definition, toolkit.assignments)])).toEqual([
      {
        status: "adopt",
        adopt: true,
        message: `definition ${toolkit.definition} and 2 assignment(s) at the toolkit's GUIDs`,
      },
    ]);
    expect(plan(stack, [found(stack, toolkit.definition, [toolkit.assignments[0], FOREIGN[1]])])).toEqual([
      {
        status: "adopt",
        adopt: {
          registrationDefinitionId: toolkit.definition,
          registrationAssignmentIds: [toolkit.assignments[0], FOREIGN[1]],
        },
        message: `definition ${toolkit.definition} and 2 assignment(s) at the GUIDs they were onboarded with`,
      },
    ]);
    expect(plan(stack, [found(stack, FOREIGN[0], toolkit.assignments)])).toEqual([
      {
        status: "adopt",
        adopt: { registrationDefinitionId: FOREIGN[0], registrationAssignmentIds: toolkit.assignments },
        message: `definition ${FOREIGN[0]} and 2 assignment(s) at the GUIDs they were onboarded with`,
      },
    ]);
  });

  it("names Microsoft's template GUIDs, and a stack with naming: samples adopts them as its own", () => {
    const stack = stackWith(operations);
    const template = found(stack, samples.definition, samples.assignments);
    expect(plan(stack, [template])).toEqual([
      {
        status: "adopt",
        adopt: { registrationDefinitionId: samples.definition, registrationAssignmentIds: samples.assignments },
        message: `definition ${samples.definition} and 1 assignment(s) at the GUIDs they were onboarded with; they are the names of Microsoft's onboarding templates: 'naming: samples' on the delegation entry keeps them for good`,
      },
    ]);
    expect(plan(stackWith({ ...operations, naming: "samples" }), [template])).toEqual([
      {
        status: "adopt",
        adopt: true,
        message: `definition ${samples.definition} and 1 assignment(s) at the samples' GUIDs`,
      },
    ]);
  });

  it("finds its delegation among others: by GUID first, else by offer name; never another tenant's", () => {
    const stack = stackWith(operations);
    const toolkitNamed = delegationGuids("toolkit", operations.offer, SUB, undefined);
    const another = { ...found(stack, FOREIGN[1], [FOREIGN[1]]), offer: "Another offer" };
    const otherTenant = {
      ...found(stack, toolkitNamed.definition, toolkitNamed.assignments),
      managedByTenantId: OTHER_TENANT,
    };
    expect(plan(stack, [another, otherTenant])).toEqual([
      { status: "create", adopt: undefined, message: "no existing delegation: pulumi up will create it" },
    ]);
    expect(plan(stack, [another, found(stack, FOREIGN[0], [FOREIGN[0]])])).toEqual([
      {
        status: "adopt",
        adopt: { registrationDefinitionId: FOREIGN[0], registrationAssignmentIds: [FOREIGN[0]] },
        message: `definition ${FOREIGN[0]} and 1 assignment(s) at the GUIDs they were onboarded with`,
      },
    ]);
    // Onboarded twice, by a template and by the toolkit: the toolkit's GUIDs win.
    expect(
      plan(stack, [
        found(stack, FOREIGN[0], [FOREIGN[0]]),
        found(stack, toolkitNamed.definition, toolkitNamed.assignments),
      ]),
    ).toEqual([
      {
        status: "adopt",
        adopt: true,
        message: `definition ${toolkitNamed.definition} and 1 assignment(s) at the toolkit's GUIDs`,
      },
    ]);
  });

  it("refuses a name that is not a GUID, and says which scopes lack an assignment", () => {
    const stack = stackWith(groups);
    expect(plan(stack, [found(stack, "ops-definition", toolkit.assignments)])).toEqual([
      {
        status: "mismatch",
        adopt: undefined,
        message: "Azure names this delegation 'ops-definition', which is not a GUID; it cannot be adopted",
      },
    ]);
    const partial = found(stack, FOREIGN[0], toolkit.assignments);
    partial.assignments = partial.assignments.slice(0, 1);
    expect(plan(stack, [partial])).toEqual([
      {
        status: "incomplete",
        adopt: undefined,
        message: `definition ${FOREIGN[0]} exists but is not assigned at /subscriptions/${SUB}/resourceGroups/rg-b; assign it there (or drop those scopes), then adopt`,
      },
    ]);
  });
});

describe("adopt --write refuses what is shared, and leaves the rest", () => {
  const SUB = "0afefe50-734e-4610-8a82-a144a2f49dea";
  const adoption = (status: Adoption["status"], offerFile = "/p/offers/ops.yaml"): Adoption => ({
    offer: "Ops",
    offerFile,
    subscriptionId: SUB,
    status,
    ...(status === "adopt" ? { adopt: true as const } : {}),
    message: "",
  });
  const file = (delegations: string) => `config:\n  lighthouse:delegations:\n${delegations}`;

  it.each([
    [
      "a delegation entry behind an anchor",
      `    - &ops\n      offer: offers/ops.yaml\n      subscriptions:\n        - subscriptionId: ${SUB}\n`,
      4,
      7,
      "this delegation entry is shared through a YAML anchor or alias; adopt will not write through it (write it out, then run adopt again)",
    ],
    [
      "a subscriptions list behind an anchor",
      `    - offer: offers/ops.yaml\n      subscriptions: &subs\n        - subscriptionId: ${SUB}\n`,
      5,
      9,
      "this subscriptions list is shared through a YAML anchor or alias; adopt will not write through it",
    ],
    [
      "an adopt value that is an alias",
      `    - offer: offers/other.yaml\n      subscriptions:\n        - {subscriptionId: ${SUB}, adopt: &yes true}\n    - offer: offers/ops.yaml\n      subscriptions:\n        - subscriptionId: ${SUB}\n          adopt: *yes\n`,
      9,
      11,
      "this adopt value is shared through a YAML anchor or alias; adopt will not write through it",
    ],
  ])("refuses %s, located", (_name, delegations, line, column, message) => {
    expect(withAdoptions(file(delegations), "/p", [adoption("adopt")])).toEqual({
      problem: { line, column, message },
    });
  });

  it("writes only adoptions of the entry's offer; skips entries it cannot read; ends an unterminated last line", () => {
    const text = file(
      `    - just a string\n    - offer: offers/other.yaml\n      subscriptions:\n        - subscriptionId: ${SUB}\n    - offer: offers/ops.yaml\n      subscriptions:\n        - subscriptionId: ${SUB.toUpperCase()}\n          resourceGroups: [rg-a]  `,
    );
    expect(withAdoptions(text, "/p", [adoption("adopt")])).toEqual({
      text: `${text}\n          adopt: true`,
    });
    for (const status of ["create", "mismatch", "incomplete"] as const)
      expect(withAdoptions(text, "/p", [adoption(status)])).toEqual({ text });
    expect(withAdoptions("config: {}\n", "/p", [adoption("adopt")])).toEqual({ text: "config: {}\n" });
  });
});
