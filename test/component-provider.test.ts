import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { credentials } from "@grpc/grpc-js";
import { Struct, type JavaScriptValue } from "google-protobuf/google/protobuf/struct_pb";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import { ConstructRequest, GetSchemaRequest, type ConstructResponse } from "@pulumi/pulumi/proto/provider_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LighthouseDelegation, ManagedIdentity, ManagementGroupDelegation, loadOffer } from "../components";
import { runOffline, type RegisteredResource } from "../src/offline";
import { serveOfflineEngine, type OfflineEngineServer } from "../src/offlineEngineServer";
import { REPO_ROOT } from "./helpers/project";

/**
 * The components for every Pulumi language (provider/): the SDK's component provider host, started
 * as the engine starts a plugin (its address as the argument, the port on the first line of
 * stdout), asked over Pulumi's provider protocol for its schema and to construct each component
 * against the offline engine served over gRPC (src/offlineEngineServer.ts). What `pulumi package
 * add` would generate SDKs from, and what a Python or Go program's `LighthouseDelegation(...)`
 * would deploy, without the CLI.
 */
const FABRIKAM_SUB = "0afefe50-734e-4610-8a82-a144a2f49dea";
const OFFER_FILE = "offers/contoso-operations.yaml";
const offerYaml = readFileSync(join(REPO_ROOT, OFFER_FILE), "utf8");

let engine: OfflineEngineServer;
let host: ChildProcess;
let client: ResourceProviderClient;

beforeAll(async () => {
  engine = await serveOfflineEngine("consumer", "dev");
  host = spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "provider", "index.ts"), engine.address], {
    cwd: join(REPO_ROOT, "provider"),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const port = await new Promise<string>((resolve, reject) => {
    createInterface({ input: host.stdout! }).once("line", (line) => resolve(line.trim()));
    host.once("exit", (code) => reject(new Error(`the provider stopped (exit ${code})`)));
  });
  client = new ResourceProviderClient(`127.0.0.1:${port}`, credentials.createInsecure());
}, 60_000);

afterAll(async () => {
  client?.close();
  host?.kill();
  await engine?.close();
});

const schema = () =>
  new Promise<{ resources: Record<string, Record<string, unknown>>; types: Record<string, Record<string, unknown>> }>(
    (resolve, reject) =>
      client.getSchema(new GetSchemaRequest(), (error, response) =>
        error ? reject(error) : resolve(JSON.parse(response.getSchema())),
      ),
  );

function construct(type: string, name: string, inputs: Record<string, unknown>): Promise<ConstructResponse> {
  const request = new ConstructRequest()
    .setProject("consumer")
    .setStack("dev")
    .setMonitorendpoint(engine.address)
    .setType(type)
    .setName(name)
    .setInputs(Struct.fromJavaScript(inputs as Record<string, JavaScriptValue>));
  return new Promise((resolve, reject) =>
    client.construct(request, (error, response) => (error ? reject(error) : resolve(response))),
  );
}

/** What a registration says, without where it sits: the same children, whoever their parent is. */
const registration = (resource: RegisteredResource) => ({
  type: resource.type,
  name: resource.name,
  inputs: resource.inputs,
  deleteBeforeReplace: resource.deleteBeforeReplace,
  // Aliases name the parent they had: here each side's own.
  aliases: resource.aliasSpecs.map((spec) => {
    if ("urn" in spec) return spec;
    const { parentUrn: _parent, ...rest } = spec;
    return rest;
  }),
});
const registeredSince = (count: number) => engine.resources.slice(count);

describe("the component provider", () => {
  it("describes the components, name-deciding arguments plain, pass-through ones Inputs", async () => {
    const { resources, types } = await schema();
    expect(Object.keys(resources)).toEqual([
      "lighthouse:index:LighthouseDelegation",
      "lighthouse:index:ManagedIdentity",
      "lighthouse:index:ManagementGroupDelegation",
    ]);
    const inputs = (token: string) =>
      Object.fromEntries(
        Object.entries(resources[token].inputProperties as Record<string, Record<string, unknown>>).map(
          ([key, property]) => [key, `${property.type ?? property.$ref}${property.plain ? " plain" : ""}`],
        ),
      );
    expect(inputs("lighthouse:index:LighthouseDelegation")).toEqual({
      offerYaml: "string plain",
      offerFile: "string plain",
      subscriptionId: "string plain",
      resourceGroups: "array plain",
      customerTenantId: "string plain",
      naming: "string plain",
    });
    expect(resources["lighthouse:index:LighthouseDelegation"].requiredInputs).toEqual(["offerYaml", "subscriptionId"]);
    expect(inputs("lighthouse:index:ManagedIdentity")).toEqual({
      identityName: "string plain",
      subscriptionId: "string plain",
      resourceGroupName: "string plain",
      location: "string",
      tags: "object",
      isolationScope: "string plain",
      federatedCredentials: "array plain",
      roleAssignments: "array plain",
      delegatedThroughLighthouse: "boolean plain",
    });
    expect(Object.keys(resources["lighthouse:index:ManagedIdentity"].properties as object).sort()).toEqual([
      "clientId",
      "principalId",
      "resourceId",
      "tenantId",
    ]);
    expect(inputs("lighthouse:index:ManagementGroupDelegation")).toEqual({
      offerYaml: "string plain",
      offerFile: "string plain",
      managementGroupId: "string plain",
      location: "string",
      remediate: "boolean plain",
      customerTenantId: "string plain",
    });
    expect(resources["lighthouse:index:ManagementGroupDelegation"].requiredInputs).toEqual([
      "location",
      "managementGroupId",
      "offerYaml",
    ]);
    expect(Object.keys(types).sort()).toEqual([
      "lighthouse:index:FederatedCredentialArgs",
      "lighthouse:index:RoleAssignmentArgs",
    ]);
  });

  it("constructs LighthouseDelegation: the TypeScript component's very children, under the toolkit's GUIDs", async () => {
    const before = engine.resources.length;
    const response = await construct("lighthouse:index:LighthouseDelegation", "operations", {
      offerYaml,
      offerFile: OFFER_FILE,
      subscriptionId: FABRIKAM_SUB,
    });
    const [wrapper, ...children] = registeredSince(before);
    expect([wrapper.type, wrapper.name, response.getUrn()]).toEqual([
      "lighthouse:index:LighthouseDelegation",
      "operations",
      "urn:pulumi:dev::consumer::lighthouse:index:LighthouseDelegation::operations",
    ]);
    const offer = loadOffer(join(REPO_ROOT, OFFER_FILE)).offer!;
    const { resources } = await runOffline(
      "consumer",
      "dev",
      () => new LighthouseDelegation("operations", { offer, subscriptionId: FABRIKAM_SUB }),
    );
    expect(children.map(registration)).toEqual(resources.map(registration));
    expect(
      children.map((child) => child.inputs.registrationDefinitionId ?? child.inputs.registrationAssignmentId),
    ).toEqual([undefined, "2370eb03-671f-565d-8fcd-c1bc9e0fe4b8", "90d73afe-e48b-550b-93fa-a0677ff1cf9d"]);
    expect(response.getState()?.toJavaScript()).toEqual({
      registrationDefinitionId: `/subscriptions/${FABRIKAM_SUB}/providers/Microsoft.ManagedServices/registrationDefinitions/2370eb03-671f-565d-8fcd-c1bc9e0fe4b8`,
      registrationAssignmentIds: [
        `/subscriptions/${FABRIKAM_SUB}/providers/Microsoft.ManagedServices/registrationAssignments/90d73afe-e48b-550b-93fa-a0677ff1cf9d`,
      ],
    });
  });

  it("constructs ManagedIdentity with a role by name: the TypeScript component's children", async () => {
    // The same identity both ways; only how its role is named differs.
    const identity = {
      identityName: "id-contoso-automation",
      subscriptionId: FABRIKAM_SUB,
      resourceGroupName: "rg-automation",
      location: "westeurope",
      tags: { owner: "platform" },
      federatedCredentials: [
        {
          name: "github-production",
          issuer: "https://token.actions.githubusercontent.com",
          subject: "repo:contoso/ops:environment:production",
        },
      ],
    };
    const before = engine.resources.length;
    await construct("lighthouse:index:ManagedIdentity", "automation", {
      ...identity,
      roleAssignments: [{ role: "Reader", scope: `/subscriptions/${FABRIKAM_SUB}` }],
    });
    const [wrapper, ...children] = registeredSince(before);
    expect([wrapper.type, wrapper.name]).toEqual(["lighthouse:index:ManagedIdentity", "automation"]);
    const { resources } = await runOffline(
      "consumer",
      "dev",
      () =>
        new ManagedIdentity("automation", {
          ...identity,
          roleAssignments: [
            { roleDefinitionId: "acdd72a7-3385-48ef-bd42-f606fba81ae7", scope: `/subscriptions/${FABRIKAM_SUB}` },
          ],
        }),
    );
    // The principal id is Azure's answer (simulated per run): compared apart from it.
    const withoutPrincipal = (resource: RegisteredResource) => {
      const { principalId: _principal, ...inputs } = resource.inputs;
      return { ...registration(resource), inputs };
    };
    expect(children.map(withoutPrincipal)).toEqual(resources.map(withoutPrincipal));
    // The same identity, role and scope as test/identity-program.test.ts: Python's uuid5.
    expect(
      children.find((child) => child.type === "azure-native:authorization:RoleAssignment")?.inputs.roleAssignmentName,
    ).toBe("73e417ed-3088-50d8-b914-a595d848909a");
  });

  it("constructs ManagementGroupDelegation: the TypeScript component's children", async () => {
    const before = engine.resources.length;
    await construct("lighthouse:index:ManagementGroupDelegation", "woodgrove", {
      offerYaml,
      offerFile: OFFER_FILE,
      managementGroupId: "mg-woodgrove-prod",
      location: "westeurope",
    });
    const [wrapper, ...children] = registeredSince(before);
    expect([wrapper.type, wrapper.name]).toEqual(["lighthouse:index:ManagementGroupDelegation", "woodgrove"]);
    const offer = loadOffer(join(REPO_ROOT, OFFER_FILE)).offer!;
    const { resources } = await runOffline(
      "consumer",
      "dev",
      () =>
        new ManagementGroupDelegation("woodgrove", {
          offer,
          managementGroupId: "mg-woodgrove-prod",
          location: "westeurope",
        }),
    );
    // The identity's principal is Azure's answer (simulated per run): compared apart from it.
    const withoutPrincipal = (resource: RegisteredResource) => {
      const { principalId: _principal, ...inputs } = resource.inputs;
      return { ...registration(resource), inputs };
    };
    expect(children.map(withoutPrincipal)).toEqual(resources.map(withoutPrincipal));
    expect(children.map((child) => child.type)).toEqual([
      "lighthouse:delegation:ManagementGroupDelegation",
      "azure-native:authorization:PolicyDefinitionAtManagementGroup",
      "azure-native:authorization:PolicyAssignment",
      "azure-native:authorization:RoleAssignment",
      "azure-native:policyinsights:RemediationAtManagementGroup",
    ]);
  });

  it("refuses an offer with errors, each at its line and column, and registers nothing below the component", async () => {
    const before = engine.resources.length;
    const refused = construct("lighthouse:index:LighthouseDelegation", "broken", {
      offerYaml: offerYaml.replace("role: Reader", "role: Reeder"),
      offerFile: OFFER_FILE,
      subscriptionId: FABRIKAM_SUB,
    });
    await expect(refused).rejects.toThrow(
      "LighthouseDelegation broken: the offer has errors:\noffers/contoso-operations.yaml:10:11: error: unknown role 'Reeder': not an Azure built-in role name; did you mean 'Reader'?",
    );
    expect(registeredSince(before).map((resource) => resource.type)).toEqual(["lighthouse:index:LighthouseDelegation"]);
  });
});
