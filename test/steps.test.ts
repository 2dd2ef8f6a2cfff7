import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { predictSteps, type ContinuityFinding, type StateResource } from "../src/plan/steps";
import { roleLabel } from "../src/roles/catalog";
import { registered, stepLine } from "./helpers/steps";
import { REPO_ROOT } from "./helpers/project";

/**
 * The steps a real `pulumi up` takes between two revisions of a stack, each case run through the
 * stack program on the offline engine at both revisions. Every expected list is derived by hand
 * from the rules src/plan/steps.ts cites (not read off its output):
 * - engine: a URN or an alias finds the deployed resource; new URNs are created in program order;
 *   URNs no longer registered are deleted after the program, dependents first (step_generator.go
 *   generateSteps, GenerateDeletes);
 * - azure-native: a change of a URL path parameter replaces, always delete-first; anything else
 *   is an in-place update (provider.go Diff, calculateDetailedDiff); an existing id cannot be
 *   created (Create, CanCreate);
 * - engine, delete-before-replace: the dependents that would be replaced are deleted first, in
 *   reverse dependency order; here the assignments, through replaceWith (step_generator.go
 *   continueStepsFromDiff, calculateDependentReplacements; Pulumi docs, replaceWith);
 * - Azure: removing a delegation removes its principal/role pairs from the subscription's other
 *   delegations (remove-delegation.md).
 */

const SUB = "0afefe50-734e-4610-8a82-a144a2f49dea";
const OPS = `contoso-operations-${SUB}`;
const ESC = `contoso-escalation-${SUB}`;
const OPERATIONS = readFileSync(join(REPO_ROOT, "offers", "contoso-operations.yaml"), "utf8");
const ESCALATION = readFileSync(join(REPO_ROOT, "offers", "contoso-escalation.yaml"), "utf8");
/** The escalation offer as it shipped before: its Delete Role held by the operations offer's principal too. */
const ESCALATION_SHARING = ESCALATION.replace(
  /principalId: 7a1c3e5f-9b2d-4f6a-8c0e-2d4f6a8c0e1b\n\s+principalIdDisplayName: Escalation offboarding automation/,
  "principalId: 5d7e9f10-2b3c-4d5e-9f60-718293a4b5c6\n    principalIdDisplayName: Offboarding automation",
);

const OPERATIONS_PAIRS = [
  ["Tier 1 Support", "Reader"],
  ["Operations engineers", "Contributor"],
  ["Identity admins", "User Access Administrator"],
  ["Offboarding automation", "Managed Services Registration assignment Delete Role"],
];

interface StackShape {
  offers?: Array<{ file: string; groups?: string[]; extra?: string }>;
  identity?: string;
}

/** A one-subscription stack: the offers listed (default: operations, whole subscription), and an identity's YAML. */
function stackFile({ offers = [{ file: "offers/contoso-operations.yaml" }], identity }: StackShape): string {
  const delegations = offers
    .map(
      ({ file, groups, extra }) =>
        `    - offer: ${file}\n${extra ?? ""}      subscriptions:\n        - subscriptionId: ${SUB}\n${
          groups ? `          resourceGroups: [${groups.join(", ")}]\n` : ""
        }`,
    )
    .join("");
  return `config:\n  lighthouse:customer:\n    name: Lifecycle\n    tenantId: 0e06d6a3-55ae-40a3-ac29-350808980808\n  lighthouse:delegations:\n${delegations}${
    identity ? `  lighthouse:identities:\n${identity}` : ""
  }`;
}

const IDENTITY = (name: string, extra = "") =>
  `    - name: ${name}\n      subscriptionId: ${SUB}\n      resourceGroup: rg-automation\n      location: westeurope\n${extra}      federatedCredentials:\n        - name: github\n          issuer: https://token.actions.githubusercontent.com\n          subject: repo:contoso/ops:environment:production\n      roleAssignments:\n        - role: Reader\n          scope: /subscriptions/${SUB}\n`;

const project = (shape: StackShape, files: Record<string, string> = {}) => ({
  "stacks/Pulumi.lifecycle.yaml": stackFile(shape),
  ...files,
});

const continuityLine = (finding: ContinuityFinding) =>
  `${finding.kind} ${finding.principal.name} ${roleLabel(finding.roleId)} at ${finding.scope} (${finding.offer}) after step ${finding.from}${
    finding.until ? ` until step ${finding.until}` : ""
  }`;

async function steps(base: Record<string, string>, head: Record<string, string> | null) {
  const before = await registered("lifecycle", base);
  const after = head ? await registered("lifecycle", head) : [];
  const plan = predictSteps(before, after);
  return { steps: plan.steps.map(stepLine), continuity: plan.continuity.map(continuityLine), plan };
}

const interruptedAll = (scope: string, offer: string, from: number, until: number) =>
  OPERATIONS_PAIRS.map(
    ([principal, role]) =>
      `interrupted ${principal} ${role} at ${scope} (${offer}) after step ${from} until step ${until}`,
  );

describe("the steps of a real pulumi up, change by change", () => {
  it("authorization added: the definition is updated in place (properties is no path parameter); nobody loses access", async () => {
    const head = OPERATIONS.replace(
      "authorizations:\n",
      "authorizations:\n  - principalId: 9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d\n    principalIdDisplayName: Night shift\n    principalType: Group\n    role: Reader\n",
    );
    expect(await steps(project({}), project({}, { "offers/contoso-operations.yaml": head }))).toMatchObject({
      steps: [`update ${OPS}-definition`],
      continuity: [],
    });
  });

  it("authorization removed: an in-place update of the definition; the removed grant is no finding (it is intended)", async () => {
    const head = OPERATIONS.replace(/ {2}- principalId: f98d86a2[^]*?role: Reader\n/, "");
    expect(await steps(project({}), project({}, { "offers/contoso-operations.yaml": head }))).toMatchObject({
      steps: [`update ${OPS}-definition`],
      continuity: [],
    });
  });

  it("JIT changed: an in-place update of the escalation definition", async () => {
    const shape = { offers: [{ file: "offers/contoso-escalation.yaml" }] };
    const head = ESCALATION.replace("maximumActivationDuration: PT4H", "maximumActivationDuration: PT8H");
    expect(await steps(project(shape), project(shape, { "offers/contoso-escalation.yaml": head }))).toMatchObject({
      steps: [`update ${ESC}-definition`],
      continuity: [],
    });
  });

  it("offer renamed: same URNs (keyed on the file), new GUIDs: the assignment, then the definition, deleted first, then both created", async () => {
    const head = OPERATIONS.replace("name: Contoso Managed Operations", "name: Contoso Managed Operations v2");
    const { steps: lines, continuity } = await steps(
      project({}),
      project({}, { "offers/contoso-operations.yaml": head }),
    );
    expect(lines).toEqual([
      `delete-replaced ${OPS}-subscription`,
      `delete-replaced ${OPS}-definition`,
      `create-replacement ${OPS}-definition`,
      `create-replacement ${OPS}-subscription`,
    ]);
    // Absent from the first delete until the new assignment exists; nothing lost at the end.
    expect(continuity).toEqual(interruptedAll(`/subscriptions/${SUB}`, "Contoso Managed Operations v2", 1, 4));
  });

  it("managing tenant changed: the same delete-first replacement, never a definition deleted while assigned", async () => {
    const head = OPERATIONS.replace(
      "managedByTenantId: 83ace5cd-bcc3-441a-bd86-e6a75360cecc",
      "managedByTenantId: de83f4a9-a76a-4025-a91a-91171923eac7",
    );
    const { steps: lines, plan } = await steps(project({}), project({}, { "offers/contoso-operations.yaml": head }));
    expect(lines).toEqual([
      `delete-replaced ${OPS}-subscription`,
      `delete-replaced ${OPS}-definition`,
      `create-replacement ${OPS}-definition`,
      `create-replacement ${OPS}-subscription`,
    ]);
    expect(plan.steps.filter((step) => step.unknown || step.fails)).toEqual([]);
  });

  it("offer file renamed: a new URN whose create azure-native refuses (the definition exists); the run stops, nothing deleted", async () => {
    const moved = project({ offers: [{ file: "offers/operations.yaml" }] }, { "offers/operations.yaml": OPERATIONS });
    const { steps: lines, continuity, plan } = await steps(project({}), moved);
    expect(lines).toEqual([`create operations-${SUB}-definition FAILS`]);
    expect(plan.stopsAt).toBe(1);
    expect(continuity).toEqual([]);
  });

  it("resource group added, then removed: one create; one delete after the program", async () => {
    const one = project({ offers: [{ file: "offers/contoso-operations.yaml", groups: ["rg-app"] }] });
    const two = project({ offers: [{ file: "offers/contoso-operations.yaml", groups: ["rg-app", "rg-data"] }] });
    expect(await steps(one, two)).toMatchObject({ steps: [`create ${OPS}-rg-rg-data`], continuity: [] });
    expect(await steps(two, one)).toMatchObject({ steps: [`delete ${OPS}-rg-rg-data`], continuity: [] });
  });

  it("resource group renamed in case only: the same URN (label in lower case), replaced delete-first, never a second assignment", async () => {
    const upper = project({ offers: [{ file: "offers/contoso-operations.yaml", groups: ["rg-App"] }] });
    const lower = project({ offers: [{ file: "offers/contoso-operations.yaml", groups: ["rg-app"] }] });
    const { steps: lines, continuity } = await steps(upper, lower);
    expect(lines).toEqual([`delete-replaced ${OPS}-rg-rg-app`, `create-replacement ${OPS}-rg-rg-app`]);
    expect(continuity).toEqual(
      interruptedAll(`/subscriptions/${SUB}/resourceGroups/rg-app`, "Contoso Managed Operations", 1, 2),
    );
  });

  it("one of two offers sharing a principal and role removed: its delegation goes, and Azure takes the pair from the other", async () => {
    const both = project(
      { offers: [{ file: "offers/contoso-operations.yaml" }, { file: "offers/contoso-escalation.yaml" }] },
      { "offers/contoso-escalation.yaml": ESCALATION_SHARING },
    );
    const one = project({}, { "offers/contoso-escalation.yaml": ESCALATION_SHARING });
    const { steps: lines, continuity, plan } = await steps(both, one);
    expect(lines).toEqual([`delete ${ESC}-subscription`, `delete ${ESC}-definition`]);
    expect(continuity).toEqual([
      `lost Offboarding automation Managed Services Registration assignment Delete Role at /subscriptions/${SUB} (Contoso Managed Operations) after step 1`,
    ]);
    expect(plan.continuity[0].cause).toBe(
      `step delete ${ESC}-subscription: removing a delegation removes the principal/role pairs it shares with the subscription's other delegations (remove-delegation.md)`,
    );
  });

  it("naming switched to samples (with adopt): a replacement of an adopted resource, refused before any step", async () => {
    const samples = project({
      offers: [
        {
          file: "offers/contoso-operations.yaml",
          extra: "      naming: samples\n",
        },
      ],
    });
    const adopted = samples["stacks/Pulumi.lifecycle.yaml"].replace(
      `- subscriptionId: ${SUB}\n`,
      `- subscriptionId: ${SUB}\n          adopt: {registrationDefinitionId: fb8a52e8-81dd-5d2b-9420-f62eab4b5057, registrationAssignmentIds: [fb8a52e8-81dd-5d2b-9420-f62eab4b5057]}\n`,
    );
    const { steps: lines, continuity, plan } = await steps(project({}), { "stacks/Pulumi.lifecycle.yaml": adopted });
    expect(lines).toEqual([`create-replacement ${OPS}-definition FAILS`]);
    expect(plan.stopsAt).toBe(1);
    // Nothing ran: every grant is still there.
    expect(continuity).toEqual([]);
  });

  it("isolationScope set on an identity: a new type is a new URN, whose create azure-native refuses (the identity exists)", async () => {
    const base = project({ identity: IDENTITY("id-ops") });
    const head = project({ identity: IDENTITY("id-ops", "      isolationScope: Regional\n") });
    const { steps: lines, plan } = await steps(base, head);
    expect(lines).toEqual([`create identity-${SUB}-rg-automation-id-ops-identity FAILS`]);
    expect(plan.steps[0].fails).toMatch(/already exists .*azure-native refuses to create an existing resource/);
  });

  it("identity renamed: new URNs created in program order, the old ones deleted after the program, dependents first", async () => {
    const base = project({ identity: IDENTITY("id-ops") });
    const head = project({ identity: IDENTITY("id-ops-2") });
    const { steps: lines } = await steps(base, head);
    const renamed = `identity-${SUB}-rg-automation-id-ops-2`;
    const old = `identity-${SUB}-rg-automation-id-ops`;
    expect(lines.map((line) => line.replace(/role-[0-9a-f-]{36}/, "role-<guid>"))).toEqual([
      `create ${renamed}-identity`,
      `create ${renamed}-fic-github`,
      `create ${renamed}-role-<guid>`,
      `delete ${old}-role-<guid>`,
      `delete ${old}-fic-github`,
      `delete ${old}-identity`,
    ]);
  });

  it("stack destroyed: every resource deleted, assignments before their definitions", async () => {
    const { steps: lines, plan } = await steps(project({}), null);
    expect(lines).toEqual([`delete ${OPS}-subscription`, `delete ${OPS}-definition`]);
    expect(plan.steps.filter((step) => step.unknown)).toEqual([]);
  });
});

describe("deployed stacks keep their URNs (state recorded by the toolkit before logical names were keyed on files)", () => {
  const recorded = JSON.parse(
    readFileSync(join(__dirname, "fixtures", "deployed-state", "before-file-keys.json"), "utf8"),
  ) as Record<string, StateResource[]>;

  it("northwind: the aliases find every resource, and nothing changes", async () => {
    expect(predictSteps(recorded.northwind, await registered("northwind")).steps).toEqual([]);
  });

  it("northwind-managed and contoso-pipelines: only their credentials, now trusting protected environments alone", async () => {
    const lines = async (stack: string) => predictSteps(recorded[stack], await registered(stack)).steps.map(stepLine);
    // A subject is no path parameter: an in-place update.
    expect(await lines("northwind-managed")).toEqual([
      "update identity-9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d-rg-app-id-policy-remediation-fic-github-contoso-remediation",
    ]);
    // The pull-request credential is no longer in the program: deleted after it.
    expect(await lines("contoso-pipelines")).toEqual([
      "delete identity-5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d-rg-lighthouse-automation-id-lighthouse-pipelines-fic-github-pull-requests",
    ]);
  });

  it("fabrikam: only the escalation offer's new offboarding principal (an in-place update)", async () => {
    const plan = predictSteps(recorded.fabrikam, await registered("fabrikam"));
    expect(plan.steps.map(stepLine)).toEqual([`update ${ESC}-definition`]);
    // The file's name and the offer's name slug alike: the URN is found as it is, no alias needed.
    expect(plan.steps[0].reason).toBe("properties changed");
    expect(plan.continuity).toEqual([]);
  });

  it("a rename in the same change as the upgrade is still create-first (no alias names the old title): the review shows the loss", async () => {
    const head = OPERATIONS.replace("name: Contoso Managed Operations", "name: Contoso Managed Operations v2");
    const plan = predictSteps(
      recorded.northwind,
      await registered("northwind", { "offers/contoso-operations.yaml": head }),
    );
    const [app, shared] = ["9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d", "a4b5c6d7-e8f9-4a0b-8c1d-2e3f4a5b6c7d"];
    expect(plan.steps.map(stepLine)).toEqual([
      `create contoso-operations-${app}-definition`,
      `create contoso-operations-${shared}-definition`,
      `create contoso-operations-${app}-rg-rg-app`,
      `create contoso-operations-${app}-rg-rg-data`,
      `create contoso-operations-${shared}-rg-rg-shared`,
      `delete contoso-managed-operations-${shared}-rg-rg-shared`,
      `delete contoso-managed-operations-${app}-rg-rg-data`,
      `delete contoso-managed-operations-${app}-rg-rg-app`,
      `delete contoso-managed-operations-${shared}-definition`,
      `delete contoso-managed-operations-${app}-definition`,
    ]);
    // Each old assignment's removal takes the four pairs from the new delegation on its scope.
    const at = (group: string, sub: string, step: number) =>
      OPERATIONS_PAIRS.map(
        ([principal, role]) =>
          `lost ${principal} ${role} at /subscriptions/${sub}/resourceGroups/${group} (Contoso Managed Operations v2) after step ${step}`,
      );
    expect(plan.continuity.map(continuityLine)).toEqual([
      ...at("rg-shared", shared, 6),
      ...at("rg-data", app, 7),
      ...at("rg-app", app, 8),
    ]);
  });
});
