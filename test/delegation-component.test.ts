import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { LighthouseDelegation, type LighthouseDelegationArgs } from "../components";
import { runOffline } from "../src/offline";
import { parseOfferData, validOfferData } from "./helpers/offers";

const SUBSCRIPTION = "0afefe50-734e-4610-8a82-a144a2f49dea";
const offerFor = (managedByTenantId?: string) => {
  const data = validOfferData();
  if (managedByTenantId) data.managedByTenantId = managedByTenantId;
  return parseOfferData(data).offer!;
};

/** The component on its own, as any Pulumi TypeScript program would use it. */
const deploy = (offer = offerFor(), extra: { resourceGroups?: string[]; customerTenantId?: string } = {}) =>
  runOffline(
    "any-project",
    "dev",
    () => new LighthouseDelegation("contoso", { offer, subscriptionId: SUBSCRIPTION, ...extra }),
  );

describe("LighthouseDelegation on its own", () => {
  it("declares a definition and an assignment, both replaced delete-first", async () => {
    const { resources } = await deploy();
    expect(resources.map((resource) => [resource.type, resource.name, resource.deleteBeforeReplace])).toEqual([
      ["lighthouse:delegation:LighthouseDelegation", "contoso", false],
      ["azure-native:managedservices:RegistrationDefinition", "contoso-definition", true],
      ["azure-native:managedservices:RegistrationAssignment", "contoso-subscription", true],
    ]);
  });

  it("a new managing tenant keeps the logical name but changes the definition GUID: a replacement, never an in-place update", async () => {
    const before = (await deploy(offerFor())).resources.find((resource) => resource.name === "contoso-definition")!;
    const after = (await deploy(offerFor("de83f4a9-a76a-4025-a91a-91171923eac7"))).resources.find(
      (resource) => resource.name === "contoso-definition",
    )!;
    expect(after.urn).toBe(before.urn);
    expect(after.inputs.registrationDefinitionId).not.toBe(before.inputs.registrationDefinitionId);
  });

  it("exposes the definition id, assignment ids and delegated scopes", async () => {
    const { result } = await deploy(offerFor(), { resourceGroups: ["rg-a", "rg-b"] });
    const resolve = <T>(output: { apply(f: (v: T) => void): unknown }) => new Promise<T>((done) => output.apply(done));
    expect(result.delegatedScopes).toEqual([
      `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-a`,
      `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-b`,
    ]);
    expect(await resolve<string>(result.registrationDefinitionId)).toMatch(
      new RegExp(`^/subscriptions/${SUBSCRIPTION}/providers/Microsoft.ManagedServices/registrationDefinitions/`),
    );
    expect(await Promise.all(result.registrationAssignmentIds.map((id) => resolve<string>(id)))).toHaveLength(2);
  });

  it.each([
    ["subscriptionId", () => ({ subscriptionId: pulumi.output(SUBSCRIPTION) }), "the definition's scope and GUIDs"],
    [
      "resourceGroups",
      () => ({ resourceGroups: ["rg-a", `${pulumi.output("rg-b")}`] }),
      "the assignments' names and GUIDs",
    ],
    [
      "offer",
      () => ({ offer: { ...offerFor(), name: pulumi.output("Offer") } }),
      "the definition's GUID and properties",
    ],
  ])("refuses an Output in %s, naming it", async (argument, change, what) => {
    const args = () =>
      ({ offer: offerFor(), subscriptionId: SUBSCRIPTION, ...change() }) as unknown as LighthouseDelegationArgs;
    await expect(runOffline("any-project", "dev", () => new LighthouseDelegation("contoso", args()))).rejects.toThrow(
      `LighthouseDelegation contoso: ${argument} must be a plain value, not an Output (nor a string made from one): it decides ${what}, which Pulumi must know before deploying`,
    );
  });

  it("refuses a customer tenant that is the managing tenant", async () => {
    const offer = offerFor();
    await expect(deploy(offer, { customerTenantId: offer.managedByTenantId.toUpperCase() })).rejects.toThrow(
      /offer\.yaml: managedByTenantId .* is the customer's own tenant/,
    );
  });
});
