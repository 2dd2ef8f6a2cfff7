import { chmodSync, renameSync, writeFileSync } from "node:fs";

/**
 * A pipeline's federated (OIDC) token, fetched again whenever asked: the job's own token lives
 * minutes, a fleet's `pulumi up` runs longer. Whoever reads the token file again gets a fresh one:
 * Azure Identity's WorkloadIdentityCredential (AZURE_FEDERATED_TOKEN_FILE) re-reads it when its
 * cached assertion is older than five minutes (@azure/identity workloadIdentityCredential.js
 * readFileContents; azidentity for Go, used by azure-native's DefaultAzureCredential and the azblob
 * state backend, re-reads it when its copy expires). azure-native's own `oidcToken` and
 * `oidcTokenFilePath` are read once (pulumi-azure-native provider/pkg/provider/auth_azidentity.go,
 * newOidcCredential): the pipelines use `useDefaultAzureCredential` instead.
 */
export type OidcSource =
  | { kind: "github"; requestUrl: string; requestToken: string }
  | { kind: "azure-pipelines"; requestUri: string; accessToken: string; serviceConnectionId: string };

export class OidcTokenError extends Error {}

/** Azure's audience for a federated credential's token (Microsoft Entra workload identity federation). */
export const AZURE_AUDIENCE = "api://AzureADTokenExchange";
/** The Azure DevOps OIDC token API version (Azure Identity's AzurePipelinesCredential uses the same). */
const AZURE_PIPELINES_OIDC_API_VERSION = "7.1";
/** A JWT is a few KiB; anything much larger is no token answer. */
const MAX_ANSWER_BYTES = 64 * 1024;
const REQUEST_TIMEOUT_MS = 30_000;

/** Which pipeline system this job runs in, from the variables each sets for a job allowed tokens. */
export function oidcSourceFromEnvironment(env: NodeJS.ProcessEnv, serviceConnectionId: string | undefined): OidcSource {
  if (env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN)
    return {
      kind: "github",
      requestUrl: env.ACTIONS_ID_TOKEN_REQUEST_URL,
      requestToken: env.ACTIONS_ID_TOKEN_REQUEST_TOKEN,
    };
  if (env.SYSTEM_OIDCREQUESTURI && env.SYSTEM_ACCESSTOKEN) {
    if (!serviceConnectionId)
      throw new OidcTokenError("Azure Pipelines: give --service-connection-id (the service connection's id, a GUID)");
    return {
      kind: "azure-pipelines",
      requestUri: env.SYSTEM_OIDCREQUESTURI,
      accessToken: env.SYSTEM_ACCESSTOKEN,
      serviceConnectionId,
    };
  }
  throw new OidcTokenError(
    "no OIDC token source: GitHub Actions sets ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN for a job with `permissions: id-token: write`; Azure Pipelines needs SYSTEM_OIDCREQUESTURI and SYSTEM_ACCESSTOKEN mapped into the step's env",
  );
}

/**
 * Asks the pipeline for a new token. GitHub: GET the request URL with `audience` added, bearer the
 * request token, answer `{"value": ...}` (GitHub's OIDC documentation; azure-native's
 * getOidcTokenExchangeAssertion does the same). Azure Pipelines: POST
 * `<SYSTEM_OIDCREQUESTURI>?api-version=7.1&serviceConnectionId=<id>`, bearer System.AccessToken,
 * answer `{"oidcToken": ...}` (@azure/identity azurePipelinesCredential.js).
 */
export async function requestOidcToken(source: OidcSource, audience = AZURE_AUDIENCE): Promise<string> {
  const { url, init, field } =
    source.kind === "github"
      ? (() => {
          const url = new URL(source.requestUrl);
          url.searchParams.set("audience", audience);
          return {
            url,
            init: {
              method: "GET",
              headers: { Authorization: `Bearer ${source.requestToken}`, Accept: "application/json" },
            },
            field: "value",
          };
        })()
      : (() => {
          const url = new URL(source.requestUri);
          url.searchParams.set("api-version", AZURE_PIPELINES_OIDC_API_VERSION);
          url.searchParams.set("serviceConnectionId", source.serviceConnectionId);
          return {
            url,
            init: {
              method: "POST",
              headers: {
                Authorization: `Bearer ${source.accessToken}`,
                "Content-Type": "application/json",
                // Azure DevOps would otherwise answer a sign-in redirect (Azure Identity sets the same).
                "X-TFS-FedAuthRedirect": "Suppress",
              },
            },
            field: "oidcToken",
          };
        })();
  const where = `${source.kind === "github" ? "GitHub" : "Azure Pipelines"} OIDC endpoint ${url.origin}`;
  let response: Response;
  try {
    response = await fetch(url, { ...init, redirect: "error", signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (error) {
    throw new OidcTokenError(`${where} did not answer: ${(error as Error).message}`);
  }
  const body = await boundedText(response, where);
  if (!response.ok) throw new OidcTokenError(`${where} answered ${response.status}`);
  let token: unknown;
  try {
    token = (JSON.parse(body) as Record<string, unknown>)[field];
  } catch {
    throw new OidcTokenError(`${where} answered something that is not JSON`);
  }
  if (typeof token !== "string" || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token))
    throw new OidcTokenError(`${where} answered no token in '${field}'`);
  return token;
}

async function boundedText(response: Response, where: string): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_ANSWER_BYTES) {
      await reader.cancel();
      throw new OidcTokenError(`${where} answered more than ${MAX_ANSWER_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Replaces the token file at once (a reader never sees half a token), readable by this user only. */
export function writeTokenFile(file: string, token: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, token, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}
