import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startFakeArm, type FakeArm } from "../scripts/fake-arm/server";
import { deployedFixture } from "./helpers/deployed";
import { runCommandInProcess } from "./helpers/project";
import { blockAfter, page, shownIn } from "./helpers/docs";
import { command as inventoryCommand } from "../src/cli/inventory";

/** npm run inventory -- --all: one Resource Graph query (every page) for the whole fleet. */
const ELSEWHERE = "99999999-aaaa-4bbb-8ccc-dddddddddddd";

let fake: FakeArm | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function fleetState() {
  const fabrikam = deployedFixture("fabrikam");
  const northwind = deployedFixture("northwind");
  // The seed's "Test Corp." delegation (another managing tenant) in Fabrikam's first subscription.
  const foreign = JSON.parse(
    readFileSync(join(__dirname, "fixtures", "seed", "registration-definitions-list-filter-in.json"), "utf8"),
  ).value[1];
  const foreignId = `/subscriptions/0afefe50-734e-4610-8a82-a144a2f49dea/providers/Microsoft.ManagedServices/registrationDefinitions/${foreign.name}`;
  // Contoso's operations offer, delegated in a subscription no stack lists.
  const stray = structuredClone(fabrikam.definitions[0]);
  stray.id = stray.id.replace("0afefe50-734e-4610-8a82-a144a2f49dea", ELSEWHERE);
  return {
    definitions: [
      ...fabrikam.definitions,
      ...northwind.definitions,
      { ...foreign, id: foreignId, type: "Microsoft.ManagedServices/registrationDefinitions" },
      stray,
    ],
    assignments: [
      ...fabrikam.assignments,
      ...northwind.assignments,
      {
        id: `/subscriptions/${ELSEWHERE}/providers/Microsoft.ManagedServices/registrationAssignments/aaaaaaaa-0000-4000-8000-000000000001`,
        name: "aaaaaaaa-0000-4000-8000-000000000001",
        type: "Microsoft.ManagedServices/registrationAssignments",
        properties: { registrationDefinitionId: stray.id },
      },
    ],
  };
}

describe("npm run inventory -- --all", () => {
  it("--drift: every stack at once, and what no stack claims (exit 1)", async () => {
    fake = await startFakeArm({ ...fleetState(), pageSize: 4 });
    const result = await runCommandInProcess(inventoryCommand, ["--all", "--drift", "--endpoint", fake.url], {
      AZURE_ACCESS_TOKEN: "fake-token",
    });
    expect(result.stdout).toBe(
      [
        "Stack fabrikam: In sync: Azure matches the offers.",
        "",
        "  Delegations to other managing tenants (not drift):",
        '    0afefe50-734e-4610-8a82-a144a2f49dea "DefinitionName" managed by Test Corp. (de83f4a9-a76a-4025-a91a-91171923eac7) at no scope',
        "Stack northwind: In sync: Azure matches the offers.",
        "Delegated to your managing tenant(s) but in no stack: 1",
        `  ${ELSEWHERE} "Contoso Managed Operations" (definition 2370eb03-671f-565d-8fcd-c1bc9e0fe4b8) at /subscriptions/${ELSEWHERE}`,
        "",
      ].join("\n"),
    );
    // The page shows this run's output.
    expect(shownIn(blockAfter(page("operations.md"), "### The whole fleet in one query"), result.stdout)).toEqual([]);
    expect(result.status).toBe(1);
    // 14 rows (fabrikam 3 definitions + 3 assignments, northwind 2 + 3, Test Corp. 1, the stray 1 + 1),
    // 4 a page: four POSTs, each after the first with the $skipToken of the one before.
    expect(fake.requests.map((request) => request.path)).toEqual(
      Array(4).fill("/providers/Microsoft.ResourceGraph/resources"),
    );
  });

  it("--drift: exit 0 when every stack is in sync and nothing is unclaimed", async () => {
    const fabrikam = deployedFixture("fabrikam");
    const northwind = deployedFixture("northwind");
    fake = await startFakeArm({
      definitions: [...fabrikam.definitions, ...northwind.definitions],
      assignments: [...fabrikam.assignments, ...northwind.assignments],
    });
    const result = await runCommandInProcess(inventoryCommand, ["--all", "--drift", "--endpoint", fake.url], {
      AZURE_ACCESS_TOKEN: "fake-token",
    });
    expect(result).toEqual({
      status: 0,
      stdout:
        "Stack fabrikam: In sync: Azure matches the offers.\nStack northwind: In sync: Azure matches the offers.\n",
      stderr: "",
    });
  });

  it("--drift: exit 1 for one stack's drift, with nothing unclaimed", async () => {
    const fabrikam = deployedFixture("fabrikam");
    const northwind = deployedFixture("northwind");
    // The escalation offer is gone from Fabrikam: its definition and its assignment.
    fabrikam.definitions.splice(1, 1);
    fabrikam.assignments.splice(1, 1);
    fake = await startFakeArm({
      definitions: [...fabrikam.definitions, ...northwind.definitions],
      assignments: [...fabrikam.assignments, ...northwind.assignments],
    });
    const result = await runCommandInProcess(inventoryCommand, ["--all", "--drift", "--endpoint", fake.url], {
      AZURE_ACCESS_TOKEN: "fake-token",
    });
    expect(result.stdout.split("\n")).toEqual([
      "Stack fabrikam: Drift: 1 finding(s)",
      '    missing-delegation            0afefe50-734e-4610-8a82-a144a2f49dea "Contoso Escalation": not delegated: no registration definition 21490c93-e56b-5e37-a1ab-a6af9fa3c920 in the subscription',
      "Stack northwind: In sync: Azure matches the offers.",
      "",
    ]);
    expect(result.status).toBe(1);
  });

  it("lists every delegation found, and exits 3 when Resource Graph cannot be read", async () => {
    fake = await startFakeArm({ ...fleetState(), pageSize: 100 });
    const listed = await runCommandInProcess(
      inventoryCommand,
      ["--all", "--managed-by", "de83f4a9-a76a-4025-a91a-91171923eac7", "--format", "json", "--endpoint", fake.url],
      { AZURE_ACCESS_TOKEN: "fake-token" },
    );
    expect(
      JSON.parse(listed.stdout).delegations.map(
        (delegation: { subscriptionId: string; offer: string }) => `${delegation.subscriptionId} ${delegation.offer}`,
      ),
    ).toEqual(["0afefe50-734e-4610-8a82-a144a2f49dea DefinitionName"]);
    fake.faults.push({ kind: "error", status: 403 });
    expect(
      await runCommandInProcess(inventoryCommand, ["--all", "--endpoint", fake.url], {
        AZURE_ACCESS_TOKEN: "fake-token",
      }),
    ).toMatchObject({
      status: 3,
      stderr:
        "could not read the delegations (nothing below is complete): BadRequest: injected failure (HTTP 403) in POST /providers/Microsoft.ResourceGraph/resources\n",
    });
    expect(await runCommandInProcess(inventoryCommand, ["--all", "--stack", "fabrikam"])).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/^error: give exactly one of --stack, --scope and --all/),
    });
  });
});
