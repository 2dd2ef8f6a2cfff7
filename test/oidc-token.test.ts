import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCliAsync } from "./helpers/project";

/**
 * `npm run oidc-token` against local fakes of the two pipeline systems' token endpoints, shaped as
 * documented: GitHub's (GET, `audience` query, `{"value": jwt}`) and Azure DevOps' OIDC token API
 * (POST `?api-version=7.1&serviceConnectionId=`, `{"oidcToken": jwt}`).
 */
type Seen = { method: string; url: string; authorization: string; redirect: string };
const jwt = (n: number) => `eyJhbGciOiJSUzI1NiJ9.eyJuIjo${n}fQ.c2lnbmF0dXJl${n}`;
let server: Server | undefined;
afterEach(() => server?.close());

async function fakeEndpoint(answer: (seen: Seen, count: number) => { status: number; body: string }) {
  const seen: Seen[] = [];
  server = createServer((request: IncomingMessage, response) => {
    const entry = {
      method: request.method ?? "",
      url: request.url ?? "",
      authorization: request.headers.authorization ?? "",
      redirect: String(request.headers["x-tfs-fedauthredirect"] ?? ""),
    };
    seen.push(entry);
    const { status, body } = answer(entry, seen.length);
    response.writeHead(status, { "content-type": "application/json" }).end(body);
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { seen, origin: `http://127.0.0.1:${(server!.address() as AddressInfo).port}` };
}
const NO_PIPELINE = {
  ACTIONS_ID_TOKEN_REQUEST_URL: "",
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: "",
  SYSTEM_OIDCREQUESTURI: "",
  SYSTEM_ACCESSTOKEN: "",
};

describe("npm run oidc-token", () => {
  it("GitHub: writes the token (0600) once; with a command, keeps writing fresh ones while it runs and exits with its code", async () => {
    const { seen, origin } = await fakeEndpoint((_, count) => ({
      status: 200,
      body: JSON.stringify({ value: jwt(count) }),
    }));
    const dir = mkdtempSync(join(tmpdir(), "oidc-"));
    const file = join(dir, "token");
    const env = {
      ...NO_PIPELINE,
      ACTIONS_ID_TOKEN_REQUEST_URL: `${origin}/token?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: "request-token",
    };
    expect(await runCliAsync("oidc-token", ["--file", file], env)).toEqual({ status: 0, stdout: "", stderr: "" });
    expect(readFileSync(file, "utf8")).toBe(jwt(1));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(seen).toEqual([
      {
        method: "GET",
        url: "/token?api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange",
        authorization: "Bearer request-token",
        redirect: "",
      },
    ]);

    // The command sees the first token, then (2.5 s later, refreshed every second) a newer one.
    const ran = await runCliAsync(
      "oidc-token",
      ["--file", file, "--every", "1", "--", "bash", "-c", `cat "${file}"; echo; sleep 2.5; cat "${file}"; exit 3`],
      env,
    );
    expect(ran.status).toBe(3);
    expect(ran.stderr).toBe("");
    const [first, later] = ran.stdout.split("\n");
    expect(first).toBe(jwt(2));
    expect([jwt(3), jwt(4)]).toContain(later);
    expect(seen.length).toBeGreaterThanOrEqual(3);
  });

  it("Pulumi Cloud's audience when asked", async () => {
    const { seen, origin } = await fakeEndpoint(() => ({ status: 200, body: JSON.stringify({ value: jwt(1) }) }));
    const file = join(mkdtempSync(join(tmpdir(), "oidc-")), "pulumi");
    const env = { ...NO_PIPELINE, ACTIONS_ID_TOKEN_REQUEST_URL: `${origin}/t`, ACTIONS_ID_TOKEN_REQUEST_TOKEN: "r" };
    expect(
      (await runCliAsync("oidc-token", ["--file", file, "--audience", "urn:pulumi:org:contoso"], env)).status,
    ).toBe(0);
    expect(seen.map((entry) => entry.url)).toEqual(["/t?audience=urn%3Apulumi%3Aorg%3Acontoso"]);
  });

  it("Azure Pipelines: POSTs to the job's OIDC endpoint for the service connection, with System.AccessToken", async () => {
    const { seen, origin } = await fakeEndpoint(() => ({ status: 200, body: JSON.stringify({ oidcToken: jwt(7) }) }));
    const file = join(mkdtempSync(join(tmpdir(), "oidc-")), "token");
    const env = {
      ...NO_PIPELINE,
      SYSTEM_OIDCREQUESTURI: `${origin}/org/_apis/distributedtask/hubs/build/plans/p/jobs/j/oidctoken`,
      SYSTEM_ACCESSTOKEN: "system-access-token",
    };
    const id = "4f1e2d3c-5b6a-4789-8c0d-1e2f3a4b5c6d";
    expect(await runCliAsync("oidc-token", ["--file", file, "--service-connection-id", id], env)).toEqual({
      status: 0,
      stdout: "",
      stderr: "",
    });
    expect(readFileSync(file, "utf8")).toBe(jwt(7));
    expect(seen).toEqual([
      {
        method: "POST",
        url: `/org/_apis/distributedtask/hubs/build/plans/p/jobs/j/oidctoken?api-version=7.1&serviceConnectionId=${id}`,
        authorization: "Bearer system-access-token",
        redirect: "Suppress",
      },
    ]);
    expect(await runCliAsync("oidc-token", ["--file", file], env)).toEqual({
      status: 1,
      stdout: "",
      stderr: "error: Azure Pipelines: give --service-connection-id (the service connection's id, a GUID)\n",
    });
  });

  it("refuses, naming the cause and never the token: no source, an error answer, no token in the answer, an oversized answer", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "oidc-")), "token");
    expect((await runCliAsync("oidc-token", ["--file", file], NO_PIPELINE)).stderr).toMatch(
      /^error: no OIDC token source: GitHub Actions sets ACTIONS_ID_TOKEN_REQUEST_URL\/TOKEN/,
    );
    const answers = [
      { status: 403, body: JSON.stringify({ value: jwt(1) }) },
      { status: 200, body: JSON.stringify({ token: jwt(1) }) },
      { status: 200, body: "not json" },
      { status: 200, body: JSON.stringify({ value: "x".repeat(70 * 1024) }) },
    ];
    const { origin } = await fakeEndpoint((_, count) => answers[count - 1]);
    const env = {
      ...NO_PIPELINE,
      ACTIONS_ID_TOKEN_REQUEST_URL: `${origin}/t`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: "secret-request",
    };
    const where = `GitHub OIDC endpoint ${origin}`;
    const results = [];
    for (let index = 0; index < answers.length; index++)
      results.push(await runCliAsync("oidc-token", ["--file", file], env));
    expect(results).toEqual([
      { status: 1, stdout: "", stderr: `error: ${where} answered 403\n` },
      { status: 1, stdout: "", stderr: `error: ${where} answered no token in 'value'\n` },
      { status: 1, stdout: "", stderr: `error: ${where} answered something that is not JSON\n` },
      { status: 1, stdout: "", stderr: `error: ${where} answered more than 65536 bytes\n` },
    ]);
    expect(() => readFileSync(file)).toThrow();
    expect((await runCliAsync("oidc-token", ["--file", file, "--"], env)).stderr).toMatch(
      /^error: give a command after --\n/,
    );
  });
});
