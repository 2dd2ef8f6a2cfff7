import * as pulumi from "@pulumi/pulumi";
import { Provider } from "@pulumi/azure-native/provider";
import { UserAssignedIdentity } from "@pulumi/azure-native/managedidentity";
import { describe, expect, it } from "vitest";
import { runOffline, runSteps } from "../src/offline";

class Outer extends pulumi.ComponentResource {
  constructor(name: string, build: (parent: pulumi.Resource) => void) {
    super("test:nested:Outer", name, {});
    build(this);
    this.registerOutputs({ label: "outer", count: 2 });
  }
}

class Inner extends pulumi.ComponentResource {
  constructor(name: string, options: pulumi.ComponentResourceOptions) {
    super("test:nested:Inner", name, {}, options);
  }
}

// What the offline engine answers the SDK, checked against the engine's documented rules: a URN is
// urn:pulumi:<stack>::<project>::<parent's type chain>$<type>::<name>, the root stack's type left out.
describe("the offline engine", () => {
  it("records every resource the program registers but the root stack (in URN order here), with the engine's URNs, parents, options and registered outputs", async () => {
    const { resources } = await runOffline("proj", "dev", () => {
      const provider = new Provider("azure-sub", { subscriptionId: "sub-1", tenantId: "tenant-1" });
      new Outer("outer", (parent) => {
        const inner = new Inner("inner", { parent });
        const first = new UserAssignedIdentity(
          "first",
          { resourceName: "id-first", resourceGroupName: "rg", location: "westeurope" },
          { parent: inner, provider, deleteBeforeReplace: true, aliases: [{ name: "old-first" }] },
        );
        new UserAssignedIdentity(
          "second",
          { resourceName: "id-second", resourceGroupName: "rg", location: "westeurope" },
          { parent: inner, provider, dependsOn: [first], import: "/existing/id" },
        );
      });
    });
    const root = "urn:pulumi:dev::proj::";
    const nested = `${root}test:nested:Outer$test:nested:Inner`;
    const identity = "azure-native:managedidentity:UserAssignedIdentity";
    const byUrn = [...resources].sort((a, b) => a.urn.localeCompare(b.urn));
    expect(
      byUrn.map(
        ({
          type,
          name,
          urn,
          parentUrn,
          dependencies,
          deleteBeforeReplace,
          aliases,
          importId,
          providerName,
          custom,
        }) => ({
          type,
          name,
          urn,
          parentUrn,
          dependencies,
          deleteBeforeReplace,
          aliases,
          importId,
          providerName,
          custom,
        }),
      ),
    ).toEqual([
      {
        type: "pulumi:providers:azure-native",
        name: "azure-sub",
        urn: `${root}pulumi:providers:azure-native::azure-sub`,
        parentUrn: undefined,
        dependencies: [],
        deleteBeforeReplace: false,
        aliases: [],
        importId: undefined,
        providerName: undefined,
        custom: true,
      },
      {
        type: "test:nested:Outer",
        name: "outer",
        urn: `${root}test:nested:Outer::outer`,
        parentUrn: undefined,
        dependencies: [],
        deleteBeforeReplace: false,
        aliases: [],
        importId: undefined,
        providerName: undefined,
        custom: false,
      },
      {
        type: "test:nested:Inner",
        name: "inner",
        urn: `${nested}::inner`,
        parentUrn: `${root}test:nested:Outer::outer`,
        dependencies: [],
        deleteBeforeReplace: false,
        aliases: [],
        importId: undefined,
        providerName: undefined,
        custom: false,
      },
      {
        type: identity,
        name: "first",
        urn: `${nested}$${identity}::first`,
        parentUrn: `${nested}::inner`,
        dependencies: [],
        deleteBeforeReplace: true,
        aliases: ["old-first"],
        importId: undefined,
        providerName: "azure-sub",
        custom: true,
      },
      {
        type: identity,
        name: "second",
        urn: `${nested}$${identity}::second`,
        parentUrn: `${nested}::inner`,
        dependencies: [`${nested}$${identity}::first`],
        deleteBeforeReplace: false,
        aliases: [],
        importId: "/existing/id",
        providerName: "azure-sub",
        custom: true,
      },
    ]);
    const named = (name: string) => resources.find((resource) => resource.name === name)!;
    expect(named("outer").outputs).toEqual({ label: "outer", count: 2 });
    // The inputs as the SDK serialized them, and the state Azure would return (ids simulated).
    expect(named("first").inputs).toEqual({
      resourceName: "id-first",
      resourceGroupName: "rg",
      location: "westeurope",
    });
    expect(named("first").outputs).toEqual({
      resourceName: "id-first",
      resourceGroupName: "rg",
      location: "westeurope",
      name: "id-first",
      // guid("offline", "principal" | "client", lower-case identity id): Python's uuid5.
      principalId: "c166d33c-7ee2-556d-acf7-a2525dff6167",
      clientId: "9fb461ef-b7e7-5871-a1fd-8e9271e67394",
      tenantId: "tenant-1",
    });
  });

  it("hands the program's outputs to it as the engine would: a resource's id and state", async () => {
    const { result } = await runOffline("proj", "dev", () => {
      const provider = new Provider("azure-sub", { subscriptionId: "sub-1", tenantId: "tenant-1" });
      const created = new UserAssignedIdentity(
        "first",
        { resourceName: "id-first", resourceGroupName: "rg", location: "westeurope" },
        { provider },
      );
      return pulumi.all([created.id, created.name, created.urn]);
    });
    await expect(new Promise((resolve) => result.apply(resolve))).resolves.toEqual([
      "/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-first",
      "id-first",
      "urn:pulumi:dev::proj::azure-native:managedidentity:UserAssignedIdentity::first",
    ]);
  });

  it("fails the run with the program's own error, once", async () => {
    const error = new pulumi.RunError("stack dev is not valid");
    await expect(
      runOffline("proj", "dev", () => {
        new Inner("before", {});
        throw error;
      }),
    ).rejects.toBe(error);
  });

  it("runs a program in steps, the event loop turning between them (I/O goes on while it runs), and its result is the program's", async () => {
    const seen: string[] = [];
    setImmediate(() => seen.push("event loop"));
    function* steps() {
      seen.push("first step");
      yield;
      seen.push("second step");
      return new Inner("stepped", {});
    }
    const { result, resources } = await runOffline("proj", "dev", () => runSteps(steps()));
    expect(seen).toEqual(["first step", "event loop", "second step"]);
    expect(result).toBeInstanceOf(Inner);
    expect(resources.map((resource) => resource.urn)).toEqual(["urn:pulumi:dev::proj::test:nested:Inner::stepped"]);
  });
});
