import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startFakeArm, type FakeArm } from "../scripts/fake-arm/server";
import { roleDefinitionsOf } from "../scripts/fake-arm/state";
import { runCommandInProcess, tempProject } from "./helpers/project";
import { command as rolesCommand } from "../src/cli/roles";

/**
 * npm run roles -- refresh|check, from a file of real `az role definition list` output and from
 * the fake ARM. Expected verdicts are written out below from the rules (Owner, DataActions,
 * forbidden Microsoft.Authorization actions), not computed by the code under test.
 */
const AZ_LIST = join(__dirname, "fixtures", "az-role-definition-list.json");
const azList = JSON.parse(readFileSync(AZ_LIST, "utf8")) as Array<{
  name: string;
  roleName: string;
  roleType: string;
  permissions: Array<Record<string, string[]>>;
}>;
const idOf = (roleName: string) => azList.find((role) => role.roleName === roleName)!.name;

const VERDICTS: Record<string, "yes" | "no" | "delegation-only"> = {
  Owner: "no",
  Contributor: "yes",
  Reader: "yes",
  "User Access Administrator": "delegation-only",
  "Log Analytics Contributor": "no",
  "Locks Contributor": "no",
  "Access Review Operator Service Role": "no",
  "Virtual Machine Contributor": "yes",
  "Managed Services Registration assignment Delete Role": "yes",
  "Storage Blob Data Reader": "no",
  "Resource Policy Contributor": "yes",
};
/** A catalog file with these verdicts (and a reason where the file format wants one). */
const catalogWith = (verdicts: Record<string, string>, extra: Array<{ id: string; name: string }> = []) =>
  JSON.stringify({
    source: "test catalog",
    roles: [
      ...Object.entries(verdicts).map(([name, usable]) => ({
        id: idOf(name),
        name,
        lighthouse: usable === "yes" ? { usable } : { usable, reason: "test" },
      })),
      ...extra.map((role) => ({ ...role, lighthouse: { usable: "yes" } })),
    ],
  });

const today = new Date().toISOString().slice(0, 10);

let fake: FakeArm | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe("npm run roles -- check|refresh --from <az role definition list output>", () => {
  it("reports a flipped verdict with the offers and stacks using the role, and a removed role; check exits 1", async () => {
    const gone = { id: "0f0f0f0f-0000-4000-8000-000000000001", name: "Gone Role" };
    const root = tempProject({
      "catalog.json": catalogWith({ ...VERDICTS, Reader: "no" }, [gone]),
      "roles.json": readFileSync(AZ_LIST, "utf8"),
    });
    const result = await runCommandInProcess(
      rolesCommand,
      ["check", "--from", "roles.json", "--catalog", "catalog.json"],
      {},
      root,
    );
    expect(result.stdout).toBe(
      [
        `12 roles (test catalog) → 11 roles (az role definition list output (roles.json), read ${today})`,
        `verdict changed  Reader (${idOf("Reader")}): not usable → usable; used by offers/contoso-escalation.yaml, offers/contoso-operations.yaml, stacks/Pulumi.fabrikam.yaml`,
        "removed          Gone Role (0f0f0f0f-0000-4000-8000-000000000001)",
        "",
      ].join("\n"),
    );
    expect(result.status).toBe(1);
    expect(readFileSync(join(root, "catalog.json"), "utf8")).toBe(catalogWith({ ...VERDICTS, Reader: "no" }, [gone]));
  });

  it("refresh writes the catalog, one role a line, with its source and date; a second check finds no change", async () => {
    const root = tempProject({ "catalog.json": catalogWith(VERDICTS), "roles.json": readFileSync(AZ_LIST, "utf8") });
    const refresh = await runCommandInProcess(
      rolesCommand,
      ["refresh", "--from", "roles.json", "--catalog", "catalog.json"],
      {},
      root,
    );
    expect(refresh.status).toBe(0);
    expect(refresh.stdout).toBe(
      `11 roles (test catalog) → 11 roles (az role definition list output (roles.json), read ${today})\nno change\n`,
    );
    const written = readFileSync(join(root, "catalog.json"), "utf8");
    const lines = written.split("\n");
    expect(lines[0]).toBe(`{"source": "az role definition list output (roles.json), read ${today}",`);
    expect(lines).toHaveLength(11 + 4);
    const catalog = JSON.parse(written) as { roles: Array<{ name: string; lighthouse: { usable: string } }> };
    expect(Object.fromEntries(catalog.roles.map((role) => [role.name, role.lighthouse.usable]))).toEqual(VERDICTS);
    const check = await runCommandInProcess(
      rolesCommand,
      ["check", "--from", "roles.json", "--catalog", "catalog.json"],
      {},
      root,
    );
    expect(check.status).toBe(0);
  });

  it.each([
    [
      "a file that is no role list",
      `{"value": 1}`,
      /^could not read the role definitions: roles\.json is not 'az role definition list' output: /,
    ],
    [
      "a file that is not JSON",
      "name: x",
      /^could not read the role definitions: cannot read roles\.json: not JSON\n$/,
    ],
    [
      "a role whose id is no GUID",
      JSON.stringify([{ ...azList[0], name: "owner" }]),
      /^could not read the role definitions: role 'Owner' has the id 'owner', which is not a GUID\n$/,
    ],
    [
      "a role listed twice",
      JSON.stringify([...azList, azList[1]]),
      new RegExp(
        `^could not read the role definitions: role ${azList[1].name} \\('${azList[1].roleName}'\\) is listed twice; refused\n$`,
      ),
    ],
    [
      "a role name with a bidirectional override",
      JSON.stringify([{ ...azList[0], roleName: "Reader\u202e" }, ...azList.slice(1)]),
      new RegExp(
        `^could not read the role definitions: role ${azList[0].name} has a name with control or bidirectional characters \\('Reader\\\\u202e'\\); refused\n$`,
      ),
    ],
  ])("%s: exit 3, nothing written", async (_name, text, message) => {
    const root = tempProject({ "catalog.json": catalogWith(VERDICTS), "roles.json": text });
    const result = await runCommandInProcess(
      rolesCommand,
      ["refresh", "--from", "roles.json", "--catalog", "catalog.json"],
      {},
      root,
    );
    expect(result.stderr).toMatch(message);
    expect(result.status).toBe(3);
    expect(readFileSync(join(root, "catalog.json"), "utf8")).toBe(catalogWith(VERDICTS));
  });

  it("refresh refuses a source that removes more than 10 roles (a partial one) unless --force", async () => {
    const extra = Array.from({ length: 12 }, (_, index) => ({
      id: `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`,
      name: `Retired role ${index}`,
    }));
    const before = catalogWith(VERDICTS, extra);
    const root = tempProject({ "catalog.json": before, "roles.json": JSON.stringify(azList) });
    const args = ["refresh", "--from", "roles.json", "--catalog", "catalog.json"];
    const refused = await runCommandInProcess(rolesCommand, args, {}, root);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe(
      `the source removes 12 of ${Object.keys(VERDICTS).length + 12} roles (more than 10): a partial source? nothing written; --force writes it\n`,
    );
    expect(readFileSync(join(root, "catalog.json"), "utf8")).toBe(before);
    const forced = await runCommandInProcess(rolesCommand, [...args, "--force"], {}, root);
    expect(forced.status).toBe(0);
    expect(readFileSync(join(root, "catalog.json"), "utf8")).not.toBe(before);
  });

  it("usage errors exit 2", async () => {
    expect(await runCommandInProcess(rolesCommand, ["refresh", "--from", "/etc/passwd"])).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/^error: --from: '\/etc\/passwd' leads outside the project/),
    });
    expect(await runCommandInProcess(rolesCommand, ["update"])).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/^error: say refresh or check/),
    });
    const root = tempProject({ "catalog.json": `{"source": "x"}`, "roles.json": readFileSync(AZ_LIST, "utf8") });
    expect(
      await runCommandInProcess(rolesCommand, ["check", "--from", "roles.json", "--catalog", "catalog.json"], {}, root),
    ).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/^error: --catalog: catalog\.json is not a role catalog \(roles: /),
    });
  });
});

describe("npm run roles -- check against ARM (the fake), every page", () => {
  it("finds Log Analytics Contributor usable again once its DataAction is gone", async () => {
    const definitions = roleDefinitionsOf(
      azList.map((role) =>
        role.roleName === "Log Analytics Contributor"
          ? { ...role, permissions: role.permissions.map((block) => ({ ...block, dataActions: [] })) }
          : role,
      ),
    );
    fake = await startFakeArm({ roleDefinitions: definitions, pageSize: 4 });
    const root = tempProject({ "catalog.json": catalogWith(VERDICTS) });
    const result = await runCommandInProcess(
      rolesCommand,
      ["check", "--endpoint", fake.url, "--catalog", "catalog.json"],
      { AZURE_ACCESS_TOKEN: "fake-token" },
      root,
    );
    expect(result.stdout).toBe(
      [
        `11 roles (test catalog) → 11 roles (ARM role definitions (${fake.url}), read ${today})`,
        `verdict changed  Log Analytics Contributor (${idOf("Log Analytics Contributor")}): not usable → usable`,
        "",
      ].join("\n"),
    );
    expect(result.status).toBe(1);
    expect(
      fake.requests.map(
        (request) => `${request.path}?${request.query.get("$filter")}&${request.query.get("api-version")}`,
      ),
    ).toEqual(Array(3).fill("/providers/Microsoft.Authorization/roleDefinitions?type eq 'BuiltInRole'&2022-04-01"));
  });
});
