import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LighthouseDelegation } from "../components";
import {
  delegationPolicyDefinition,
  escapeExpressions,
  managementGroupTemplate,
  policyDelegation,
  unescapeExpressions,
} from "../src/export/policy";
import { armParameters, armTemplate } from "../src/export/arm";
import { loadOffer } from "../src/offer/load";
import { runOffline } from "../src/offline";
import { command as exportCommand } from "../src/cli/export";
import { deploy, deployAtManagementGroup, evaluate } from "./helpers/arm-evaluator";
import { REPO_ROOT, runCommandInProcess } from "./helpers/project";
import {
  DEFINITION,
  MG,
  MG_SCOPE,
  OWNER,
  POLICY_ASSIGNMENT,
  ROLE_ASSIGNMENT,
  SUB,
  operationsOffer as offer,
} from "./helpers/management-group";

// The management-group onboarding policy (src/export/policy.ts), without running a stack program.

describe("the management-group policy deploys what the toolkit deploys per subscription", () => {
  const target = { managementGroupId: MG, location: "westeurope", remediate: true };

  it("the export deploys at the management group: policy, assignment, Owner role for its identity, remediation", () => {
    const deployed = deployAtManagementGroup(JSON.parse(JSON.stringify(managementGroupTemplate(offer, target))), MG);
    expect(deployed.map(({ type, name }) => [type, name])).toEqual([
      ["Microsoft.Authorization/policyDefinitions", `lighthouse-${DEFINITION}`],
      ["Microsoft.Authorization/policyAssignments", POLICY_ASSIGNMENT],
      ["Microsoft.Authorization/roleAssignments", ROLE_ASSIGNMENT],
      ["Microsoft.PolicyInsights/remediations", `lighthouse-${DEFINITION}`],
    ]);
    // ARM unescapes the policy's expressions: the definition it stores is the one Pulumi sends.
    expect(deployed[0].body.properties).toEqual(
      JSON.parse(JSON.stringify(delegationPolicyDefinition(offer, "westeurope"))),
    );
    expect(deployed[2].body.properties).toEqual({
      roleDefinitionId: OWNER,
      principalId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      principalType: "ServicePrincipal",
    });
    expect(managementGroupTemplate(offer, { ...target, remediate: false }).resources).toHaveLength(3);
  });

  it("each subscription gets the definition and assignment LighthouseDelegation creates there, at the same GUIDs", async () => {
    const rule = JSON.parse(JSON.stringify(delegationPolicyDefinition(offer, "westeurope"))).policyRule;
    const { template, parameters } = rule.then.details.deployment.properties;
    // The policy engine evaluates the parameter values (no expressions here), ARM the template.
    const values = Object.fromEntries(
      Object.entries(
        evaluate(parameters, { parameters: {}, variables: {}, subscriptionId: SUB }) as Record<
          string,
          { value: unknown }
        >,
      ).map(([name, parameter]) => [name, parameter.value]),
    );
    const [definition, assignment] = deploy(template, values, SUB);
    const { resources } = await runOffline(
      "lighthouse",
      "policy",
      () => new LighthouseDelegation("d", { offer, subscriptionId: SUB }),
    );
    const direct = resources.filter((resource) => resource.custom);
    expect(definition.name).toBe(DEFINITION);
    expect(definition.body.properties).toEqual(direct[0].inputs.properties);
    // guid(DEFINITION, "/subscriptions/0afefe50-…"), Python uuid5.
    expect(assignment.name).toBe(direct[1].inputs.registrationAssignmentId);
    expect(rule.then.details.name).toBe(DEFINITION);
  });

  it("has the structure of Microsoft's sample policy, and a literal beginning with '[' stays a literal", () => {
    const sample = JSON.parse(
      readFileSync(
        join(REPO_ROOT, "test/fixtures/microsoft-samples/deployLighthouseIfNotExistManagementGroup.json"),
        "utf8",
      ),
    );
    const paths = (value: unknown, prefix = ""): string[] =>
      value && typeof value === "object" && !Array.isArray(value)
        ? Object.entries(value).flatMap(([key, item]) =>
            key === "template" || key === "parameters"
              ? [`${prefix}${key}`]
              : [`${prefix}${key}`, ...paths(item, `${prefix}${key}.`)],
          )
        : [];
    const ours = paths(delegationPolicyDefinition(offer, "westeurope").policyRule);
    const theirs = paths(sample.resources[0].properties.policyRule).filter(
      (path) => !path.startsWith("then.details.existenceCondition"),
    );
    expect(theirs.filter((path) => !ours.includes(path))).toEqual([]);
    expect(sample.resources[0].properties.mode).toBe(delegationPolicyDefinition(offer, "westeurope").mode);

    const bracketed = { ...offer, description: "[beta] operations" };
    const policy = delegationPolicyDefinition(bracketed, "westeurope");
    const { parameters } = policy.policyRule.then.details.deployment.properties as {
      parameters: Record<string, { value: unknown }>;
    };
    expect(parameters.mspOfferDescription).toEqual({ value: "[[beta] operations" });
    const exported = deployAtManagementGroup(
      JSON.parse(JSON.stringify(managementGroupTemplate(bracketed, target))),
      MG,
    );
    const stored = (exported[0].body.properties as typeof policy).policyRule.then.details.deployment.properties as {
      parameters: Record<string, { value: unknown }>;
    };
    expect(stored.parameters.mspOfferDescription).toEqual({ value: "[[beta] operations" });
  });
});

describe("npm run export -- arm --management-group", () => {
  const run = (args: string[]) =>
    runCommandInProcess(exportCommand, ["arm", "--offer", "offers/contoso-operations.yaml", ...args]);

  it("writes the management group's template; the usage errors say what goes with what", async () => {
    const out = mkdtempSync(join(tmpdir(), "export-mg-"));
    const file = join(out, `contoso-operations.mg-${MG}.json`);
    expect(await run(["--management-group", MG, "--location", "westeurope", "--out", out])).toEqual({
      status: 0,
      stdout: `${file}\n`,
      stderr: "",
    });
    const written = JSON.parse(readFileSync(file, "utf8"));
    expect(written.metadata.description).toBe(
      `Azure Lighthouse onboarding of every subscription of management group '${MG}' for the offer 'Contoso Managed Operations', generated from offers/contoso-operations.yaml (the toolkit's names)`,
    );
    expect(deployAtManagementGroup(written, MG).map(({ name }) => name)).toEqual([
      `lighthouse-${DEFINITION}`,
      POLICY_ASSIGNMENT,
      ROLE_ASSIGNMENT,
      `lighthouse-${DEFINITION}`,
    ]);
    await run(["--management-group", MG, "--location", "westeurope", "--no-remediation", "--out", out]);
    expect(JSON.parse(readFileSync(file, "utf8")).resources).toHaveLength(3);

    const firstLine = async (args: string[]) => {
      const result = await run(args);
      return [result.status, result.stderr.split("\n")[0]];
    };
    expect(await firstLine(["--management-group", MG])).toEqual([
      2,
      "error: --management-group needs --location <region>",
    ]);
    expect(await firstLine(["--management-group", MG, "--location", "West Europe"])).toEqual([
      2,
      "error: --location: an Azure region name in lower case without spaces, e.g. westeurope",
    ]);
    expect(await firstLine(["--management-group", "mg.", "--location", "westeurope"])).toEqual([
      2,
      "error: --management-group: a management group id is 1 to 90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.'",
    ]);
    expect(
      await firstLine(["--management-group", MG, "--location", "westeurope", "--resource-groups", "rg-a"]),
    ).toEqual([
      2,
      "error: --management-group onboards whole subscriptions with the toolkit's names: leave out --resource-groups and --names samples",
    ]);
    expect(await firstLine(["--location", "westeurope"])).toEqual([
      2,
      "error: --location and --no-remediation go with --management-group",
    ]);
  });
});

describe("the policy's bodies, literally", () => {
  const TENANT = "83ace5cd-bcc3-441a-bd86-e6a75360cecc";
  const definition = delegationPolicyDefinition(offer, "westeurope");

  it("the definition: names, the rule around the toolkit's subscription template and the offer's values", () => {
    const { template, parameters, ...deployment } = definition.policyRule.then.details.deployment.properties;
    expect({
      ...definition,
      policyRule: {
        ...definition.policyRule,
        then: {
          ...definition.policyRule.then,
          details: {
            ...definition.policyRule.then.details,
            deployment: { ...definition.policyRule.then.details.deployment, properties: deployment },
          },
        },
      },
    }).toEqual({
      displayName: "Azure Lighthouse: delegate 'Contoso Managed Operations'",
      description: `Deploys the Azure Lighthouse delegation of the offer 'Contoso Managed Operations' (managing tenant ${TENANT}) to every subscription that does not have it. Generated from contoso-operations.yaml by the toolkit.`,
      mode: "All",
      policyType: "Custom",
      policyRule: {
        if: { allOf: [{ field: "type", equals: "Microsoft.Resources/subscriptions" }] },
        then: {
          effect: "deployIfNotExists",
          details: {
            type: "Microsoft.ManagedServices/registrationDefinitions",
            name: DEFINITION,
            deploymentScope: "Subscription",
            existenceScope: "Subscription",
            roleDefinitionIds: [OWNER],
            existenceCondition: {
              field: "Microsoft.ManagedServices/registrationDefinitions/managedByTenantId",
              equals: TENANT,
            },
            deployment: { location: "westeurope", properties: { mode: "incremental" } },
          },
        },
      },
    });
    // The deployment is npm run export's template and parameters for the offer (tested in export-arm.test.ts).
    expect(template).toEqual(armTemplate(offer, { source: "contoso-operations.yaml" }));
    expect(parameters).toEqual(armParameters(offer).parameters);
  });

  it("reads back what the policy deploys; any other rule deploys nothing this toolkit knows", () => {
    const escaped = { ...offer, description: "[beta] operations" };
    const read = policyDelegation(delegationPolicyDefinition(escaped, "westeurope").policyRule);
    expect(read).toEqual({
      definitionGuid: DEFINITION,
      properties: {
        registrationDefinitionName: "Contoso Managed Operations",
        managedByTenantId: TENANT,
        authorizations: armParameters(offer).parameters.authorizations.value,
      },
    });
    const escalation = loadOffer(join(REPO_ROOT, "offers", "contoso-escalation.yaml")).offer!;
    expect(
      Object.keys(policyDelegation(delegationPolicyDefinition(escalation, "westeurope").policyRule)!.properties),
    ).toEqual(["registrationDefinitionName", "managedByTenantId", "authorizations", "eligibleAuthorizations"]);
    const rule = definition.policyRule;
    for (const other of [
      undefined,
      {},
      { then: { details: { ...rule.then.details, type: "Microsoft.Storage/storageAccounts" } } },
      { then: { details: { ...rule.then.details, name: undefined } } },
      { then: { details: { ...rule.then.details, deployment: { properties: {} } } } },
    ])
      expect(policyDelegation(other)).toBeUndefined();
    expect(escapeExpressions({ a: ["[x]", "x[", "[[y"], b: 1, c: null })).toEqual({
      a: ["[[x]", "x[", "[[[y"],
      b: 1,
      c: null,
    });
    expect(unescapeExpressions({ a: ["[[x]", "x[", "[y"], b: 1, c: null })).toEqual({
      a: ["[x]", "x[", "[y"],
      b: 1,
      c: null,
    });
  });

  it("the management group's template: each resource as ARM receives it", () => {
    const template = managementGroupTemplate(
      offer,
      { managementGroupId: MG, location: "westeurope", remediate: true },
      "offers/contoso-operations.yaml",
    );
    const [policy, ...rest] = template.resources;
    expect({ ...template, resources: [{ ...policy, properties: "(the definition)" }, ...rest] }).toEqual({
      $schema: "https://schema.management.azure.com/schemas/2019-08-01/managementGroupDeploymentTemplate.json#",
      contentVersion: "1.0.0.0",
      metadata: {
        description: `Azure Lighthouse onboarding of every subscription of management group '${MG}' for the offer 'Contoso Managed Operations', generated from offers/contoso-operations.yaml (the toolkit's names)`,
      },
      resources: [
        {
          type: "Microsoft.Authorization/policyDefinitions",
          apiVersion: "2021-06-01",
          name: `lighthouse-${DEFINITION}`,
          properties: "(the definition)",
        },
        {
          type: "Microsoft.Authorization/policyAssignments",
          apiVersion: "2021-06-01",
          name: POLICY_ASSIGNMENT,
          location: "westeurope",
          identity: { type: "SystemAssigned" },
          dependsOn: [`${MG_SCOPE}/providers/Microsoft.Authorization/policyDefinitions/lighthouse-${DEFINITION}`],
          properties: {
            displayName: "Azure Lighthouse: delegate 'Contoso Managed Operations'",
            policyDefinitionId: `${MG_SCOPE}/providers/Microsoft.Authorization/policyDefinitions/lighthouse-${DEFINITION}`,
          },
        },
        {
          type: "Microsoft.Authorization/roleAssignments",
          apiVersion: "2022-04-01",
          name: ROLE_ASSIGNMENT,
          dependsOn: [`${MG_SCOPE}/providers/Microsoft.Authorization/policyAssignments/${POLICY_ASSIGNMENT}`],
          properties: {
            roleDefinitionId: OWNER,
            principalId: `[reference('${MG_SCOPE}/providers/Microsoft.Authorization/policyAssignments/${POLICY_ASSIGNMENT}', '2021-06-01', 'full').identity.principalId]`,
            principalType: "ServicePrincipal",
          },
        },
        {
          type: "Microsoft.PolicyInsights/remediations",
          apiVersion: "2021-10-01",
          name: `lighthouse-${DEFINITION}`,
          dependsOn: [`${MG_SCOPE}/providers/Microsoft.Authorization/roleAssignments/${ROLE_ASSIGNMENT}`],
          properties: {
            policyAssignmentId: `${MG_SCOPE}/providers/Microsoft.Authorization/policyAssignments/${POLICY_ASSIGNMENT}`,
            resourceDiscoveryMode: "ExistingNonCompliant",
          },
        },
      ],
    });
    expect(policy.properties).toEqual(escapeExpressions(definition));
    expect(
      managementGroupTemplate(offer, { managementGroupId: MG, location: "westeurope", remediate: true }).metadata
        .description,
    ).toMatch(/generated from .*\/offers\/contoso-operations\.yaml \(the toolkit's names\)$/);
  });
});
