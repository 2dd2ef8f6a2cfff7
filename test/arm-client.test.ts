import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ArmClient, ArmError, ArmInputError, checkedEndpoint, managedByFilter } from "../src/arm/client";
import { listModel, registrationDefinitionModel } from "../src/arm/models";
import { startFakeArm, type FakeArm, type FakeArmOptions } from "../scripts/fake-arm/server";

const seed = (name: string) =>
  JSON.parse(readFileSync(join(__dirname, "fixtures", "seed", `registration-definitions-${name}.json`), "utf8"));
/** The seed's subscription id has an 'h' in it: its items are served under a valid one. */
const SUB = "0afefe50-734e-4610-8a82-a144a2f49dea";
const relocate = (item: Record<string, unknown>): Record<string, unknown> & { properties: Record<string, unknown> } =>
  ({ ...item, id: String(item.id).replace("a144ahf49dea", "a144a2f49dea") }) as never;
const CONTOSO = "83ace5cd-bcc3-441a-hd86-e6a75360cecc"; // as the seed spells it: not a GUID, yet data
const TEST_CORP = "de83f4a9-a76a-4025-a91a-91171923eac7";

let fake: FakeArm | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup(
  options: FakeArmOptions = {},
  clientOptions: Partial<ConstructorParameters<typeof ArmClient>[0]> = {},
) {
  fake = await startFakeArm({ definitions: seed("list-filter-in").value.map(relocate), ...options });
  const client = new ArmClient({
    endpoint: fake.url,
    token: async () => "fake-token",
    retryDelayMs: 10,
    ...clientOptions,
  });
  return { client, fake };
}

describe("seed samples", () => {
  it.each(["list", "list-filter-eq", "list-filter-in"])("%s parses exactly, ids that are no GUIDs included", (name) => {
    const body = seed(name);
    expect(listModel(registrationDefinitionModel).parse(body)).toEqual(body);
  });
});

describe("ARM client against the local fake", () => {
  it("lists with the bearer token and the API version, and parses the result", async () => {
    const { client, fake } = await setup();
    const definitions = await client.listRegistrationDefinitions(`/subscriptions/${SUB}`);
    expect(definitions.map((definition) => definition.properties.managedByTenantName)).toEqual([
      "Contoso Corp.",
      "Test Corp.",
    ]);
    expect(fake.requests[0]).toMatchObject({
      path: `/subscriptions/${SUB}/providers/Microsoft.ManagedServices/registrationDefinitions`,
      authorization: "Bearer fake-token",
    });
    expect(fake.requests[0].query.get("api-version")).toBe("2022-10-01");
  });

  it("builds the eq filter for one managing tenant and the in filter for several", async () => {
    const { client, fake } = await setup({
      definitions: seed("list-filter-in")
        .value.map(relocate)
        .map((item: { properties: Record<string, unknown> }) => ({
          ...item,
          properties: {
            ...item.properties,
            managedByTenantId: String(item.properties.managedByTenantId).replace("-hd86-", "-bd86-"),
          },
        })),
    });
    const contoso = CONTOSO.replace("-hd86-", "-bd86-");
    expect(
      (await client.listRegistrationDefinitions(`/subscriptions/${SUB}`, [contoso])).map(
        (d) => d.properties.managedByTenantName,
      ),
    ).toEqual(["Contoso Corp."]);
    expect(fake.requests[0].query.get("$filter")).toBe(`managedByTenantId eq '${contoso}'`);
    expect((await client.listRegistrationDefinitions(`/subscriptions/${SUB}`, [contoso, TEST_CORP])).length).toBe(2);
    expect(fake.requests[1].query.get("$filter")).toBe(`managedByTenantId in ('${contoso}', '${TEST_CORP}')`);
  });

  it("refuses what a user types wrong before sending anything", async () => {
    const { client, fake } = await setup();
    await expect(client.listRegistrationDefinitions(`/subscriptions/${SUB}`, [CONTOSO])).rejects.toThrow(ArmInputError);
    await expect(client.listRegistrationDefinitions(`/subscriptions/${SUB}`, ["x' or 1 eq 1 or 'x"])).rejects.toThrow(
      /is not a GUID/,
    );
    await expect(
      client.listRegistrationDefinitions("/subscriptions/0afefe50-734e-4610-8a82-a144ahf49dea"),
    ).rejects.toThrow(/is not a subscription or resource group scope/);
    expect(fake.requests).toEqual([]);
    expect(managedByFilter([])).toBeUndefined();
  });

  it("follows nextLink through three pages", async () => {
    const definitions = [0, 1, 2].map((index) => ({
      ...relocate(seed("list").value[0]),
      name: `def-${index}`,
      id: `/subscriptions/${SUB}/providers/Microsoft.ManagedServices/registrationDefinitions/def-${index}`,
    }));
    const { client, fake } = await setup({ definitions, pageSize: 1 });
    expect(
      (await client.listRegistrationDefinitions(`/subscriptions/${SUB}`)).map((definition) => definition.name),
    ).toEqual(["def-0", "def-1", "def-2"]);
    expect(fake.requests.map((request) => request.query.get("$skiptoken"))).toEqual([null, "1", "2"]);
  });

  it("lists assignments with their definitions expanded", async () => {
    const definition = relocate(seed("list").value[0]);
    const { client, fake } = await setup({
      definitions: [definition],
      assignments: [
        {
          id: `/subscriptions/${SUB}/providers/Microsoft.ManagedServices/registrationAssignments/a1`,
          name: "a1",
          properties: { registrationDefinitionId: definition.id, provisioningState: "Succeeded" },
        },
      ],
    });
    const [assignment] = await client.listRegistrationAssignments(`/subscriptions/${SUB}`, {
      expandRegistrationDefinition: true,
    });
    expect(assignment.properties.registrationDefinition?.properties?.registrationDefinitionName).toBe("DefinitionName");
    expect(fake.requests[0].query.get("$expandRegistrationDefinition")).toBe("true");
  });

  it("honours 429 Retry-After, then succeeds", async () => {
    const { client, fake } = await setup();
    fake.faults.push({ kind: "throttle", retryAfter: "1" });
    const started = Date.now();
    expect(await client.listRegistrationDefinitions(`/subscriptions/${SUB}`)).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(fake.requests).toHaveLength(2);
  });

  it("gives up on a Retry-After longer than it will wait", async () => {
    const { client, fake } = await setup();
    fake.faults.push({ kind: "throttle", retryAfter: "3600" });
    await expect(client.listRegistrationDefinitions(`/subscriptions/${SUB}`)).rejects.toThrow(
      /asks to retry after 3600 s; giving up/,
    );
  });

  it("retries transient 5xx with a bound, and reports the ARM error code", async () => {
    const { client, fake } = await setup({}, { maxRetries: 2 });
    fake.faults.push({ kind: "error", status: 500 });
    expect(await client.listRegistrationDefinitions(`/subscriptions/${SUB}`)).toHaveLength(2);
    fake.faults.push(
      { kind: "error", status: 503 },
      { kind: "error", status: 500 },
      { kind: "error", status: 502 },
      { kind: "error", status: 500 },
    );
    const failure = client.listRegistrationDefinitions(`/subscriptions/${SUB}`);
    await expect(failure).rejects.toThrow("InternalServerError: injected failure (HTTP 502)");
    expect(fake.requests).toHaveLength(5); // 2 for the first list, 3 attempts for the second
    expect(fake.faults).toHaveLength(1); // no fourth attempt
  });

  it("does not retry a 4xx, and surfaces ErrorResponse", async () => {
    const { fake } = await setup();
    const client = new ArmClient({ endpoint: fake.url, token: async () => "wrong" });
    const error = await client.listRegistrationDefinitions(`/subscriptions/${SUB}`).catch((caught) => caught);
    expect(error).toBeInstanceOf(ArmError);
    expect(error).toMatchObject({ code: "AuthenticationFailed", status: 401 });
    expect(fake.requests).toHaveLength(1);
  });

  it("times out a slow answer", async () => {
    const { client, fake } = await setup({}, { timeoutMs: 50, maxRetries: 1 });
    fake.faults.push({ kind: "slow", ms: 300 }, { kind: "slow", ms: 300 });
    await expect(client.listRegistrationDefinitions(`/subscriptions/${SUB}`)).rejects.toMatchObject({
      code: "Timeout",
      message: expect.stringMatching(
        /^no answer from http:\/\/127\.0\.0\.1:\d+ within 50 ms in GET \/subscriptions\/0afefe50-734e-4610-8a82-a144a2f49dea\/providers\/Microsoft\.ManagedServices\/registrationDefinitions$/,
      ),
    });
  });

  it("times out a body that stalls after the headers", async () => {
    const { client, fake } = await setup({}, { timeoutMs: 300 });
    fake.faults.push({ kind: "stall-body" });
    await expect(client.listRegistrationDefinitions(`/subscriptions/${SUB}`)).rejects.toMatchObject({
      code: "Timeout",
      message: expect.stringMatching(
        /^the answer from http:\/\/127\.0\.0\.1:\d+ stalled: not complete within 300 ms in GET \/subscriptions\/0afefe50-734e-4610-8a82-a144a2f49dea\/providers\/Microsoft\.ManagedServices\/registrationDefinitions$/,
      ),
    });
  });

  it("refuses a body larger than the limit, and a gzip body that inflates past it", async () => {
    const { client, fake } = await setup({}, { maxResponseBytes: 4 * 1024 * 1024 });
    fake.faults.push({ kind: "oversize", bytes: 64 * 1024 * 1024 });
    const tooLarge = {
      code: "ResponseTooLarge",
      message: expect.stringMatching(
        /^the answer from http:\/\/127\.0\.0\.1:\d+ is larger than 4 MiB; refused in GET \/subscriptions\/0afefe50-734e-4610-8a82-a144a2f49dea\/providers\/Microsoft\.ManagedServices\/registrationDefinitions$/,
      ),
    };
    await expect(client.listRegistrationDefinitions(`/subscriptions/${SUB}`)).rejects.toMatchObject(tooLarge);
    fake.faults.push({ kind: "gzip-bomb" });
    await expect(client.listRegistrationDefinitions(`/subscriptions/${SUB}`)).rejects.toMatchObject(tooLarge);
  });

  it.each([
    ["to another port", 302, "http://127.0.0.1:1/steal"],
    ["from https to plain http", 301, "http://management.example/subscriptions"],
  ])("refuses a redirect %s, without following it", async (_name, status, location) => {
    const { client, fake } = await setup();
    fake.faults.push({ kind: "redirect", status, location });
    await expect(client.listRegistrationDefinitions(`/subscriptions/${SUB}`)).rejects.toMatchObject({
      code: "Redirect",
      status,
      message: expect.stringMatching(new RegExp(`answered with a redirect \\(HTTP ${status}\\); refused`)),
    });
    expect(fake.requests).toHaveLength(1);
  });

  it("refuses a token that is no bearer token without printing it", async () => {
    const { fake } = await setup();
    const client = new ArmClient({ endpoint: fake.url, token: async () => "secret-part\nX-Injected: 1" });
    const error = await client.listRegistrationDefinitions(`/subscriptions/${SUB}`).catch((caught: Error) => caught);
    expect(error).toMatchObject({
      code: "Credential",
      message:
        "the Azure token is not a bearer token (RFC 6750: letters, digits and -._~+/ only); check AZURE_ACCESS_TOKEN",
    });
    expect(fake.requests).toHaveLength(0);
  });

  it("reports malformed JSON, a nextLink loop and a foreign nextLink, never a partial list", async () => {
    const { client, fake } = await setup();
    fake.faults.push({ kind: "malformed" });
    await expect(client.listRegistrationDefinitions(`/subscriptions/${SUB}`)).rejects.toMatchObject({
      code: "InvalidResponse",
    });
    fake.faults.push({ kind: "loop" });
    await expect(client.listRegistrationDefinitions(`/subscriptions/${SUB}`)).rejects.toMatchObject({
      code: "PagingLoop",
    });
    fake.faults.push({ kind: "foreign-next-link" });
    await expect(client.listRegistrationDefinitions(`/subscriptions/${SUB}`)).rejects.toThrow(
      /nextLink leads to https:\/\/attacker\.example/,
    );
  });

  it("reports a missing required field by its path", async () => {
    const broken = relocate(seed("list").value[0]);
    delete broken.properties.authorizations;
    const { client } = await setup({ definitions: [broken] });
    await expect(client.listRegistrationDefinitions(`/subscriptions/${SUB}`)).rejects.toThrow(
      /value\.0\.properties\.authorizations/,
    );
  });

  it("reports a token failure as a credential problem", async () => {
    const { fake } = await setup();
    const client = new ArmClient({
      endpoint: fake.url,
      token: async () => Promise.reject(new Error("az login needed")),
    });
    await expect(client.listRegistrationDefinitions(`/subscriptions/${SUB}`)).rejects.toMatchObject({
      code: "Credential",
      message: "cannot get an Azure token: az login needed",
    });
  });

  it("never sends a token in clear except to loopback", () => {
    expect(() => checkedEndpoint("http://management.azure.com")).toThrow(/must use https/);
    expect(() => checkedEndpoint("http://10.0.0.5:8080")).toThrow(/must use https/);
    expect(checkedEndpoint("http://127.0.0.1:8080").host).toBe("127.0.0.1:8080");
    expect(checkedEndpoint("http://localhost:1").hostname).toBe("localhost");
    expect(checkedEndpoint("https://management.usgovcloudapi.net").protocol).toBe("https:");
  });
});
