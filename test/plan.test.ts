import { describe, expect, it } from "vitest";
import { RegistrationDefinition } from "@pulumi/azure-native/managedservices";
import { Provider } from "@pulumi/azure-native/provider";
import { policyPackServer } from "./helpers/pack";
import { runOffline } from "../src/offline";
import { hasMandatoryViolations, planJson, planProgram, planStack, planText } from "../src/plan/plan";
import { lighthouseProgram } from "../app/program";
import { REPO_ROOT, runCli, tempProject } from "./helpers/project";

const pack = policyPackServer();

describe("npm run plan", () => {
  it.each(["fabrikam", "northwind", "northwind-managed"])("the plan JSON of %s is stable (snapshot)", async (stack) => {
    const plan = await planStack(REPO_ROOT, stack, { pack: pack() });
    expect(plan.violations).toEqual([]);
    await expect(`${JSON.stringify(planJson(plan), null, 2)}\n`).toMatchFileSnapshot(
      `./__snapshots__/plan-${stack}.json`,
    );
  });

  it("shows ids Azure generates at deploy time as unknown, never as the offline run's stand-ins", async () => {
    const plan = planJson(await planStack(REPO_ROOT, "fabrikam", { pack: pack() }));
    const principals = plan.resources
      .filter((resource) => resource.type === "azure-native:authorization:RoleAssignment")
      .map((resource) => resource.inputs.principalId);
    expect(principals).toEqual(["[unknown until deployed]", "[unknown until deployed]"]);
  });

  it("describes who gets what where, in plain words", async () => {
    const text = planText(await planStack(REPO_ROOT, "fabrikam", { pack: pack() }));
    expect(text).toContain("Subscription 0afefe50-734e-4610-8a82-a144a2f49dea");
    expect(text).toContain(
      "eligible   Escalation engineers (3e0ed8c6-e902-4fc5-863c-e3ddbb2ae2a2): Contributor; MFA Azure; up to PT4H; approvers: Duty managers (d9b22cd6-6407-43cc-8c60-07c56df0b51a)",
    );
    expect(text).toContain(
      "Identity admins (2b4d6f80-1a3c-4e5f-8a9b-0c1d2e3f4a5b): User Access Administrator; may assign Contributor, Monitoring Contributor",
    );
    expect(text).toContain(
      "role       Virtual Machine Contributor at /subscriptions/0afefe50-734e-4610-8a82-a144a2f49dea/resourceGroups/rg-app",
    );
    expect(text).toContain("Policy violations: none");
  });

  it("catches a program that bypasses the YAML and grants Owner in code", async () => {
    const plan = await planProgram(
      "rogue",
      () => {
        const provider = new Provider("customer", {
          subscriptionId: "0afefe50-734e-4610-8a82-a144a2f49dea",
          tenantId: "0e06d6a3-55ae-40a3-ac29-350808980808",
        });
        new RegistrationDefinition(
          "rogue",
          {
            scope: "/subscriptions/0afefe50-734e-4610-8a82-a144a2f49dea",
            registrationDefinitionId: "11111111-2222-4333-8444-555555555555",
            properties: {
              managedByTenantId: "83ace5cd-bcc3-441a-bd86-e6a75360cecc",
              authorizations: [
                {
                  principalId: "f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc",
                  roleDefinitionId: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
                },
              ],
            },
          },
          { provider },
        );
      },
      { pack: pack() },
    );
    expect(hasMandatoryViolations(plan)).toBe(true);
    expect(plan.violations).toContainEqual({
      policy: "lighthouse-role-not-supported",
      enforcementLevel: "mandatory",
      resource: {
        type: "azure-native:managedservices:RegistrationDefinition",
        name: "rogue",
        urn: "urn:pulumi:rogue::lighthouse::azure-native:managedservices:RegistrationDefinition::rogue",
      },
      message: expect.stringMatching(
        /^properties\.authorizations\.0\.roleDefinitionId: Owner cannot be used with Azure Lighthouse/,
      ),
    });
  });

  it("never serialises customers: every definition → assignment chain has depth 2", async () => {
    const { resources } = await runOffline("lighthouse", "fabrikam", () =>
      lighthouseProgram({ projectRoot: REPO_ROOT, stackName: "fabrikam" }),
    );
    const byUrn = new Map(resources.map((resource) => [resource.urn, resource]));
    const depth = (urn: string): number =>
      1 +
      Math.max(
        0,
        ...byUrn
          .get(urn)!
          .dependencies.filter((dependency) => byUrn.get(dependency)?.custom)
          .map(depth),
      );
    const delegationResources = resources.filter((resource) =>
      resource.type.startsWith("azure-native:managedservices:"),
    );
    expect(delegationResources.length).toBe(6);
    expect(Math.max(...delegationResources.map((resource) => depth(resource.urn)))).toBe(2);
    for (const assignment of delegationResources.filter((resource) =>
      resource.type.endsWith("RegistrationAssignment"),
    )) {
      expect(assignment.dependencies.map((urn) => byUrn.get(urn)?.type)).toEqual([
        "azure-native:managedservices:RegistrationDefinition",
      ]);
    }
  });

  it("exits 1 with the validator's messages for an invalid stack, 2 without --stack, 0 when clean", () => {
    expect(runCli("plan", ["--stack", "missing"])).toMatchObject({
      status: 1,
      stderr: expect.stringContaining("stacks/Pulumi.missing.yaml:1:1: error: cannot read file: no such file"),
    });
    expect(runCli("plan", [])).toMatchObject({ status: 2, stderr: expect.stringContaining("--stack is required") });
    const json = runCli("plan", ["--stack", "northwind", "--format", "json"]);
    expect(json.status).toBe(0);
    expect(Object.keys(JSON.parse(json.stdout))).toEqual(["stack", "resources", "violations"]);
  });

  it("plans several stacks in one run: each stack's own plan in the order given, an invalid one as its error, exit 1", async () => {
    const notValid =
      "stack missing is not valid:\nstacks/Pulumi.missing.yaml:1:1: error: cannot read file: no such file";
    const json = runCli("plan", [
      "--stack",
      "northwind",
      "--stack",
      "missing",
      "--stack",
      "fabrikam",
      "--format",
      "json",
    ]);
    expect(json).toMatchObject({ status: 1, stderr: `${notValid}\n` });
    // One after another: the SDK's runtime state is per thread.
    const plans = [await planStack(REPO_ROOT, "northwind", { pack: pack() })];
    plans.push(await planStack(REPO_ROOT, "fabrikam", { pack: pack() }));
    expect(JSON.parse(json.stdout)).toEqual([
      JSON.parse(JSON.stringify(planJson(plans[0]))),
      { stack: "missing", error: notValid },
      JSON.parse(JSON.stringify(planJson(plans[1]))),
    ]);
    expect(runCli("plan", ["--stack", "northwind", "--stack", "fabrikam"])).toEqual({
      status: 0,
      stdout: `${planText(plans[0])}\n\n${planText(plans[1])}\n`,
      stderr: "",
    });
  });

  it("--stack all plans every stack file, --stacks-from the stacks of a saved list; both print a list", async () => {
    const root = tempProject({
      "affected.json": '[{"stack":"northwind","mode":"onboarding"},{"stack":"fabrikam","mode":"onboarding"}]',
      "one.json": '[{"stack":"northwind","mode":"onboarding"}]',
    });
    const names = (args: string[]) =>
      (JSON.parse(runCli("plan", [...args, "--format", "json"], root).stdout) as Array<{ stack: string }>).map(
        (entry) => entry.stack,
      );
    expect(names(["--stack", "all"])).toEqual(["contoso-pipelines", "fabrikam", "northwind", "northwind-managed"]);
    expect(names(["--stacks-from", "affected.json"])).toEqual(["northwind", "fabrikam"]);
    // A list even of one stack: a pipeline reads one shape whatever the count.
    expect(names(["--stacks-from", "one.json"])).toEqual(["northwind"]);
    const refused = (args: string[]) => runCli("plan", args, root).stderr.split("\n")[0];
    expect(refused(["--stack", "all", "--stack", "fabrikam"])).toBe(
      "error: --stack all names every stack: give it alone",
    );
    expect(refused(["--stack", "fabrikam", "--stacks-from", "affected.json"])).toBe(
      "error: give --stack or --stacks-from, not both",
    );
    expect(refused(["--stacks-from", "Pulumi.yaml"])).toBe("error: 'Pulumi.yaml' is not JSON");
  });

  it("exits 1 on a mandatory violation from the MSP's own policy config", () => {
    const root = tempProject({
      "config.json": JSON.stringify({ "lighthouse-allowed-roles": { allowedRoles: ["Reader"] } }),
    });
    expect(runCli("plan", ["--stack", "northwind", "--policy-config", "policies/policy-config.json"]).status).toBe(0);
    const result = runCli("plan", ["--stack", "northwind", "--policy-config", "config.json"], root);
    expect(result.stdout).toContain(
      "mandatory lighthouse-allowed-roles on contoso-operations-9b1c3d5e-7f80-4a2b-9c3d-4e5f6a7b8c9d-definition",
    );
    expect(result.status).toBe(1);
  });
});
