import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ArmClient, ArmError } from "../src/arm/client";
import { startFakeArm, type FakeArm } from "../scripts/fake-arm/server";
import { deployedFixture } from "./helpers/deployed";
import { runCliAsync } from "./helpers/project";

/**
 * A misbehaving Azure (the fault measurement of 2026-12-04, `../shared/findings/azure-faults-…`):
 * the project's fake ARM with each fault switched on, through the real client over HTTP, and the
 * compiled commands as users run them where the fault is about the process (it must end).
 */
const SUB = "0afefe50-734e-4610-8a82-a144a2f49dea";
let fake: FakeArm | undefined;
let other: Server | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  other?.closeAllConnections();
  other?.close();
  other = undefined;
});

/** "Another host": records every request it gets (none may carry the token). */
async function otherHost() {
  const seen: Array<{ url: string; authorization?: string }> = [];
  other = createServer((request, response) => {
    seen.push({
      url: request.url ?? "",
      ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
    });
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => other!.listen(0, "127.0.0.1", resolve));
  return { seen, port: (other.address() as AddressInfo).port };
}

const client = (options: Partial<ConstructorParameters<typeof ArmClient>[0]> = {}) =>
  new ArmClient({ endpoint: fake!.url, token: async () => "fake-token", retryDelayMs: 10, ...options });

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => (error instanceof ArmError ? { code: error.code, message: error.message } : error),
  );

describe("the token goes to the endpoint only", () => {
  it.each([
    [
      "another host, no scheme",
      (port: number) =>
        `//127.0.0.1:${port}/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/x`,
    ],
    [
      "another host over plain http",
      (port: number) =>
        `http://0.0.0.0:${port}/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/x`,
    ],
    [
      "a fragment",
      () => `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/x#`,
    ],
    [
      "a query",
      () => `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/x?y=1`,
    ],
  ])("an identity id from Azure with %s is refused before any request", async (_name, idFor) => {
    fake = await startFakeArm({});
    const { seen, port } = await otherHost();
    const id = idFor(port);
    expect(await failure(client().listFederatedCredentials(id))).toEqual({
      code: "InvalidResponse",
      message: `an identity id in Azure's answer is not a user-assigned identity's ('${id}'); refused`,
    });
    expect(seen).toEqual([]);
    expect(fake.requests).toEqual([]);
  });

  it("a well-formed identity id is read at the endpoint, its segments encoded", async () => {
    fake = await startFakeArm({});
    const id = `/subscriptions/${SUB}/resourceGroups/rg(1)/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-a`;
    expect(await client().listFederatedCredentials(id)).toEqual([]);
    expect(fake.requests.map((request) => request.path)).toEqual([
      `/subscriptions/${SUB}/resourceGroups/rg(1)/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-a/federatedIdentityCredentials`,
    ]);
  });
});

describe("every failure names the call it broke", () => {
  const definitions = `/subscriptions/${SUB}/providers/Microsoft.ManagedServices/registrationDefinitions`;

  it("a 500 that persists: ARM's code and text, then the call", async () => {
    fake = await startFakeArm({});
    fake.faults.push(...Array.from({ length: 10 }, () => ({ kind: "error", status: 500 }) as const));
    expect(await failure(client({ maxRetries: 2 }).listRegistrationDefinitions(`/subscriptions/${SUB}`))).toEqual({
      code: "InternalServerError",
      message: `InternalServerError: injected failure (HTTP 500) in GET ${definitions}`,
    });
    expect(fake.requests.length).toBe(3);
  });

  it("a connection reset: what broke, then the call", async () => {
    fake = await startFakeArm({});
    fake.faults.push(...Array.from({ length: 10 }, () => ({ kind: "reset" }) as const));
    expect(await failure(client({ maxRetries: 2 }).listRegistrationDefinitions(`/subscriptions/${SUB}`))).toEqual({
      code: "Network",
      message: `cannot reach ${fake.url}: ECONNRESET in GET ${definitions}`,
    });
  });

  it("an expired token says to sign in again or give a fresh one", async () => {
    fake = await startFakeArm({});
    fake.faults.push({
      kind: "error",
      status: 401,
      code: "ExpiredAuthenticationToken",
      message: "The access token expiry UTC time is earlier than current UTC time.",
    });
    expect(await failure(client().listRegistrationDefinitions(`/subscriptions/${SUB}`))).toEqual({
      code: "ExpiredAuthenticationToken",
      message: `ExpiredAuthenticationToken: The access token expiry UTC time is earlier than current UTC time. (HTTP 401); the token was refused (expired, or for another tenant or audience): sign in again (az login), or give a fresh AZURE_ACCESS_TOKEN in GET ${definitions}`,
    });
    expect(fake.requests.length).toBe(1);
  });

  it("a 401 with a claims challenge says to sign in again, not to wait", async () => {
    fake = await startFakeArm({});
    fake.faults.push({ kind: "claims-challenge" });
    expect(await failure(client().listRegistrationDefinitions(`/subscriptions/${SUB}`))).toEqual({
      code: "InvalidAuthenticationToken",
      message: `InvalidAuthenticationToken: The access token requires claims (HTTP 401); Azure asks for a claims challenge (Conditional Access or a revoked session): sign in again (az login) and retry in GET ${definitions}`,
    });
    expect(fake.requests.length).toBe(1);
  });

  it("a resource group that does not exist holds no identities; another 404 is still a failure", async () => {
    fake = await startFakeArm({});
    fake.faults.push(
      {
        kind: "error",
        status: 404,
        code: "ResourceGroupNotFound",
        message: "Resource group 'rg-new' could not be found.",
      },
      {
        kind: "error",
        status: 404,
        code: "SubscriptionNotFound",
        message: `The subscription '${SUB}' could not be found.`,
      },
    );
    expect(await client().listUserAssignedIdentities(SUB, "rg-new")).toEqual([]);
    expect(await failure(client().listUserAssignedIdentities(SUB, "rg-new"))).toEqual({
      code: "SubscriptionNotFound",
      message: `SubscriptionNotFound: The subscription '${SUB}' could not be found. (HTTP 404) in GET /subscriptions/${SUB}/resourceGroups/rg-new/providers/Microsoft.ManagedIdentity/userAssignedIdentities`,
    });
  });
});

describe("bounded reads", () => {
  it("a command's reads stop at its overall deadline, even mid-answer, and the connection is closed", async () => {
    fake = await startFakeArm({ keepAliveMs: 60_000 });
    fake.faults.push({ kind: "slow", ms: 100 }, { kind: "stall-body" });
    const reader = client({ maxTotalMs: 600, timeoutMs: 5_000 });
    const started = Date.now();
    await reader.listRegistrationDefinitions(`/subscriptions/${SUB}`);
    expect(await failure(reader.listRegistrationAssignments(`/subscriptions/${SUB}`))).toEqual({
      code: "Deadline",
      message: `the reads from ${fake.url} took more than 0.6 s in all; stopped (the list is incomplete)`,
    });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await failure(reader.listRegistrationDefinitions(`/subscriptions/${SUB}`))).toEqual({
      code: "Deadline",
      message: `the reads from ${fake.url} took more than 0.6 s in all; stopped (the list is incomplete)`,
    });
    await expect.poll(() => fake!.connections(), { timeout: 2000 }).toBe(0);
  });

  it("a gzip answer that stalls is refused at the deadline, and its connection is closed", async () => {
    fake = await startFakeArm({ keepAliveMs: 60_000 });
    fake.faults.push({ kind: "gzip-stall" });
    expect(await failure(client({ timeoutMs: 500 }).listRegistrationDefinitions(`/subscriptions/${SUB}`))).toEqual({
      code: "Timeout",
      message: `the answer from ${fake.url} stalled: not complete within 500 ms in GET /subscriptions/${SUB}/providers/Microsoft.ManagedServices/registrationDefinitions`,
    });
    await expect.poll(() => fake!.connections(), { timeout: 2000 }).toBe(0);
  });

  it("endless pages, each within the page limit, stop at the client's byte budget with a plain message", async () => {
    fake = await startFakeArm({});
    fake.faults.push({ kind: "endless", items: 2000 });
    expect(
      await failure(client({ maxTotalBytes: 4 * 1024 * 1024 }).listDelegationEvents(new Date("2026-11-30T00:00:00Z"))),
    ).toEqual({
      code: "ResponseBudget",
      message: `the answers from ${fake.url} exceed 4 MiB in all; refused (the list is incomplete) in GET /providers/microsoft.insights/eventtypes/management/values`,
    });
    // About 403 KB a page (2,000 events): the 11th page crosses 4 MiB, and no page is asked for after it.
    expect(fake.requests.length).toBe(11);
  });

  it("a page of 150,000 items is read (a spread into push overflowed the call stack)", async () => {
    const events = Array.from({ length: 150_000 }, (_, index) => ({
      eventDataId: `e${index}`,
      eventTimestamp: "2026-12-01T00:00:00Z",
      operationName: { value: "w" },
    }));
    fake = await startFakeArm({ events, pageSize: 200_000 });
    expect(await client().listDelegationEvents(new Date("2026-11-30T00:00:00Z"))).toHaveLength(150_000);
  });

  it("an item repeated across pages (in another case too) counts once", async () => {
    const definitions = deployedFixture("fabrikam").definitions;
    const upper = definitions.map((item) => ({ ...item, id: String(item.id).toUpperCase() }));
    fake = await startFakeArm({ definitions: [...definitions, ...upper], pageSize: 1 });
    const listed = await client().listRegistrationDefinitions(`/subscriptions/${SUB}`);
    expect(listed.map((item) => item.id)).toEqual(
      definitions.map((item) => String(item.id)).filter((id) => id.toLowerCase().startsWith(`/subscriptions/${SUB}/`)),
    );
  });

  it("Resource Graph's resultTruncated fails the read: a half fleet is never presented as complete", async () => {
    fake = await startFakeArm(deployedFixture("fabrikam"));
    fake.faults.push({ kind: "truncated" });
    expect(await failure(client().queryResourceGraph("ManagedServicesResources"))).toEqual({
      code: "Truncated",
      message: "Resource Graph cut its answer short (resultTruncated); the list is incomplete",
    });
  });
});

describe("every process ends after its output (the compiled command, the server keeping connections open for a minute)", () => {
  const started = () => process.hrtime.bigint();
  const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;

  it.each([
    ["503, then 200", [{ kind: "error", status: 503 } as const]],
    ["429 Retry-After 1, then 200", [{ kind: "throttle", retryAfter: "1" } as const]],
    ["500 four times, then 200", [1, 2, 3, 4].map(() => ({ kind: "error", status: 500 }) as const)],
  ])("%s: the inventory, then exit", async (_name, faults) => {
    fake = await startFakeArm({ ...deployedFixture("fabrikam"), keepAliveMs: 60_000 });
    fake.faults.push(...faults);
    const since = started();
    const result = await runCliAsync("inventory", ["--stack", "fabrikam", "--endpoint", fake.url], {
      AZURE_ACCESS_TOKEN: "fake-token",
    });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(seconds(since)).toBeLessThan(15);
  });

  it("no credential at all: one line saying what to do, exit 3, nothing asked of the endpoint", async () => {
    fake = await startFakeArm(deployedFixture("fabrikam"));
    const home = mkdtempSync(join(tmpdir(), "no-credential-"));
    const nothing = Object.fromEntries(
      [
        "AZURE_ACCESS_TOKEN",
        "AZURE_CLIENT_ID",
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_SECRET",
        "AZURE_FEDERATED_TOKEN_FILE",
        "AZURE_USERNAME",
        "IDENTITY_ENDPOINT",
        "MSI_ENDPOINT",
      ].map((name) => [name, ""]),
    );
    const result = await runCliAsync("inventory", ["--stack", "fabrikam", "--endpoint", fake.url], {
      ...nothing,
      HOME: home,
      AZURE_CONFIG_DIR: home,
      PATH: dirname(process.execPath),
    });
    expect(result).toEqual({
      status: 3,
      stdout: "",
      stderr: `could not read the delegations (nothing below is complete): cannot get an Azure token: no Azure credential found (AggregateAuthenticationError): sign in with az login, or set AZURE_ACCESS_TOKEN (az account get-access-token --resource ${fake.url} --query accessToken -o tsv)\n`,
    });
    expect(fake.requests).toEqual([]);
  });

  it("a refused endpoint is said at once, without retries", async () => {
    const { port } = await otherHost();
    other!.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const since = started();
    const result = await runCliAsync("inventory", ["--stack", "fabrikam", "--endpoint", `http://127.0.0.1:${port}`], {
      AZURE_ACCESS_TOKEN: "fake-token",
    });
    expect(result).toEqual({
      status: 3,
      stdout: "",
      stderr: `could not read the delegations (nothing below is complete): nothing answers at http://127.0.0.1:${port} (connection refused) in GET /subscriptions/${SUB}/providers/Microsoft.ManagedServices/registrationDefinitions\n`,
    });
    expect(seconds(since)).toBeLessThan(5);
  });
});
