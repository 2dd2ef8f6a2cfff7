import { describe, expect, it } from "vitest";
import type { AliasSpec, RegisteredResource } from "../src/offline";
import { predictSteps, stateOf, type StateResource } from "../src/plan/steps";

/**
 * The step model's rules one by one, on states written by hand (no program runs): each expected
 * plan is derived from the rule its test names, and asserted whole (steps with their reasons, what
 * fails or is unknown, and the continuity findings).
 */

const STACK = "urn:pulumi:s::lighthouse::";
const COMPONENT = "lighthouse:delegation:LighthouseDelegation";
const DEFINITION = "azure-native:managedservices:RegistrationDefinition";
const ASSIGNMENT = "azure-native:managedservices:RegistrationAssignment";
const SUB = "0afefe50-734e-4610-8a82-a144a2f49dea";
const OTHER_SUB = "6c8b2e14-9d3f-4a5b-8c7d-1e2f3a4b5c6d";
const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c";
const ALICE = "11111111-1111-4111-8111-111111111111";
const BOB = "22222222-2222-4222-8222-222222222222";
const OLD_GUID = "2370eb03-671f-565d-8fcd-c1bc9e0fe4b8";
const NEW_GUID = "3370eb03-671f-565d-8fcd-c1bc9e0fe4b8";

const componentUrn = (name: string) => `${STACK}${COMPONENT}::${name}`;
const childUrn = (type: string, name: string) => `${STACK}${COMPONENT}$${type}::${name}`;

function resource(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  extra: Partial<StateResource> = {},
): StateResource {
  return {
    urn: extra.parentUrn ? childUrn(type, name) : `${STACK}${type}::${name}`,
    type,
    name,
    custom: true,
    inputs,
    dependencies: [],
    propertyDependencies: {},
    replaceWith: [],
    aliasSpecs: [],
    id: "",
    outputs: {},
    ...extra,
  };
}

const definitionId = (guid: string, sub = SUB) =>
  `/subscriptions/${sub}/providers/Microsoft.ManagedServices/registrationDefinitions/${guid}`;

/** A delegation: component, definition, one whole-subscription assignment (replaceWith its definition unless told). */
function delegation(
  name: string,
  {
    guid = OLD_GUID,
    sub = SUB,
    offer = "Ops",
    tenant = "83ace5cd-bcc3-441a-bd86-e6a75360cecc",
    authorizations = [{ principalId: ALICE, principalIdDisplayName: "Alice", roleDefinitionId: READER }] as Array<{
      principalId: string;
      principalIdDisplayName?: string;
      roleDefinitionId: string;
    }>,
    replaceWith = true,
    aliasSpecs = [] as AliasSpec[],
    assignmentGuid = `${guid.slice(0, 8)}-aaaa-4aaa-8aaa-aaaaaaaaaaaa`,
  } = {},
): StateResource[] {
  const parentUrn = componentUrn(name);
  const definition = resource(
    DEFINITION,
    `${name}-definition`,
    {
      scope: `/subscriptions/${sub}`,
      registrationDefinitionId: guid,
      properties: { registrationDefinitionName: offer, managedByTenantId: tenant, authorizations },
    },
    { parentUrn, id: definitionId(guid, sub) },
  );
  return [
    resource(COMPONENT, name, {}, { custom: false, aliasSpecs }),
    definition,
    resource(
      ASSIGNMENT,
      `${name}-subscription`,
      {
        scope: `/subscriptions/${sub}`,
        registrationAssignmentId: assignmentGuid,
        properties: { registrationDefinitionId: definitionId(guid, sub) },
      },
      {
        parentUrn,
        id: `/subscriptions/${sub}/providers/Microsoft.ManagedServices/registrationAssignments/${assignmentGuid}`,
        dependencies: [definition.urn],
        propertyDependencies: { properties: [definition.urn] },
        replaceWith: replaceWith ? [definition.urn] : [],
      },
    ),
  ];
}

const brief = (base: StateResource[], head: StateResource[]) => {
  const plan = predictSteps(base, head);
  return {
    ...plan,
    steps: plan.steps.map(({ op, urn, reason, fails, unknown }) => ({
      op,
      name: urn.split("::").at(-1),
      reason,
      ...(fails ? { fails } : {}),
      ...(unknown ? { unknown } : {}),
    })),
  };
};

describe("finding deployed resources: URNs and aliases (step_generator.go generateAliases)", () => {
  it("an alias name on the component, inherited by children named after it: nothing to do", () => {
    const base = delegation("old");
    const head = delegation("new", {
      aliasSpecs: [{ name: "old", parentUrn: `${STACK}pulumi:pulumi:Stack::lighthouse-s` }],
    });
    expect(brief(base, head)).toEqual({ steps: [], continuity: [] });
  });

  it("without the alias, new URNs: created in program order, the old deleted after, assignment first", () => {
    const plan = brief(delegation("old"), delegation("new"));
    expect(plan.steps).toEqual([
      {
        op: "create",
        name: "new-definition",
        reason: "new in the program",
        fails: `${definitionId(OLD_GUID)} already exists (it is deleted only after the program has run): azure-native refuses to create an existing resource`,
      },
    ]);
    expect(plan.stopsAt).toBe(1);
  });

  it("a child's own alias under a parent found by alias (both multiplied, as the engine does)", () => {
    const base = delegation("old");
    const head = delegation("new", { aliasSpecs: [{ name: "old" }] });
    head[2] = {
      ...head[2],
      name: "new-rg-x",
      urn: childUrn(ASSIGNMENT, "new-rg-x"),
      aliasSpecs: [{ name: "new-subscription" }],
    };
    expect(brief(base, head).steps).toEqual([]);
  });

  it("an alias naming its parent explicitly resolves through the parent's former URN", () => {
    const base = delegation("old");
    const head = delegation("new", { aliasSpecs: [{ name: "old" }] });
    head[1] = {
      ...head[1],
      name: "def",
      urn: childUrn(DEFINITION, "def"),
      aliasSpecs: [{ name: "old-definition", parentUrn: componentUrn("new") }],
    };
    head[2] = { ...head[2], replaceWith: [head[1].urn], dependencies: [head[1].urn] };
    expect(brief(base, head).steps).toEqual([]);
  });

  it("an alias naming another parent (not itself aliased): the former URN under that parent's type chain", () => {
    const base = delegation("a");
    const OTHER_COMPONENT = "lighthouse:identity:ManagedIdentity";
    const head = [...delegation("a"), resource(OTHER_COMPONENT, "b", {}, { custom: false })];
    // The definition moves from component a to component b (another type), keeping its Azure resource.
    head[1] = {
      ...head[1],
      name: "b-definition",
      parentUrn: `${STACK}${OTHER_COMPONENT}::b`,
      urn: `${STACK}${OTHER_COMPONENT}$${DEFINITION}::b-definition`,
      aliasSpecs: [{ name: "a-definition", parentUrn: componentUrn("a") }],
    };
    head[2] = {
      ...head[2],
      replaceWith: [head[1].urn],
      dependencies: [head[1].urn],
      propertyDependencies: { properties: [head[1].urn] },
    };
    expect(brief(base, head).steps).toEqual([]);
  });

  it("a whole-URN alias, and noParent", () => {
    const root = resource(
      DEFINITION,
      "lonely",
      { scope: `/subscriptions/${SUB}`, registrationDefinitionId: OLD_GUID },
      { id: definitionId(OLD_GUID) },
    );
    const moved = { ...root, name: "moved", urn: `${STACK}${DEFINITION}::moved`, aliasSpecs: [{ urn: root.urn }] };
    expect(brief([root], [moved]).steps).toEqual([]);
    const child = {
      ...root,
      name: "moved",
      parentUrn: componentUrn("c"),
      urn: childUrn(DEFINITION, "moved"),
      aliasSpecs: [{ name: "lonely", noParent: true }],
    };
    expect(brief([root], [resource(COMPONENT, "c", {}, { custom: false }), child]).steps).toEqual([]);
  });

  it("inputs compare as values: key order does not matter, array order does", () => {
    const base = delegation("d");
    const reordered = delegation("d");
    const properties = reordered[1].inputs.properties as Record<string, unknown>;
    reordered[1] = {
      ...reordered[1],
      inputs: {
        properties: {
          authorizations: properties.authorizations,
          managedByTenantId: properties.managedByTenantId,
          registrationDefinitionName: "Ops",
        },
        registrationDefinitionId: OLD_GUID,
        scope: `/subscriptions/${SUB}`,
      },
    };
    expect(brief(base, reordered).steps).toEqual([]);
    const two = [
      { principalId: ALICE, roleDefinitionId: READER },
      { principalId: BOB, roleDefinitionId: READER },
    ];
    expect(
      brief(delegation("d", { authorizations: two }), delegation("d", { authorizations: [...two].reverse() })).steps,
    ).toEqual([{ op: "update", name: "d-definition", reason: "properties changed" }]);
  });
});

describe("what the engine and azure-native decide", () => {
  it("an import id with no deployed resource: an import (Pulumi then updates it to the program)", () => {
    const head = delegation("d").map((item) => (item.custom ? { ...item, importId: item.id } : item));
    expect(brief([], head).steps).toEqual([
      {
        op: "import",
        name: "d-definition",
        reason: "adopts the existing resource; Pulumi then updates it to the program's inputs if Azure differs",
      },
      {
        op: "import",
        name: "d-subscription",
        reason: "adopts the existing resource; Pulumi then updates it to the program's inputs if Azure differs",
      },
    ]);
  });

  it("an import id on a resource already in the state: no import, no step (the engine imports only without an old resource)", () => {
    const adopted = delegation("d").map((item) => (item.custom ? { ...item, importId: item.id } : item));
    expect(brief(delegation("d"), adopted).steps).toEqual([]);
  });

  it("a change that would replace an adopted resource is refused before any step, naming what replaces", () => {
    const base = delegation("d");
    const moved = delegation("d", { guid: NEW_GUID, sub: OTHER_SUB }).map((item) =>
      item.custom ? { ...item, importId: item.id } : item,
    );
    expect(brief(base, moved)).toEqual({
      steps: [
        {
          op: "create-replacement",
          name: "d-definition",
          reason: "registrationDefinitionId, scope changed",
          fails:
            "previously-imported resources that still specify an ID may not be replaced; remove adopt from the stack entry first",
        },
      ],
      // The proposal's grant in the other subscription never comes: the run stops first.
      continuity: [
        {
          kind: "lost",
          subscription: OTHER_SUB,
          scope: `/subscriptions/${OTHER_SUB}`,
          offer: "Ops",
          principal: { id: ALICE, name: "Alice" },
          roleId: READER,
          eligible: false,
          from: 0,
          cause: "the run stops at step 1 before granting it",
        },
      ],
      stopsAt: 1,
    });
  });

  it("retitling an offer to the title of one removed in the same change: the replacement's create is refused (that definition goes only after the program)", () => {
    const base = [
      ...delegation("d"),
      ...delegation("e", { guid: NEW_GUID, offer: "E", assignmentGuid: "99999999-aaaa-4aaa-8aaa-aaaaaaaaaaaa" }),
    ];
    const head = delegation("d", { guid: NEW_GUID });
    expect(
      brief(base, head).steps.map((step) => `${step.op} ${step.name}${step.fails ? `: ${step.fails}` : ""}`),
    ).toEqual([
      "delete-replaced d-subscription",
      "delete-replaced d-definition",
      `create-replacement d-definition: ${definitionId(NEW_GUID)} already exists: azure-native refuses to create an existing resource`,
    ]);
  });

  it("a second assignment of one definition on the same scope in another letter case: refused by ARM", () => {
    const base = delegation("d");
    const head = [
      ...delegation("d"),
      {
        ...base[2],
        name: "d-rg",
        urn: childUrn(ASSIGNMENT, "d-rg"),
        id: `${base[2].id.toUpperCase()}X`,
        inputs: { ...base[2].inputs, scope: `/SUBSCRIPTIONS/${SUB.toUpperCase()}`, registrationAssignmentId: "x" },
      },
    ];
    expect(brief(base, head).steps).toEqual([
      {
        op: "create",
        name: "d-rg",
        reason: "new in the program",
        fails: `the definition is already assigned at /SUBSCRIPTIONS/${SUB.toUpperCase()} (ARM ids ignore case): ARM refuses "Multiple registration assignments are not allowed"`,
      },
    ]);
  });

  it("a type changed through an alias: unknown (azure-native's diff across types is not documented)", () => {
    const base = [
      resource(
        "azure-native:managedidentity:UserAssignedIdentity",
        "id",
        { resourceName: "id", resourceGroupName: "rg", location: "westeurope" },
        { id: "/x" },
      ),
    ];
    const head = [
      resource(
        "azure-native:resources:Resource",
        "id",
        { resourceName: "id", resourceGroupName: "rg", location: "westeurope" },
        { id: "/x", aliasSpecs: [{ type: "azure-native:managedidentity:UserAssignedIdentity" }] },
      ),
    ];
    expect(brief(base, head).steps).toEqual([
      {
        op: "update",
        name: "id",
        reason:
          "found under its former type azure-native:managedidentity:UserAssignedIdentity (found under its former name id)",
        unknown:
          "the type changes from azure-native:managedidentity:UserAssignedIdentity to azure-native:resources:Resource: how azure-native diffs across types is not documented",
      },
    ]);
  });

  it("a type whose replacement rules are not known here: its change is an update marked unknown", () => {
    const base = [resource("azure-native:storage:StorageAccount", "sa", { kind: "StorageV2" }, { id: "/sa" })];
    const head = [resource("azure-native:storage:StorageAccount", "sa", { kind: "BlobStorage" }, { id: "/sa" })];
    expect(brief(base, head).steps).toEqual([
      {
        op: "update",
        name: "sa",
        reason: "kind changed",
        unknown: "which changes replace a azure-native:storage:StorageAccount is not known here",
      },
    ]);
  });

  it("a new managing tenant under a pinned GUID: an in-place PUT Microsoft asks not to make", () => {
    const base = delegation("d");
    const head = delegation("d", { tenant: "de83f4a9-a76a-4025-a91a-91171923eac7" });
    expect(brief(base, head)).toEqual({
      steps: [
        {
          op: "update",
          name: "d-definition",
          reason: "properties changed",
          fails:
            "an in-place change of managedByTenantId: Microsoft asks for a new offer name when the managing tenant changes (update-delegation.md); use naming: toolkit, without adopted ids, so the definition is replaced",
        },
      ],
      continuity: [],
      stopsAt: 1,
    });
  });

  it("without replaceWith (the previous toolkit), the definition is deleted while still assigned: unknown; the assignment follows", () => {
    const base = delegation("d", { replaceWith: false });
    const head = delegation("d", { guid: NEW_GUID, replaceWith: false });
    const plan = brief(base, head);
    expect(plan.steps).toEqual([
      {
        op: "delete-replaced",
        name: "d-definition",
        reason: "registrationDefinitionId changed: azure-native replaces, deleting first",
        unknown:
          "deletes a registration definition while 1 assignment(s) still point at it; what ARM answers is not documented",
      },
      { op: "create-replacement", name: "d-definition", reason: "registrationDefinitionId changed" },
      {
        op: "delete-replaced",
        name: "d-subscription",
        // The reason names the inputs that replace (a path parameter), not every changed one.
        reason: "registrationAssignmentId changed: azure-native replaces, deleting first",
      },
      { op: "create-replacement", name: "d-subscription", reason: "registrationAssignmentId changed" },
    ]);
  });

  it("with replaceWith, the assignment goes first and is re-created after its definition", () => {
    const plan = brief(delegation("d"), delegation("d", { guid: NEW_GUID }));
    expect(plan.steps).toEqual([
      {
        op: "delete-replaced",
        name: "d-subscription",
        reason: `deleted first: replaced with ${childUrn(DEFINITION, "d-definition")} (delete-before-replace)`,
      },
      {
        op: "delete-replaced",
        name: "d-definition",
        reason: "registrationDefinitionId changed: azure-native replaces, deleting first",
      },
      { op: "create-replacement", name: "d-definition", reason: "registrationDefinitionId changed" },
      {
        op: "create-replacement",
        name: "d-subscription",
        reason: `re-created after ${childUrn(DEFINITION, "d-definition")} was replaced`,
      },
    ]);
    expect(plan.continuity).toEqual([
      {
        kind: "interrupted",
        subscription: SUB,
        scope: `/subscriptions/${SUB}`,
        offer: "Ops",
        principal: { id: ALICE, name: "Alice" },
        roleId: READER,
        eligible: false,
        from: 1,
        until: 4,
        cause: "step delete-replaced d-subscription",
      },
    ]);
  });

  it("replaceWith alone replaces: an assignment whose definition is replaced, though its own inputs are unchanged", () => {
    const base = delegation("d");
    const head = delegation("d", {
      guid: NEW_GUID,
      assignmentGuid: `${OLD_GUID.slice(0, 8)}-aaaa-4aaa-8aaa-aaaaaaaaaaaa`,
    });
    head[2] = { ...head[2], inputs: base[2].inputs, id: base[2].id };
    expect(brief(base, head).steps.at(-1)).toEqual({
      op: "create-replacement",
      name: "d-subscription",
      reason: `re-created after ${childUrn(DEFINITION, "d-definition")} was replaced`,
    });
  });

  it("a second offer's assignment on the same scope is no duplicate (one assignment per definition and scope)", () => {
    const base = delegation("d");
    const head = [...delegation("d"), ...delegation("e", { guid: NEW_GUID, offer: "E" })];
    expect(brief(base, head).steps).toEqual([
      { op: "create", name: "e-definition", reason: "new in the program" },
      { op: "create", name: "e-subscription", reason: "new in the program" },
    ]);
  });

  it("several changed inputs are named in order; several replaced dependents go first in reverse order", () => {
    const twoGroups = (guid: string, scopeCase: (group: string) => string) => {
      const [component, definition] = delegation("d", { guid });
      const assignment = (group: string) =>
        resource(
          ASSIGNMENT,
          `d-rg-${group}`,
          {
            scope: `/subscriptions/${SUB}/resourceGroups/${scopeCase(group)}`,
            registrationAssignmentId: `${guid.slice(0, 4)}${group}`,
            properties: { registrationDefinitionId: definition.id },
          },
          {
            parentUrn: component.urn,
            id: `/subscriptions/${SUB}/resourceGroups/${group}/providers/Microsoft.ManagedServices/registrationAssignments/${guid.slice(0, 4)}${group}`,
            replaceWith: [definition.urn],
            dependencies: [definition.urn],
            propertyDependencies: { properties: [definition.urn] },
          },
        );
      return [component, definition, assignment("aaaa"), assignment("bbbb")];
    };
    const same = (group: string) => group;
    expect(
      brief(twoGroups(OLD_GUID, same), twoGroups(NEW_GUID, same)).steps.map((step) => `${step.op} ${step.name}`),
    ).toEqual([
      "delete-replaced d-rg-bbbb",
      "delete-replaced d-rg-aaaa",
      "delete-replaced d-definition",
      "create-replacement d-definition",
      "create-replacement d-rg-aaaa",
      "create-replacement d-rg-bbbb",
    ]);
    // A group renamed in case and re-named: both path parameters, in order.
    const upper = (group: string) => (group === "aaaa" ? "AAAA" : group);
    const renamed = twoGroups(OLD_GUID, upper);
    renamed[2] = { ...renamed[2], inputs: { ...renamed[2].inputs, registrationAssignmentId: "other" } };
    expect(brief(twoGroups(OLD_GUID, same), renamed).steps.map((step) => step.reason)).toEqual([
      "registrationAssignmentId, scope changed: azure-native replaces, deleting first",
      "registrationAssignmentId, scope changed",
    ]);
  });

  it("dependents of dependents: found through replacing properties, deleted in reverse deployed order", () => {
    const [component, definition, first] = delegation("d");
    const second = { ...first, name: "d-second", urn: childUrn(ASSIGNMENT, "d-second"), id: `${first.id}2` };
    const role = resource(
      "azure-native:authorization:RoleAssignment",
      "role",
      { scope: "x", roleAssignmentName: "r", principalId: "p", description: "d" },
      {
        id: "/role",
        dependencies: [first.urn],
        // scope replaces a role assignment; description does not; "other" was not replaced.
        propertyDependencies: { description: ["urn:other"], scope: [first.urn, "urn:other"] },
      },
    );
    const base = [component, definition, first, role, second];
    const head = delegation("d", { guid: NEW_GUID });
    const heads = [
      head[0],
      head[1],
      head[2],
      role,
      { ...second, inputs: { ...second.inputs, properties: head[2].inputs.properties } },
    ];
    expect(brief(base, heads).steps.map((step) => `${step.op} ${step.name}`)).toEqual([
      "delete-replaced d-second",
      "delete-replaced role",
      "delete-replaced d-subscription",
      "delete-replaced d-definition",
      "create-replacement d-definition",
      "create-replacement d-subscription",
      "create-replacement role",
      "create-replacement d-second",
    ]);
  });

  it("the first up that adds replaceWith: the deployed graph lacks it, so the definition goes while assigned, then replaceWith replaces the assignment", () => {
    const assignmentGuid = "77777777-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
    const base = delegation("d", { replaceWith: false, assignmentGuid });
    const head = delegation("d", { guid: NEW_GUID, assignmentGuid });
    const definitionUrn = childUrn(DEFINITION, "d-definition");
    const plan = brief(base, head);
    expect(plan.steps).toEqual([
      {
        op: "delete-replaced",
        name: "d-definition",
        reason: "registrationDefinitionId changed: azure-native replaces, deleting first",
        unknown:
          "deletes a registration definition while 1 assignment(s) still point at it; what ARM answers is not documented",
      },
      { op: "create-replacement", name: "d-definition", reason: "registrationDefinitionId changed" },
      {
        op: "delete-replaced",
        name: "d-subscription",
        reason: `replaceWith ${definitionUrn}: azure-native replaces, deleting first`,
      },
      { op: "create-replacement", name: "d-subscription", reason: `replaceWith ${definitionUrn}` },
    ]);
    // The grant goes with the definition (step 1), not with an assignment.
    expect(plan.continuity.map(({ kind, from, until, cause }) => ({ kind, from, until, cause }))).toEqual([
      { kind: "interrupted", from: 1, until: 4, cause: "step delete-replaced d-definition" },
    ]);
  });

  it("an update names every changed input, in order", () => {
    const base = delegation("d");
    const head = delegation("d");
    head[1] = {
      ...head[1],
      inputs: {
        ...head[1].inputs,
        plan: { name: "p" },
        properties: { ...(head[1].inputs.properties as object), description: "x" },
      },
    };
    expect(brief(base, head).steps).toEqual([
      { op: "update", name: "d-definition", reason: "plan, properties changed" },
    ]);
  });

  it("a dependent fed through a replacing property is deleted first (a role assignment's principalId)", () => {
    const identity = resource(
      "azure-native:managedidentity:UserAssignedIdentity",
      "id",
      { resourceName: "id", resourceGroupName: "rg", location: "westeurope" },
      { id: "/rg/id" },
    );
    const role = resource(
      "azure-native:authorization:RoleAssignment",
      "role",
      { scope: `/subscriptions/${SUB}`, roleAssignmentName: "r", principalId: "p", roleDefinitionId: READER },
      { id: "/role", dependencies: [identity.urn], propertyDependencies: { principalId: [identity.urn] } },
    );
    const moved = { ...identity, inputs: { ...identity.inputs, location: "northeurope" } };
    expect(brief([identity, role], [moved, role]).steps).toEqual([
      {
        op: "delete-replaced",
        name: "role",
        reason: `deleted first: replaced with ${identity.urn} (delete-before-replace)`,
      },
      { op: "delete-replaced", name: "id", reason: "location changed: azure-native replaces, deleting first" },
      { op: "create-replacement", name: "id", reason: "location changed" },
      { op: "create-replacement", name: "role", reason: `re-created after ${identity.urn} was replaced` },
    ]);
  });
});

describe("access while the steps run", () => {
  it("losses come before interruptions; a loss names the delegation whose removal took the pair", () => {
    const shared = { principalId: BOB, principalIdDisplayName: "Bob", roleDefinitionId: CONTRIBUTOR };
    const ops = delegation("ops", { authorizations: [shared] });
    const esc = delegation("esc", { guid: NEW_GUID, offer: "Esc", authorizations: [shared] });
    // Remove "esc" and retitle nothing; in another subscription, replace a delegation.
    const other = delegation("far", { sub: OTHER_SUB });
    const otherMoved = delegation("far", { sub: OTHER_SUB, guid: "4370eb03-671f-565d-8fcd-c1bc9e0fe4b8" });
    const plan = brief([...other, ...ops, ...esc], [...otherMoved, ...ops]);
    expect(plan.steps.map((step) => `${step.op} ${step.name}`)).toEqual([
      "delete-replaced far-subscription",
      "delete-replaced far-definition",
      "create-replacement far-definition",
      "create-replacement far-subscription",
      "delete esc-subscription",
      "delete esc-definition",
    ]);
    expect(plan.continuity).toEqual([
      {
        kind: "lost",
        subscription: SUB,
        scope: `/subscriptions/${SUB}`,
        offer: "Ops",
        principal: { id: BOB, name: "Bob" },
        roleId: CONTRIBUTOR,
        eligible: false,
        from: 5,
        cause:
          "step delete esc-subscription: removing a delegation removes the principal/role pairs it shares with the subscription's other delegations (remove-delegation.md)",
      },
      {
        kind: "interrupted",
        subscription: OTHER_SUB,
        scope: `/subscriptions/${OTHER_SUB}`,
        offer: "Ops",
        principal: { id: ALICE, name: "Alice" },
        roleId: READER,
        eligible: false,
        from: 1,
        until: 4,
        cause: "step delete-replaced far-subscription",
      },
    ]);
  });

  it("a permanent and an eligible grant of one principal and role are two findings; removals say why", () => {
    const withEligible = (guid: string) => {
      const [component, definition, assignment] = delegation("d", { guid });
      const properties = definition.inputs.properties as Record<string, unknown>;
      const eligible = {
        ...definition,
        inputs: {
          ...definition.inputs,
          properties: {
            ...properties,
            eligibleAuthorizations: [{ principalId: ALICE, roleDefinitionId: READER, justInTimeAccessPolicy: {} }],
          },
        },
      };
      return [
        component,
        eligible,
        { ...assignment, inputs: { ...assignment.inputs, properties: { registrationDefinitionId: eligible.id } } },
      ];
    };
    const plan = brief(withEligible(OLD_GUID), withEligible(NEW_GUID));
    expect(plan.continuity.map(({ kind, eligible, principal }) => ({ kind, eligible, principal }))).toEqual([
      { kind: "interrupted", eligible: false, principal: { id: ALICE, name: "Alice" } },
      { kind: "interrupted", eligible: true, principal: { id: ALICE } },
    ]);
    expect(brief(withEligible(OLD_GUID), []).steps).toEqual([
      { op: "delete", name: "d-subscription", reason: "no longer in the program" },
      { op: "delete", name: "d-definition", reason: "no longer in the program" },
    ]);
  });

  it("a run that stops: the steps after the failing one do not run, and what they would grant is lost", () => {
    const base = delegation("d");
    const head = [
      ...delegation("d"),
      ...delegation("e", {
        guid: OLD_GUID,
        offer: "E",
        authorizations: [{ principalId: BOB, roleDefinitionId: READER }],
        assignmentGuid: "99999999-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
      }),
    ];
    const plan = brief(base, head);
    expect(plan.stopsAt).toBe(1);
    expect(plan.continuity).toEqual([
      {
        kind: "lost",
        subscription: SUB,
        scope: `/subscriptions/${SUB}`,
        offer: "E",
        principal: { id: BOB },
        roleId: READER,
        eligible: false,
        from: 0,
        cause: "the run stops at step 1 before granting it",
      },
    ]);
  });
});

describe("stateOf", () => {
  it("keeps what the engine records of a registration, and nothing else", () => {
    const registered: RegisteredResource = {
      type: DEFINITION,
      name: "d",
      urn: "urn:d",
      parentUrn: "urn:p",
      inputs: { a: 1 },
      dependencies: ["urn:x"],
      deleteBeforeReplace: true,
      aliases: ["old"],
      aliasSpecs: [{ name: "old" }],
      propertyDependencies: { a: ["urn:x"] },
      replaceWith: ["urn:x"],
      id: "/d",
      outputs: { b: 2 },
      importId: "/d",
      providerName: "azure-delegations",
      providerUrn: "urn:prov",
      custom: true,
    };
    expect(stateOf([registered])).toEqual([
      {
        urn: "urn:d",
        type: DEFINITION,
        name: "d",
        custom: true,
        parentUrn: "urn:p",
        inputs: { a: 1 },
        dependencies: ["urn:x"],
        propertyDependencies: { a: ["urn:x"] },
        replaceWith: ["urn:x"],
        aliasSpecs: [{ name: "old" }],
        id: "/d",
        importId: "/d",
        outputs: { b: 2 },
        providerName: "azure-delegations",
      },
    ]);
    const { parentUrn: _parent, importId: _import, providerName: _provider, ...bare } = registered;
    expect(Object.keys(stateOf([bare])[0]).sort()).toEqual([
      "aliasSpecs",
      "custom",
      "dependencies",
      "id",
      "inputs",
      "name",
      "outputs",
      "propertyDependencies",
      "replaceWith",
      "type",
      "urn",
    ]);
  });
});
