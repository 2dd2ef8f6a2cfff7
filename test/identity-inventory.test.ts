import { afterEach, describe, expect, it } from "vitest";
import { startFakeArm, type FakeArm, type Fault } from "../scripts/fake-arm/server";
import { deployedFixture, type DeployedStack } from "./helpers/deployed";
import { runCommandInProcess } from "./helpers/project";
import { blockAfter, page, shownIn } from "./helpers/docs";
import { command as inventoryCommand } from "../src/cli/inventory";

/**
 * npm run inventory -- --stack X --identities [--drift], against the fake ARM serving the
 * managed-identity API (2024-11-30) and role assignments (2022-04-01). Expected reports are
 * written out in full.
 */
type Identities = DeployedStack;

const SUB = "0afefe50-734e-4610-8a82-a144a2f49dea";
const AUTOMATION = `/subscriptions/${SUB}/resourceGroups/rg-automation/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-contoso-automation`;
const NORTHWIND_SUB = "9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d";
const REMEDIATION = `/subscriptions/${NORTHWIND_SUB}/resourceGroups/rg-app/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-policy-remediation`;
const VM = `/subscriptions/${NORTHWIND_SUB}/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/vm-app-01`;
const OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";

let fake: FakeArm | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function run(
  stack: string,
  args: string[],
  change: (state: Identities) => void = () => {},
  faults: Fault[] = [],
) {
  const state = deployedFixture(stack);
  change(state);
  fake = await startFakeArm(state);
  fake.faults.push(...faults);
  return runCommandInProcess(inventoryCommand, ["--stack", stack, "--identities", ...args, "--endpoint", fake.url], {
    AZURE_ACCESS_TOKEN: "fake-token",
  });
}

const credential = (identity: string, name: string, subject: string) => ({
  id: `${identity}/federatedIdentityCredentials/${name}`,
  name,
  properties: {
    issuer: "https://token.actions.githubusercontent.com",
    subject,
    audiences: ["api://AzureADTokenExchange"],
  },
});
const principalOf = (state: Identities, id: string) =>
  state.identities.find((identity) => identity.id === id)!.properties.principalId as string;

describe("npm run inventory -- --identities --drift", () => {
  it("in sync", async () => {
    const result = await run("fabrikam", ["--drift"]);
    expect(result.stdout).toBe("In sync: Azure matches the stack's identities.\n");
    expect(result.status).toBe(0);
  });

  it("a missing identity", async () => {
    const result = await run("fabrikam", ["--drift"], (state) => state.identities.splice(0, 1));
    expect(result.stdout).toBe(
      `Identity drift: 1 finding(s)\n  missing-identity        ${AUTOMATION}: declared, but Azure has no such identity\n`,
    );
    expect(result.status).toBe(1);
  });

  // ARM answers a list in a group that does not exist with 404 ResourceGroupNotFound; pulumi up
  // creates the group's identities (the group is the stack owner's to create), so they are missing.
  it("a declared identity whose resource group does not exist yet is missing, not a failed read", async () => {
    const notFound: Fault = {
      kind: "error",
      status: 404,
      code: "ResourceGroupNotFound",
      message: "Resource group 'rg-automation' could not be found.",
    };
    const result = await run("fabrikam", ["--drift"], (state) => state.identities.splice(0, 1), [notFound]);
    expect(fake!.requests[0].path).toBe(
      `/subscriptions/${SUB}/resourceGroups/rg-automation/providers/Microsoft.ManagedIdentity/userAssignedIdentities`,
    );
    expect(result).toMatchObject({
      status: 1,
      stdout: `Identity drift: 1 finding(s)\n  missing-identity        ${AUTOMATION}: declared, but Azure has no such identity\n`,
      stderr: "",
    });
  });

  it("an extra credential and an extra role assignment come first; a changed subject and tags follow", async () => {
    const result = await run("fabrikam", ["--drift"], (state) => {
      state.federatedCredentials[0].properties.subject = "repo:contoso/fabrikam-ops:ref:refs/heads/main";
      state.federatedCredentials.push(credential(AUTOMATION, "unknown-repo", "repo:someone/else:ref:refs/heads/main"));
      state.roleAssignments.push({
        id: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments/00000000-0000-4000-8000-0000000000aa`,
        name: "00000000-0000-4000-8000-0000000000aa",
        properties: {
          roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${OWNER}`,
          principalId: principalOf(state, AUTOMATION),
          scope: `/subscriptions/${SUB}`,
        },
      });
      state.identities[0].tags = { owner: "someone-else", purpose: "runbooks" };
    });
    expect(result.stdout).toBe(
      [
        "Identity drift: 4 finding(s)",
        `  extra-credential        ${AUTOMATION}: credential 'unknown-repo' trusts https://token.actions.githubusercontent.com subject 'repo:someone/else:ref:refs/heads/main' audiences api://AzureADTokenExchange, which the stack does not declare`,
        `  extra-role-assignment   ${AUTOMATION}: holds Owner at /subscriptions/${SUB}, which the stack does not declare`,
        `  changed-identity        ${AUTOMATION}: tags are {"owner":"someone-else","purpose":"runbooks"}, not {"owner":"contoso","purpose":"runbooks"}`,
        `  changed-credential      ${AUTOMATION}: credential 'github-contoso-ops-production' trusts https://token.actions.githubusercontent.com subject 'repo:contoso/fabrikam-ops:ref:refs/heads/main' audiences api://AzureADTokenExchange; the stack declares https://token.actions.githubusercontent.com subject 'repo:contoso/fabrikam-ops:environment:production' audiences api://AzureADTokenExchange`,
        "",
      ].join("\n"),
    );
    // The page shows this run's output.
    expect(shownIn(blockAfter(page("operations.md"), "### Identities: what"), result.stdout)).toEqual([]);
    expect(result.status).toBe(1);
  });

  it("reads every page of a long credential list ($top 20, then $skiptoken)", async () => {
    const result = await run("fabrikam", ["--drift", "--format", "json"], (state) => {
      for (let index = 0; index < 24; index++)
        state.federatedCredentials.push(
          credential(AUTOMATION, `extra-${String(index).padStart(2, "0")}`, `repo:x/y:${index}`),
        );
    });
    const drift = JSON.parse(result.stdout).drift as Array<{ kind: string; message: string }>;
    expect(drift.map((item) => item.kind)).toEqual(Array(24).fill("extra-credential"));
    expect(drift[23].message).toMatch(/^credential 'extra-23' trusts/);
    const pages = fake!.requests.filter((request) => request.path.endsWith("/federatedIdentityCredentials"));
    expect(pages.map((request) => [request.query.get("$top"), request.query.get("$skiptoken")])).toEqual([
      ["20", null],
      ["20", "20"],
    ]);
    expect(result.status).toBe(1);
  });

  it("an identity nobody declared in a named resource group, and a missing role assignment", async () => {
    const result = await run("fabrikam", ["--drift"], (state) => {
      state.roleAssignments.splice(1, 1);
      state.identities.push({
        id: AUTOMATION.replace("id-contoso-automation", "id-shadow"),
        name: "id-shadow",
        location: "westeurope",
        properties: { principalId: "5c3e2a1b-0000-4000-8000-000000000001" },
      });
      state.federatedCredentials.push(
        credential(AUTOMATION.replace("id-contoso-automation", "id-shadow"), "shadow", "repo:x/y:shadow"),
      );
    });
    expect(result.stdout).toBe(
      [
        "Identity drift: 2 finding(s)",
        `  extra-identity          ${AUTOMATION.replace("id-contoso-automation", "id-shadow")}: not declared by the stack; it has 1 federated credential(s) and 0 role assignment(s)`,
        `  missing-role-assignment ${AUTOMATION}: lacks Virtual Machine Contributor at /subscriptions/${SUB}/resourceGroups/rg-app`,
        "",
      ].join("\n"),
    );
    expect(result.status).toBe(1);
  });

  it("a location written another way is the same; another location, a lost isolation scope, a missing credential and other audiences are drift", async () => {
    const sameLocation = await run("fabrikam", ["--drift"], (state) => {
      state.identities[0].location = "West Europe";
    });
    expect(sameLocation.stdout).toBe("In sync: Azure matches the stack's identities.\n");
    await fake!.close();
    const result = await run("northwind-managed", ["--drift"], (state) => {
      state.identities[0].location = "northeurope";
      delete state.identities[0].properties.isolationScope;
      state.federatedCredentials[0].properties.audiences = ["api://AzureADTokenExchange", "api://other"];
    });
    const trust =
      "https://token.actions.githubusercontent.com subject 'repo:contoso/northwind-ops:environment:production' audiences api://AzureADTokenExchange";
    expect(result.stdout.split("\n")).toEqual([
      "Identity drift: 3 finding(s)",
      `  changed-identity        ${REMEDIATION}: isolationScope is None, not Regional`,
      `  changed-identity        ${REMEDIATION}: location is northeurope, not westeurope`,
      `  changed-credential      ${REMEDIATION}: credential 'github-contoso-remediation' trusts ${trust}, api://other; the stack declares ${trust}`,
      "",
    ]);
    expect(result.status).toBe(1);
    await fake!.close();
    const missing = await run("northwind-managed", ["--drift"], (state) => state.federatedCredentials.splice(0, 1));
    expect(missing.stdout.split("\n")).toEqual([
      "Identity drift: 1 finding(s)",
      `  missing-credential      ${REMEDIATION}: credential 'github-contoso-remediation' (${trust}) is declared but missing`,
      "",
    ]);
  });

  it("tags in another order are the same; another issuer and a system-assigned identity's missing role are drift", async () => {
    const sameTags = await run("fabrikam", ["--drift"], (state) => {
      state.identities[0].tags = { purpose: "runbooks", owner: "contoso" };
    });
    expect(sameTags.stdout).toBe("In sync: Azure matches the stack's identities.\n");
    await fake!.close();
    const result = await run("northwind-managed", ["--drift"], (state) => {
      state.federatedCredentials[0].properties.issuer = "https://issuer.example";
      state.roleAssignments.splice(
        state.roleAssignments.findIndex(
          (assignment) => assignment.properties.principalId === "f670bbba-ed84-5078-89a4-d7245e966d48",
        ),
        1,
      );
    });
    expect(result.stdout.split("\n")).toEqual([
      "Identity drift: 2 finding(s)",
      `  missing-role-assignment ${VM}: lacks Monitoring Contributor at /subscriptions/${NORTHWIND_SUB}/resourceGroups/rg-app`,
      `  changed-credential      ${REMEDIATION}: credential 'github-contoso-remediation' trusts https://issuer.example subject 'repo:contoso/northwind-ops:environment:production' audiences api://AzureADTokenExchange; the stack declares https://token.actions.githubusercontent.com subject 'repo:contoso/northwind-ops:environment:production' audiences api://AzureADTokenExchange`,
      "",
    ]);
    expect(result.status).toBe(1);
  });

  it("lists a declared identity Azure does not have as not found, and says when a stack declares none", async () => {
    const result = await run("northwind-managed", [], (state) => {
      state.identities.splice(0, 1);
      state.systemIdentities.splice(0, 1);
    });
    expect(result.stdout).toBe(`Identity ${REMEDIATION}: not found\nSystem-assigned identity of ${VM}: not found\n`);
    await fake!.close();
    expect((await run("northwind", [])).stdout).toBe("The stack declares no identities.\n");
  });

  it("system-assigned identities: a resource without one, and roles compared by its principal read by scope", async () => {
    const inSync = await run("northwind-managed", ["--drift"]);
    expect(inSync.stdout).toBe("In sync: Azure matches the stack's identities.\n");
    await fake!.close();
    const result = await run("northwind-managed", ["--drift"], (state) => state.systemIdentities.splice(0, 1));
    expect(result.stdout).toBe(
      `Identity drift: 1 finding(s)\n  missing-identity        ${VM}: the resource has no system-assigned identity (or does not exist)\n`,
    );
    expect(result.status).toBe(1);
  });
});

describe("npm run inventory -- --identities", () => {
  it("lists each identity with its ids, credentials and roles", async () => {
    const result = await run("northwind-managed", []);
    // Principal and client ids as the fake ARM's literal state gives them (test/fixtures/deployed).
    expect(result.stdout.split("\n")).toEqual([
      `Identity ${REMEDIATION} (westeurope, isolation Regional, principal a9ef527b-b8d3-5211-a2c3-edb6a764faf3, client 2ca4f5cb-526e-51b1-a2d8-843d21322fdd)`,
      "    federated  github-contoso-remediation: https://token.actions.githubusercontent.com subject 'repo:contoso/northwind-ops:environment:production' audiences api://AzureADTokenExchange",
      `    role       Contributor at /subscriptions/${NORTHWIND_SUB}/resourceGroups/rg-app`,
      `    role       Monitoring Contributor at /subscriptions/${NORTHWIND_SUB}/resourceGroups/rg-data`,
      `System-assigned identity of ${VM}: principal f670bbba-ed84-5078-89a4-d7245e966d48`,
      `    role       Monitoring Contributor at /subscriptions/${NORTHWIND_SUB}/resourceGroups/rg-app`,
      "",
    ]);
    expect(result.status).toBe(0);
  });

  it("lists tags, and an identity of the resource group that nobody declared", async () => {
    const result = await run("fabrikam", [], (state) => {
      // Azure lists it first: the listing still puts the declared identities first.
      state.identities.unshift({
        id: AUTOMATION.replace("id-contoso-automation", "id-shadow"),
        name: "id-shadow",
        location: "northeurope",
        properties: {
          principalId: "5c3e2a1b-0000-4000-8000-000000000001",
          clientId: "5c3e2a1b-0000-4000-8000-000000000002",
        },
      });
    });
    expect(result.stdout.split("\n")).toEqual([
      `Identity ${AUTOMATION} (westeurope, principal eacc087d-3621-5304-b3b0-7d86d59d7994, client 9ba1b0b2-dfcb-5c30-858b-2814feca8c16)`,
      '    tags       {"owner":"contoso","purpose":"runbooks"}',
      "    federated  github-contoso-ops-production: https://token.actions.githubusercontent.com subject 'repo:contoso/fabrikam-ops:environment:production' audiences api://AzureADTokenExchange",
      `    role       Reader at /subscriptions/${SUB}`,
      `    role       Virtual Machine Contributor at /subscriptions/${SUB}/resourceGroups/rg-app`,
      `Identity ${AUTOMATION.replace("id-contoso-automation", "id-shadow")} (northeurope, principal 5c3e2a1b-0000-4000-8000-000000000001, client 5c3e2a1b-0000-4000-8000-000000000002)`,
      "",
    ]);
    expect(result.status).toBe(0);
  });

  it("exits 3 when the identity API cannot be read, and 2 without --stack", async () => {
    const state = deployedFixture("fabrikam");
    fake = await startFakeArm(state);
    fake.faults.push({ kind: "error", status: 403 });
    const result = await runCommandInProcess(
      inventoryCommand,
      ["--stack", "fabrikam", "--identities", "--endpoint", fake.url],
      {
        AZURE_ACCESS_TOKEN: "fake-token",
      },
    );
    expect(result).toMatchObject({
      status: 3,
      stdout: "",
      stderr: `could not read the identities (nothing below is complete): BadRequest: injected failure (HTTP 403) in GET /subscriptions/${SUB}/resourceGroups/rg-automation/providers/Microsoft.ManagedIdentity/userAssignedIdentities\n`,
    });
    expect(
      await runCommandInProcess(inventoryCommand, ["--scope", `/subscriptions/${SUB}`, "--identities"]),
    ).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/^error: --identities reads a stack's identities: use --stack/),
    });
  });
});
