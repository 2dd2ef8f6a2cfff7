import { afterEach, describe, expect, it } from "vitest";
import { ArmClient } from "../src/arm/client";
import type { ResolvedOffer } from "../src/offer/model";
import { preflight } from "../src/preflight/preflight";
import { YamlSource } from "../src/yaml/source";
import { startFakeArm, type FakeArm } from "../scripts/fake-arm/server";
import { symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCommandInProcess, tempProject } from "./helpers/project";
import { command as preflightCommand } from "../src/cli/preflight";
import { BROKEN_DIRECTORY, DIRECTORY, group } from "./helpers/directory";

let fake: FakeArm | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function run(directory: Array<Record<string, unknown>>, args: string[] = []) {
  fake = await startFakeArm({ directory });
  return runCommandInProcess(preflightCommand, [...args, "--endpoint", fake.url], {
    AZURE_GRAPH_ACCESS_TOKEN: "fake-token",
  });
}

describe("preflight batching", () => {
  it("asks getByIds for at most 1,000 ids a call", async () => {
    const ids = Array.from(
      { length: 1500 },
      (_, index) => `00000000-0000-4000-8000-${index.toString(16).padStart(12, "0")}`,
    );
    fake = await startFakeArm({ directory: ids.map((id) => group(id, `Group ${id}`)) });
    const { source } = YamlSource.parse("offers/many.yaml", "name: x\n");
    const references = ids.map((principalId) => ({
      offer: {} as ResolvedOffer,
      source: source!,
      path: ["name"],
      principalId,
      use: "authorization" as const,
    }));
    const findings = await preflight(
      new ArmClient({ endpoint: fake.url, token: async () => "fake-token" }),
      references,
    );
    expect(findings).toEqual([]);
    expect(fake.requests.map((request) => request.path)).toEqual([
      "/v1.0/directoryObjects/getByIds",
      "/v1.0/directoryObjects/getByIds",
    ]);
  });
});

describe("npm run preflight", () => {
  it("every principal of every offer as the directory has it: exit 0, one getByIds call", async () => {
    const result = await run(DIRECTORY);
    expect(result).toMatchObject({
      status: 0,
      stdout: "",
      stderr: "8 principal reference(s) checked: 0 error(s), 0 warning(s)\n",
    });
    expect(fake!.requests.map((request) => request.path)).toEqual(["/v1.0/directoryObjects/getByIds"]);
  });

  it("not found, an application object, an app id, a non-security group, a service principal approver, a renamed group", async () => {
    const result = await run(BROKEN_DIRECTORY);
    expect(result.stdout.split("\n")).toEqual([
      "offers/contoso-escalation.yaml:7:18: warning: the offer calls 3e0ed8c6-e902-4fc5-863c-e3ddbb2ae2a2 'Escalation engineers'; the directory calls it 'Escalation Engineers (EU)' [display-name-differs]",
      "offers/contoso-escalation.yaml:11:18: error: 7a1c3e5f-9b2d-4f6a-8c0e-2d4f6a8c0e1b is not in the managing tenant's directory [principal-not-found]",
      "offers/contoso-escalation.yaml:16:18: warning: the offer calls 3e0ed8c6-e902-4fc5-863c-e3ddbb2ae2a2 'Escalation engineers'; the directory calls it 'Escalation Engineers (EU)' [display-name-differs]",
      "offers/contoso-escalation.yaml:24:24: error: 'Duty managers' is a service principal; approvers are users and groups only [eligible-service-principal]",
      "offers/contoso-operations.yaml:7:18: error: group 'Tier 1 Support' is not a security group; Azure roles need a security group [group-not-security-enabled]",
      "offers/contoso-operations.yaml:11:18: error: 0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7 is not in the managing tenant's directory [principal-not-found]",
      "offers/contoso-operations.yaml:15:18: error: 2b4d6f80-1a3c-4e5f-8a9b-0c1d2e3f4a5b is the application object 'Identity admins app', which cannot hold roles; use its service principal's object id c3c3c3c3-0000-4000-8000-000000000003 [principal-is-application]",
      "offers/contoso-operations.yaml:20:18: error: 5d7e9f10-2b3c-4d5e-9f60-718293a4b5c6 is an application (client) id; use its service principal's object id e4e4e4e4-0000-4000-8000-000000000004 [principal-is-app-id]",
      "",
    ]);
    expect(result.status).toBe(1);
  });

  it("the default scan of offers/ refuses a link that leads out of the project, like validate (exit 2)", async () => {
    const root = tempProject();
    const outside = join(tmpdir(), `preflight-outside-${process.pid}.yaml`);
    writeFileSync(outside, "name: x\n");
    symlinkSync(outside, join(root, "offers", "out.yaml"));
    fake = await startFakeArm({ directory: DIRECTORY });
    const result = await runCommandInProcess(
      preflightCommand,
      ["--endpoint", fake.url],
      { AZURE_GRAPH_ACCESS_TOKEN: "fake-token" },
      root,
    );
    expect(result.stderr).toBe(
      "offers/out.yaml:1:1: error: symbolic link refused: 'offers/out.yaml' leads outside the project (through '..', an absolute path or a symbolic link); files must be inside it\n",
    );
    expect(result.status).toBe(2);
    expect(fake.requests).toEqual([]);
  });

  it("--stack checks that stack's offers; Graph unreadable is exit 3; usage errors exit 2", async () => {
    const result = await run(DIRECTORY, ["--stack", "northwind"]);
    expect(result).toMatchObject({ status: 0, stderr: "4 principal reference(s) checked: 0 error(s), 0 warning(s)\n" });
    fake!.faults.push({ kind: "error", status: 403 });
    expect(
      await runCommandInProcess(preflightCommand, ["--endpoint", fake!.url], {
        AZURE_GRAPH_ACCESS_TOKEN: "fake-token",
      }),
    ).toMatchObject({
      status: 3,
      stderr:
        "could not read the directory (nothing below is complete): BadRequest: injected failure (HTTP 403) in POST /v1.0/directoryObjects/getByIds\n",
    });
    expect(
      await runCommandInProcess(preflightCommand, ["--stack", "northwind", "offers/contoso-operations.yaml"]),
    ).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/^error: give --stack or offer files, not both/),
    });
  });
});
