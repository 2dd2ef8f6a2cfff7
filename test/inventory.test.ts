import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startFakeArm, type FakeArm } from "../scripts/fake-arm/server";
import { deployedFixture, type DeployedStack } from "./helpers/deployed";
import { REPO_ROOT, runCliAsync, runCommandInProcess } from "./helpers/project";
import { command as inventoryCommand } from "../src/cli/inventory";

const SUB_1 = "0afefe50-734e-4610-8a82-a144a2f49dea";
const SUB_2 = "6c8b2e14-9d3f-4a5b-8c7d-1e2f3a4b5c6d";
/** The seed's "Test Corp." delegation, moved into Fabrikam's first subscription. */
const foreign = () => {
  const item = JSON.parse(
    readFileSync(join(__dirname, "fixtures", "seed", "registration-definitions-list-filter-in.json"), "utf8"),
  ).value[1];
  return {
    ...item,
    id: `/subscriptions/${SUB_1}/providers/Microsoft.ManagedServices/registrationDefinitions/${item.name}`,
  };
};

let fake: FakeArm | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** The fake ARM serving fabrikam as deployed, after `change`; then the command against it. */
async function run(args: string[], change: (state: DeployedStack) => void = () => {}, stack = "fabrikam") {
  const state = deployedFixture(stack);
  // Azure knows the managing tenant's name; offers do not.
  for (const definition of state.definitions) definition.properties.managedByTenantName = "Contoso";
  change(state);
  fake = await startFakeArm(state);
  return runCommandInProcess(inventoryCommand, [...args, "--endpoint", fake.url], { AZURE_ACCESS_TOKEN: "fake-token" });
}

const operations = (state: DeployedStack, subscription = SUB_1) =>
  state.definitions.find(
    (definition) =>
      definition.properties.registrationDefinitionName === "Contoso Managed Operations" &&
      definition.id.includes(subscription),
  )!;

describe("npm run inventory", () => {
  it("lists each subscription's delegations with authorizations, scopes, state and who made them", async () => {
    const result = await run(["--stack", "fabrikam"], (state) => {
      // Azure omits what it does not know: the text says so rather than guessing.
      delete state.definitions[1].systemData;
      state.definitions[2].systemData = {
        lastModifiedBy: "ops@contoso.example",
        lastModifiedAt: "2026-11-01T10:00:00Z",
      };
    });
    expect(result.status).toBe(0);
    const operations = (subscription: string) => [
      '  "Contoso Managed Operations" managed by Contoso (83ace5cd-bcc3-441a-bd86-e6a75360cecc): Succeeded',
      `    definition 2370eb03-671f-565d-8fcd-c1bc9e0fe4b8, assigned at /subscriptions/${subscription}`,
      "    permanent  Tier 1 Support (f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc): Reader",
      "    permanent  Operations engineers (0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7): Contributor",
      "    permanent  Identity admins (2b4d6f80-1a3c-4e5f-8a9b-0c1d2e3f4a5b): User Access Administrator; may assign Contributor, Monitoring Contributor to managed identities",
      "    permanent  Offboarding automation (5d7e9f10-2b3c-4d5e-9f60-718293a4b5c6): Managed Services Registration assignment Delete Role",
    ];
    expect(result.stdout.split("\n")).toEqual([
      `Subscription ${SUB_1}`,
      ...operations(SUB_1),
      "    created by onboarding@fabrikam.example at 2026-10-01T09:00:00Z; last modified by onboarding@fabrikam.example at 2026-10-01T09:00:00Z",
      '  "Contoso Escalation" managed by Contoso (83ace5cd-bcc3-441a-bd86-e6a75360cecc): Succeeded',
      `    definition 21490c93-e56b-5e37-a1ab-a6af9fa3c920, assigned at /subscriptions/${SUB_1}`,
      "    permanent  Escalation engineers (3e0ed8c6-e902-4fc5-863c-e3ddbb2ae2a2): Reader",
      "    permanent  Escalation offboarding automation (7a1c3e5f-9b2d-4f6a-8c0e-2d4f6a8c0e1b): Managed Services Registration assignment Delete Role",
      "    eligible   Escalation engineers (3e0ed8c6-e902-4fc5-863c-e3ddbb2ae2a2): Contributor; MFA Azure; up to PT4H; approvers: Duty managers (d9b22cd6-6407-43cc-8c60-07c56df0b51a)",
      `Subscription ${SUB_2}`,
      ...operations(SUB_2),
      "    created by ? at ?; last modified by ops@contoso.example at 2026-11-01T10:00:00Z",
      "",
    ]);
    expect(fake!.requests.every((request) => request.authorization === "Bearer fake-token")).toBe(true);
  });

  it("says when a scope holds no delegation", async () => {
    const result = await run(["--scope", "/subscriptions/11111111-2222-4333-8444-555555555555"]);
    expect(result).toEqual({
      status: 0,
      stdout: "Subscription 11111111-2222-4333-8444-555555555555\n  no delegations\n",
      stderr: "",
    });
  });

  it("--scope with --managed-by filters definitions on the server", async () => {
    const result = await run(
      [
        "--scope",
        `/subscriptions/${SUB_1}`,
        "--managed-by",
        "de83f4a9-a76a-4025-a91a-91171923eac7",
        "--format",
        "json",
      ],
      (state) => state.definitions.push(foreign()),
    );
    expect(JSON.parse(result.stdout).delegations.map((delegation: { offer: string }) => delegation.offer)).toEqual([
      "DefinitionName",
    ]);
    expect(fake!.requests[0].query.get("$filter")).toBe("managedByTenantId eq 'de83f4a9-a76a-4025-a91a-91171923eac7'");
  });

  /** Each delegation found: subscription, offer, and every scope it is assigned at. */
  const where = (stdout: string) =>
    (
      JSON.parse(stdout).delegations as Array<{
        subscriptionId: string;
        offer: string;
        assignments: Array<{ scope: string }>;
      }>
    ).map(
      (delegation) =>
        `${delegation.subscriptionId} ${delegation.offer}: ${delegation.assignments.map((assignment) => assignment.scope).join(", ") || "no assignment"}`,
    );
  const FABRIKAM_AS_DEPLOYED = [
    `${SUB_1} Contoso Managed Operations: /subscriptions/${SUB_1}`,
    `${SUB_1} Contoso Escalation: /subscriptions/${SUB_1}`,
    `${SUB_2} Contoso Managed Operations: /subscriptions/${SUB_2}`,
  ];

  it("reports every delegation with every assignment, unfiltered", async () => {
    const result = await run(["--stack", "fabrikam", "--format", "json"]);
    expect(where(result.stdout)).toEqual(FABRIKAM_AS_DEPLOYED);
    expect(result.status).toBe(0);
  });

  it("--managed-by keeps each matching definition's assignments (they carry no tenant to filter on)", async () => {
    const result = await run(
      ["--stack", "fabrikam", "--managed-by", "83ace5cd-bcc3-441a-bd86-e6a75360cecc", "--format", "json"],
      (state) => state.definitions.push(foreign()),
    );
    expect(where(result.stdout)).toEqual(FABRIKAM_AS_DEPLOYED);
    expect(
      fake!.requests
        .filter((request) => request.path.endsWith("registrationAssignments"))
        .map((request) => request.query.get("$filter")),
    ).toEqual([null, null]);
    expect(result.status).toBe(0);
  });

  it("refuses a scope that is no scope, and plain http to a remote host", async () => {
    expect(await runCommandInProcess(inventoryCommand, ["--scope", "/subscriptions/nope"])).toMatchObject({
      status: 2,
      stderr: expect.stringContaining("is not a subscription or resource group scope"),
    });
    expect(
      await runCommandInProcess(inventoryCommand, ["--stack", "fabrikam", "--endpoint", "http://management.example"]),
    ).toMatchObject({ status: 2, stderr: expect.stringContaining("must use https") });
  });

  it("exits 3 when Azure cannot be read, and presents nothing as complete (the compiled command, as npm runs it)", async () => {
    const state = deployedFixture("fabrikam");
    fake = await startFakeArm(state);
    fake.faults.push({ kind: "error", status: 403 });
    const result = await runCliAsync("inventory", ["--stack", "fabrikam", "--endpoint", fake.url], {
      AZURE_ACCESS_TOKEN: "fake-token",
    });
    expect(result.status).toBe(3);
    expect(result.stderr).toMatch(
      /could not read the delegations \(nothing below is complete\): BadRequest: injected failure \(HTTP 403\)/,
    );
    expect(result.stdout).toBe("");
  });
});

describe("npm run inventory: every fault is exit 3 with a plain message, secrets never printed", () => {
  it.each([
    [
      "an oversized body",
      { kind: "oversize", bytes: 20 * 1024 * 1024 } as const,
      "fake-token",
      /^could not read the delegations \(nothing below is complete\): the answer from http:\/\/127\.0\.0\.1:\d+ is larger than 16 MiB; refused in GET \/subscriptions\/0afefe50-734e-4610-8a82-a144a2f49dea\/providers\/Microsoft\.ManagedServices\/registrationDefinitions\n$/,
    ],
    [
      "a gzip bomb",
      { kind: "gzip-bomb" } as const,
      "fake-token",
      /^could not read the delegations \(nothing below is complete\): the answer from http:\/\/127\.0\.0\.1:\d+ is larger than 16 MiB; refused in GET \/subscriptions\/0afefe50-734e-4610-8a82-a144a2f49dea\/providers\/Microsoft\.ManagedServices\/registrationDefinitions\n$/,
    ],
    [
      "a redirect",
      { kind: "redirect", status: 302, location: "http://127.0.0.1:1/x" } as const,
      "fake-token",
      /^could not read the delegations \(nothing below is complete\): http:\/\/127\.0\.0\.1:\d+ answered with a redirect \(HTTP 302\); refused: ARM does not redirect these calls, and the token must not follow in GET \/subscriptions\/0afefe50-734e-4610-8a82-a144a2f49dea\/providers\/Microsoft\.ManagedServices\/registrationDefinitions\n$/,
    ],
    [
      "a token with a line break",
      undefined,
      "token-secret\nX: y",
      /^could not read the delegations \(nothing below is complete\): the Azure token is not a bearer token \(RFC 6750: letters, digits and -\._~\+\/ only\); check AZURE_ACCESS_TOKEN\n$/,
    ],
  ])("%s", async (_name, fault, token, message) => {
    fake = await startFakeArm(deployedFixture("fabrikam"));
    if (fault) fake.faults.push(fault);
    const result = await runCommandInProcess(inventoryCommand, ["--stack", "fabrikam", "--endpoint", fake.url], {
      AZURE_ACCESS_TOKEN: token,
    });
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toContain("secret");
    expect(result.stdout).toBe("");
    expect(result.status).toBe(3);
  });
});

describe("npm run inventory -- --drift", () => {
  it.each([
    ["in sync", () => {}, 0, ["In sync: Azure matches the offers."]],
    [
      // ARM ids compare case-insensitively; Azure has answered the provider namespace in lower case.
      "in sync, ids in another case",
      (state: DeployedStack) => {
        for (const item of [...state.definitions, ...state.assignments])
          item.id = String(item.id).replace(
            "/providers/Microsoft.ManagedServices/",
            "/providers/microsoft.managedservices/",
          );
      },
      0,
      ["In sync: Azure matches the offers."],
    ],
    [
      // ARM sends null for an optional field it has no value for, as it may leave it out.
      "in sync, nulls in optional fields",
      (state: DeployedStack) => {
        for (const item of [...state.definitions, ...state.assignments])
          Object.assign(item, { plan: null, type: null });
        for (const item of state.assignments) Object.assign(item.properties, { provisioningState: null });
      },
      0,
      ["In sync: Azure matches the offers."],
    ],
    [
      "a missing delegation",
      (state: DeployedStack) => {
        state.definitions.splice(
          state.definitions.findIndex(
            (definition) => definition.properties.registrationDefinitionName === "Contoso Escalation",
          ),
          1,
        );
      },
      1,
      [`missing-delegation            ${SUB_1} "Contoso Escalation": not delegated`],
    ],
    [
      "a definition without assignment",
      (state: DeployedStack) => {
        const id = operations(state, SUB_2).id;
        state.assignments.splice(
          state.assignments.findIndex((assignment) => assignment.properties.registrationDefinitionId === id),
          1,
        );
      },
      1,
      [
        `definition-without-assignment ${SUB_2} "Contoso Managed Operations": definition 2370eb03-671f-565d-8fcd-c1bc9e0fe4b8 exists but is assigned nowhere`,
      ],
    ],
    [
      "an extra delegation of ours",
      (state: DeployedStack) => {
        const current = operations(state);
        const old = {
          ...current,
          id: `/subscriptions/${SUB_1}/providers/Microsoft.ManagedServices/registrationDefinitions/11111111-2222-4333-8444-555555555555`,
          name: "11111111-2222-4333-8444-555555555555",
          properties: { ...current.properties, registrationDefinitionName: "Contoso Legacy" },
        };
        state.definitions.push(old);
        state.assignments.push({
          id: `/subscriptions/${SUB_1}/providers/Microsoft.ManagedServices/registrationAssignments/legacy`,
          name: "legacy",
          properties: { registrationDefinitionId: old.id },
        });
      },
      1,
      [
        `extra-delegation              ${SUB_1} "Contoso Legacy": delegated in Azure (definition 11111111-2222-4333-8444-555555555555, at /subscriptions/${SUB_1}) but by no offer of this stack`,
      ],
    ],
    [
      "authorizations added, removed and changed",
      (state: DeployedStack) => {
        const properties = operations(state).properties;
        properties.authorizations = [
          ...properties.authorizations.slice(1).map((authorization: { principalIdDisplayName: string }) => ({
            ...authorization,
            principalIdDisplayName:
              authorization.principalIdDisplayName === "Operations engineers"
                ? "Ops (renamed)"
                : authorization.principalIdDisplayName,
          })),
          {
            principalId: "99999999-9999-4999-8999-999999999999",
            principalIdDisplayName: "Someone",
            roleDefinitionId: "b24988ac-6180-42a0-ab88-20f7382dd24c",
          },
        ];
      },
      1,
      [
        `authorization-added           ${SUB_1} "Contoso Managed Operations": authorization in Azure but not in the offer: Someone (99999999-9999-4999-8999-999999999999): Contributor`,
        `authorization-changed         ${SUB_1} "Contoso Managed Operations": authorization differs: offer has Operations engineers (0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7): Contributor; Azure has Ops (renamed) (0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7): Contributor`,
        `authorization-removed         ${SUB_1} "Contoso Managed Operations": authorization in the offer but not in Azure: Tier 1 Support (f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc): Reader`,
      ],
    ],
    [
      "a User Access Administrator that may assign other roles",
      (state: DeployedStack) => {
        const uaa = operations(state).properties.authorizations.find(
          (authorization: { roleDefinitionId: string }) =>
            authorization.roleDefinitionId === "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
        );
        uaa.delegatedRoleDefinitionIds = ["b24988ac-6180-42a0-ab88-20f7382dd24c"];
      },
      1,
      [
        `authorization-changed         ${SUB_1} "Contoso Managed Operations": authorization differs: offer has Identity admins (2b4d6f80-1a3c-4e5f-8a9b-0c1d2e3f4a5b): User Access Administrator; may assign Contributor, Monitoring Contributor to managed identities; Azure has Identity admins (2b4d6f80-1a3c-4e5f-8a9b-0c1d2e3f4a5b): User Access Administrator; may assign Contributor to managed identities`,
      ],
    ],
    [
      "MFA switched off and approvers removed in Azure",
      (state: DeployedStack) => {
        const escalation = state.definitions.find(
          (definition) => definition.properties.registrationDefinitionName === "Contoso Escalation",
        )!;
        escalation.properties.eligibleAuthorizations[0].justInTimeAccessPolicy = {
          multiFactorAuthProvider: "None",
          maximumActivationDuration: "PT4H",
        };
      },
      1,
      [
        `jit-changed                   ${SUB_1} "Contoso Escalation": just-in-time policy of Escalation engineers (3e0ed8c6-e902-4fc5-863c-e3ddbb2ae2a2) (Contributor) differs: offer has MFA Azure, up to PT4H, approvers d9b22cd6-6407-43cc-8c60-07c56df0b51a; Azure has MFA None, up to PT4H, approvers none`,
      ],
    ],
    [
      "a changed just-in-time policy",
      (state: DeployedStack) => {
        const escalation = state.definitions.find(
          (definition) => definition.properties.registrationDefinitionName === "Contoso Escalation",
        )!;
        escalation.properties.eligibleAuthorizations[0].justInTimeAccessPolicy.maximumActivationDuration = "PT8H";
      },
      1,
      [
        `jit-changed                   ${SUB_1} "Contoso Escalation": just-in-time policy of Escalation engineers (3e0ed8c6-e902-4fc5-863c-e3ddbb2ae2a2) (Contributor) differs: offer has MFA Azure, up to PT4H, approvers d9b22cd6-6407-43cc-8c60-07c56df0b51a; Azure has MFA Azure, up to PT8H, approvers d9b22cd6-6407-43cc-8c60-07c56df0b51a`,
      ],
    ],
  ])("%s", async (_name, change, status, expected) => {
    const result = await run(["--stack", "fabrikam", "--drift"], change);
    const lines = result.stdout
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean);
    for (const line of expected)
      expect(
        lines.some((actual) => actual.startsWith(line)),
        `${line}\n---\n${result.stdout}`,
      ).toBe(true);
    expect(lines.filter((line) => /^[a-z-]+ +[0-9a-f]{8}-/.test(line))).toHaveLength(
      expected.filter((line) => !line.startsWith("In sync")).length,
    );
    expect(result.status).toBe(status);
  });

  it("the whole report: findings by subscription, JIT policies and delegated roles compared as sets", async () => {
    const result = await run(["--stack", "fabrikam", "--drift"], (state) => {
      const [operations1, escalation, operations2] = state.definitions;
      // The same delegated roles in another order: no drift.
      operations1.properties.authorizations[2].delegatedRoleDefinitionIds.reverse();
      operations2.properties.authorizations[2].delegatedRoleDefinitionIds = ["b24988ac-6180-42a0-ab88-20f7382dd24c"];
      const policy = escalation.properties.eligibleAuthorizations[0].justInTimeAccessPolicy;
      policy.managedByTenantApprovers.push({
        principalId: "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
        principalIdDisplayName: "Security leads",
      });
      policy.multiFactorAuthProvider = "None";
      state.assignments.splice(2, 1); // operations in the second subscription
    });
    expect(result.stdout.split("\n")).toEqual([
      "Drift: 3 finding(s)",
      `  jit-changed                   ${SUB_1} "Contoso Escalation": just-in-time policy of Escalation engineers (3e0ed8c6-e902-4fc5-863c-e3ddbb2ae2a2) (Contributor) differs: offer has MFA Azure, up to PT4H, approvers d9b22cd6-6407-43cc-8c60-07c56df0b51a; Azure has MFA None, up to PT4H, approvers 7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d d9b22cd6-6407-43cc-8c60-07c56df0b51a`,
      `  authorization-changed         ${SUB_2} "Contoso Managed Operations": authorization differs: offer has Identity admins (2b4d6f80-1a3c-4e5f-8a9b-0c1d2e3f4a5b): User Access Administrator; may assign Contributor, Monitoring Contributor to managed identities; Azure has Identity admins (2b4d6f80-1a3c-4e5f-8a9b-0c1d2e3f4a5b): User Access Administrator; may assign Contributor to managed identities`,
      `  definition-without-assignment ${SUB_2} "Contoso Managed Operations": definition 2370eb03-671f-565d-8fcd-c1bc9e0fe4b8 exists but is assigned nowhere (half-finished onboarding?)`,
      "",
    ]);
    expect(result.status).toBe(1);
  });

  it("a missing resource-group assignment (northwind)", async () => {
    const result = await run(
      ["--stack", "northwind", "--drift"],
      (state) => {
        state.assignments.splice(
          state.assignments.findIndex((assignment) => assignment.id.includes("/resourceGroups/rg-data/")),
          1,
        );
      },
      "northwind",
    );
    expect(result.stdout).toMatch(
      /missing-assignment +9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d "Contoso Managed Operations": not assigned at \/subscriptions\/9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d\/resourceGroups\/rg-data/,
    );
    expect(result.status).toBe(1);
  });

  it("lists other providers' delegations apart, never as drift", async () => {
    const result = await run(["--stack", "fabrikam", "--drift"], (state) => {
      const item = foreign();
      state.definitions.push(item);
      state.assignments.push({
        id: `/subscriptions/${SUB_1}/providers/Microsoft.ManagedServices/registrationAssignments/testcorp`,
        name: "testcorp",
        properties: { registrationDefinitionId: item.id },
      });
    });
    expect(result.stdout).toContain("In sync: Azure matches the offers.");
    expect(result.stdout).toContain(
      `Delegations to other managing tenants (not drift):\n  ${SUB_1} "DefinitionName" managed by Test Corp. (de83f4a9-a76a-4025-a91a-91171923eac7) at /subscriptions/${SUB_1}`,
    );
    expect(result.status).toBe(0);
  });
});

describe("npm run fake-arm", () => {
  const fakeArm = (args: string[]) =>
    spawnSync(process.execPath, [join(REPO_ROOT, "dist", "scripts", "fake-arm.js"), ...args], {
      cwd: REPO_ROOT,
      encoding: "utf8",
    });

  it("answers --help, a bad flag and an unknown stack like every other command", () => {
    expect(fakeArm(["--help"])).toMatchObject({
      status: 0,
      stdout: expect.stringMatching(/^usage: npm run fake-arm -- --stack <name> \[--port 8080\]\n/),
    });
    expect(fakeArm(["--nope"])).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/^error: Unknown option '--nope'/),
    });
    expect(fakeArm(["--stack", "nope"])).toMatchObject({
      status: 2,
      stderr: "stacks/Pulumi.nope.yaml:1:1: error: cannot read file: no such file\n",
    });
    expect(fakeArm(["--stack", "fabrikam", "--port", "99999"])).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/^error: --port must be a port number/),
    });
  });
});
