import {
  createDefaultHttpClient,
  createEmptyPipeline,
  createHttpHeaders,
  createPipelineRequest,
  exponentialRetryPolicy,
  throttlingRetryPolicy,
  type HttpClient,
  type Pipeline,
  type PipelinePolicy,
  type PipelineResponse,
} from "@azure/core-rest-pipeline";
import { Readable } from "node:stream";
import type { z } from "zod";
import { printable, quote } from "../text";
import { isGuid } from "../azure/guid";
import { resourceGroupName } from "../azure/resourceGroup";
import {
  activityLogEventModel,
  descendantModel,
  errorResponseModel,
  partnerModel,
  listModel,
  registrationAssignmentModel,
  registrationDefinitionModel,
  resourceGraphPageModel,
  federatedCredentialModel,
  roleAssignmentModel,
  roleDefinitionModel,
  systemAssignedIdentityModel,
  userAssignedIdentityModel,
  type ActivityLogEvent,
  type FederatedCredentialResource,
  type RegistrationAssignment,
  type RegistrationDefinition,
  type RoleAssignmentResource,
  type RoleDefinition,
  type UserAssignedIdentity,
} from "./models";

import {
  ACTIVITY_LOG_API_VERSION,
  AUTHORIZATION_API_VERSION,
  MANAGED_IDENTITY_API_VERSION,
  MANAGED_SERVICES_API_VERSION,
  MANAGEMENT_GROUPS_API_VERSION,
  MANAGEMENT_PARTNER_API_VERSION,
  RESOURCE_GRAPH_API_VERSION,
} from "../azure/definitions";
import {
  managementGroupScope,
  parseUserAssignedIdentityId,
  resourceGroupScope,
  scopeKindOf,
  subscriptionOfScope,
} from "../azure/scopes";

export const DEFAULT_ENDPOINT = "https://management.azure.com";
/** Federated credentials asked for per page (`$top`); the rest follow through nextLink. */
const CREDENTIALS_PER_PAGE = 20;

/** Anything that stops a read: an ARM error, a timeout, a malformed or looping response. */
export class ArmError extends Error {
  constructor(
    message: string,
    /** ARM's error code (e.g. AuthorizationFailed), or ours: Timeout, InvalidResponse, PagingLoop, Network, Credential. */
    readonly code: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** A user's input that cannot be sent (a scope or tenant id that is not what it claims). */
export class ArmInputError extends Error {}

export interface ArmClientOptions {
  /** Base URL. Default https://management.azure.com; plain http only on loopback (tests, fakes). */
  endpoint?: string;
  /** Returns a bearer token for the endpoint; called for each request (credentials cache it). */
  token: () => Promise<string>;
  /** The environment variable a token can be given in, for messages. Default AZURE_ACCESS_TOKEN. */
  tokenVariable?: string;
  /** For the response's headers, and again for its body. Default 30 s. */
  timeoutMs?: number;
  /** Retries of one request on 429, 5xx and network errors. Default 4. */
  maxRetries?: number;
  /** Longest Retry-After honoured; a longer one fails the read instead of stalling it. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Pages followed through nextLink before giving up. Default 1,000. */
  maxPages?: number;
  /** First delay of the exponential retry (doubling, at most 8 s). Default 500 ms. */
  retryDelayMs?: number;
  /** Largest response body. Default {@link MAX_RESPONSE_BYTES}. */
  maxResponseBytes?: number;
  /** Largest sum of every response body this client reads. Default {@link MAX_TOTAL_BYTES}. */
  maxTotalBytes?: number;
  /** Longest time, from the client's creation, its reads may take in all. Default {@link MAX_TOTAL_MS}. */
  maxTotalMs?: number;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/** The endpoint, refused unless https (or http on loopback), so a token never travels in clear. */
export function checkedEndpoint(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ArmInputError(`--endpoint ${quote(endpoint)} is not a URL`);
  }
  if (url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.test(url.hostname))) return url;
  throw new ArmInputError(`--endpoint ${quote(endpoint)} must use https (plain http is allowed only on loopback)`);
}

/** A scope typed by a user: `/subscriptions/<guid>[/resourceGroups/<name>]`, checked strictly. */
export function checkedScope(scope: string): string {
  const { kind, name } = scopeKindOf(scope);
  const valid =
    !scope.endsWith("/") &&
    isGuid(subscriptionOfScope(scope)) &&
    (kind === "subscription" || (kind === "resource group" && resourceGroupName.safeParse(name ?? "").success));
  if (!valid) {
    throw new ArmInputError(
      `${quote(scope)} is not a subscription or resource group scope (/subscriptions/<guid>[/resourceGroups/<name>])`,
    );
  }
  return scope;
}

/** The API's $filter: `eq` for one managing tenant, `in` for several; only GUIDs get in. */
export function managedByFilter(tenantIds: readonly string[]): string | undefined {
  if (tenantIds.length === 0) return undefined;
  for (const id of tenantIds) if (!isGuid(id)) throw new ArmInputError(`managing tenant ${quote(id)} is not a GUID`);
  const quoted = tenantIds.map((id) => `'${id.toLowerCase()}'`);
  return quoted.length === 1 ? `managedByTenantId eq ${quoted[0]}` : `managedByTenantId in (${quoted.join(", ")})`;
}

/** Seconds, or an HTTP date, as Retry-After allows. */
function retryAfterMs(header: string | undefined): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** A bearer token as RFC 6750 allows it: anything else (a line break, say) is refused unprinted. */
const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** Largest response body read (after decompression): a page of delegations is far smaller. */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
/**
 * Largest sum of the bodies one client reads: endless pages, each within the page limit, would
 * otherwise grow until the heap runs out (4.3 GiB and a V8 crash in the fault measurement of
 * 2026-12-04). A fleet of 5,000 customers' delegations is about 35 MB of Resource Graph rows.
 */
export const MAX_TOTAL_BYTES = 256 * 1024 * 1024;

/**
 * How long one command's reads may take in all: each attempt is bounded (headers, body, Retry-After)
 * but retries and pages multiply them; past this the command stops with the list incomplete.
 * Reading the delegations of a 5,000-customer fleet through Resource Graph takes seconds.
 */
export const MAX_TOTAL_MS = 15 * 60 * 1000;

/**
 * The answer with every `null` property left out: ARM sends `null` for optional fields it has no
 * value for (as it may omit them), and the models read an absent field and a null one alike.
 */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== "object") return value;
  const kept: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (item !== null) kept[key] = withoutNulls(item);
  return kept;
}

/** An item's identity in a list: its id (ARM ids compare case-insensitively), or an event's eventDataId. */
const itemKey = (item: unknown): string | undefined => {
  const { id, eventDataId } = (item ?? {}) as { id?: unknown; eventDataId?: unknown };
  const key = typeof eventDataId === "string" ? eventDataId : typeof id === "string" ? id : undefined;
  return key?.toLowerCase();
};

/**
 * Sets the bearer token on every attempt. The SDK's bearerTokenAuthenticationPolicy refuses any
 * http URL, loopback included, so the local fake ARM could not be used: this one allows plain
 * http on loopback only (checkedEndpoint), and never lets a token leave with a redirect.
 */
function bearerTokenPolicy(token: () => Promise<string>, variable: string): PipelinePolicy {
  return {
    name: "lighthouseBearerToken",
    async sendRequest(request, next) {
      let value: string;
      try {
        value = await token();
      } catch (error) {
        throw new ArmError(
          `cannot get an Azure token: ${printable((error as Error).message.split("\n")[0])}`,
          "Credential",
        );
      }
      if (!BEARER_TOKEN.test(value)) {
        throw new ArmError(
          `the Azure token is not a bearer token (RFC 6750: letters, digits and -._~+/ only); check ${variable}`,
          "Credential",
        );
      }
      request.headers.set("authorization", `Bearer ${value}`);
      return next(request);
    },
  };
}

/**
 * Fails fast on a Retry-After longer than the client will wait, instead of stalling the read
 * (the SDK's throttling policy would wait as long as the server asks). Runs inside the retry
 * policies, so it sees each response before they do.
 */
function retryAfterLimitPolicy(maxRetryAfterMs: number): PipelinePolicy {
  return {
    name: "lighthouseRetryAfterLimit",
    async sendRequest(request, next) {
      const response = await next(request);
      const wait = retryAfterMs(response.headers.get("retry-after"));
      if ((response.status === 429 || response.status === 503) && wait !== undefined && wait > maxRetryAfterMs) {
        response.readableStreamBody?.resume();
        throw new ArmError(
          `${new URL(request.url).origin} asks to retry after ${Math.round(wait / 1000)} s; giving up`,
          "Throttled",
          response.status,
        );
      }
      return response;
    },
  };
}

/**
 * An answer the retry policies may ask again for (429, 5xx) is read here, within the limits, and
 * handed on as a buffered stream: they re-send without reading the previous answer, whose unread
 * body held its connection, so the command printed its result and then waited for the server to
 * close the connection (the fault measurement of 2026-12-04). A refused connection is not retried:
 * nothing listens there (it took 31 s of retries to say so).
 */
function settledAttemptPolicy(limit: number, timeoutMs: number): PipelinePolicy {
  return {
    name: "lighthouseSettledAttempt",
    async sendRequest(request, next) {
      // Each attempt's deadline for its headers, ours: the SDK's own (`request.timeout`) is not
      // cleared when the connection fails, and kept the process alive for its full length.
      const outer = request.abortSignal;
      const attempt = new AbortController();
      const forward = () => attempt.abort();
      outer?.addEventListener("abort", forward);
      const timer = setTimeout(forward, timeoutMs);
      request.abortSignal = attempt.signal;
      let response: PipelineResponse;
      try {
        response = await next(request);
      } catch (error) {
        outer?.removeEventListener("abort", forward);
        if ((error as { code?: string }).code === "ECONNREFUSED")
          throw new ArmError(`nothing answers at ${new URL(request.url).origin} (connection refused)`, "Network");
        throw error;
      } finally {
        // The outer signal still reaches this attempt while its body is read (an abort then closes it).
        clearTimeout(timer);
        request.abortSignal = outer;
      }
      if (response.status === 429 || response.status >= 500) {
        const text = await readBody(response, new URL(request.url), limit, timeoutMs);
        response.readableStreamBody = Readable.from([Buffer.from(text, "utf8")]);
      }
      return response;
    },
  };
}

/**
 * Reads registration definitions and assignments, every page, on the Azure SDK's HTTP pipeline
 * (@azure/core-rest-pipeline): its HTTP client, throttling (429 Retry-After) and exponential
 * (5xx, network) retry policies. No redirect policy: ARM does not redirect list calls, and a
 * redirect would carry the token elsewhere. Every body is read with a size limit and a deadline.
 */
export class ArmClient {
  private readonly endpoint: URL;
  private readonly timeoutMs: number;
  private readonly maxPages: number;
  private readonly maxResponseBytes: number;
  /** What may still be read, of {@link ArmClientOptions.maxTotalBytes}. */
  private budget: number;
  private readonly totalBytes: number;
  private readonly totalMs: number;
  private readonly tokenVariable: string;
  private readonly deadline: number;
  private readonly pipeline: Pipeline;
  private readonly httpClient: HttpClient = createDefaultHttpClient();

  constructor(options: ArmClientOptions) {
    this.endpoint = checkedEndpoint(options.endpoint ?? DEFAULT_ENDPOINT);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxPages = options.maxPages ?? 1_000;
    this.maxResponseBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
    this.totalBytes = this.budget = options.maxTotalBytes ?? MAX_TOTAL_BYTES;
    this.totalMs = options.maxTotalMs ?? MAX_TOTAL_MS;
    this.deadline = Date.now() + this.totalMs;
    const maxRetries = options.maxRetries ?? 4;
    this.pipeline = createEmptyPipeline();
    this.pipeline.addPolicy(throttlingRetryPolicy({ maxRetries }));
    this.pipeline.addPolicy(
      exponentialRetryPolicy({ maxRetries, retryDelayInMs: options.retryDelayMs ?? 500, maxRetryDelayInMs: 8_000 }),
    );
    this.pipeline.addPolicy(retryAfterLimitPolicy(options.maxRetryAfterMs ?? 60_000));
    this.pipeline.addPolicy(settledAttemptPolicy(this.maxResponseBytes, this.timeoutMs));
    this.tokenVariable = options.tokenVariable ?? "AZURE_ACCESS_TOKEN";
    this.pipeline.addPolicy(bearerTokenPolicy(options.token, this.tokenVariable));
  }

  async listRegistrationDefinitions(
    scope: string,
    managedByTenantIds: readonly string[] = [],
  ): Promise<RegistrationDefinition[]> {
    return this.listAll(
      `${checkedScope(scope)}/providers/Microsoft.ManagedServices/registrationDefinitions`,
      MANAGED_SERVICES_API_VERSION,
      { $filter: managedByFilter(managedByTenantIds) },
      registrationDefinitionModel,
    );
  }

  async listRegistrationAssignments(
    scope: string,
    options: { expandRegistrationDefinition?: boolean } = {},
  ): Promise<RegistrationAssignment[]> {
    return this.listAll(
      `${checkedScope(scope)}/providers/Microsoft.ManagedServices/registrationAssignments`,
      MANAGED_SERVICES_API_VERSION,
      { $expandRegistrationDefinition: options.expandRegistrationDefinition ? "true" : undefined },
      registrationAssignmentModel,
    );
  }

  /**
   * The subscriptions anywhere below a management group (its descendants of type "/subscriptions",
   * Management Groups API Get Descendants), lower case, every page.
   */
  async listManagementGroupSubscriptions(managementGroupId: string): Promise<string[]> {
    const descendants = await this.listAll(
      `${managementGroupScope(encodeURIComponent(managementGroupId))}/descendants`,
      MANAGEMENT_GROUPS_API_VERSION,
      {},
      descendantModel,
    );
    const subscriptions = descendants.filter((item) => item.type.toLowerCase() === "/subscriptions");
    // Names from the server become paths of later calls: GUIDs only.
    const notGuid = subscriptions.find((item) => !isGuid(item.name));
    if (notGuid)
      throw new ArmError(
        `a subscription below management group ${quote(managementGroupId)} is named ${quote(printable(notGuid.name))}, which is not a GUID; refused`,
        "InvalidResponse",
      );
    return subscriptions.map((item) => item.name.toLowerCase());
  }

  /**
   * Whether the signed-in principal is linked to `partnerId` (Partner Admin Link: Partner Get,
   * `/providers/Microsoft.ManagementPartner/partners/{partnerId}`, answered for the caller's own
   * object and tenant). A 404 is taken as "not linked"; the exact answer Azure gives an unlinked
   * principal is not documented.
   */
  async isLinkedToPartner(partnerId: string): Promise<boolean> {
    if (!/^[0-9]+$/.test(partnerId)) throw new ArmInputError(`partner ID ${quote(partnerId)} is not digits`);
    const found = await this.getOne(
      `/providers/Microsoft.ManagementPartner/partners/${partnerId}`,
      MANAGEMENT_PARTNER_API_VERSION,
      partnerModel,
    );
    return found?.properties.partnerId === partnerId;
  }

  /** The user-assigned identities of a resource group, every page. */
  async listUserAssignedIdentities(subscriptionId: string, resourceGroup: string): Promise<UserAssignedIdentity[]> {
    const scope = checkedScope(resourceGroupScope(subscriptionId, resourceGroup));
    try {
      return await this.listAll(
        `${scope}/providers/Microsoft.ManagedIdentity/userAssignedIdentities`,
        MANAGED_IDENTITY_API_VERSION,
        {},
        userAssignedIdentityModel,
      );
    } catch (error) {
      // A group not created yet (its identities are declared, pulumi up will make both) holds none.
      // ARM answers a missing group with 404 ResourceGroupNotFound ("Resource group '…' could not
      // be found.", as azure-sdk clients report it); its documented general codes (NotFound,
      // ResourceNotFound: Microsoft Learn, "Resolve errors for resource not found") still fail.
      if (error instanceof ArmError && error.status === 404 && error.code === "ResourceGroupNotFound") return [];
      throw error;
    }
  }

  /** Every federated credential of a user-assigned identity (`$top` pages, `$skiptoken` via nextLink). */
  async listFederatedCredentials(identityId: string): Promise<FederatedCredentialResource[]> {
    // The id comes from Azure's answer: only a well-formed one is made into a path (another host,
    // a query or a fragment in it would change where the token goes), each segment encoded.
    const parts = parseUserAssignedIdentityId(identityId);
    if (!parts)
      throw new ArmError(
        `an identity id in Azure's answer is not a user-assigned identity's (${quote(printable(identityId))}); refused`,
        "InvalidResponse",
      );
    const path = `${resourceGroupScope(parts.subscriptionId, encodeURIComponent(parts.resourceGroup))}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${encodeURIComponent(parts.name)}`;
    return this.listAll(
      `${path}/federatedIdentityCredentials`,
      MANAGED_IDENTITY_API_VERSION,
      { $top: String(CREDENTIALS_PER_PAGE) },
      federatedCredentialModel,
    );
  }

  /** A resource's system-assigned identity (seed get_by_scope), or undefined when it has none. */
  async getSystemAssignedIdentity(resourceId: string): Promise<{ principalId: string } | undefined> {
    const found = await this.getOne(
      `${resourceId}/providers/Microsoft.ManagedIdentity/identities/default`,
      MANAGED_IDENTITY_API_VERSION,
      systemAssignedIdentityModel,
    );
    return found && { principalId: found.properties.principalId };
  }

  /** Role assignments of one principal at, above and below `scope`, every page. */
  async listRoleAssignments(scope: string, principalId: string): Promise<RoleAssignmentResource[]> {
    if (!isGuid(principalId)) throw new ArmInputError(`principal ${quote(principalId)} is not a GUID`);
    return this.listAll(
      `${scope}/providers/Microsoft.Authorization/roleAssignments`,
      AUTHORIZATION_API_VERSION,
      { $filter: `principalId eq '${principalId}'` },
      roleAssignmentModel,
    );
  }

  /**
   * Any JSON call on this endpoint (Microsoft Graph too), with the same token, limits and
   * fault handling: a GET of `path` with `query`, or a POST of `body`.
   */
  async call(path: string, query: Record<string, string>, body?: unknown): Promise<unknown> {
    const url = new URL(path, this.endpoint);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    return this.get(url, body);
  }

  /** One resource, or undefined when ARM answers 404. */
  private async getOne<T extends z.ZodType>(
    path: string,
    apiVersion: string,
    model: T,
  ): Promise<z.output<T> | undefined> {
    const url = new URL(path, this.endpoint);
    url.searchParams.set("api-version", apiVersion);
    let body: unknown;
    try {
      body = await this.get(url);
    } catch (error) {
      if (error instanceof ArmError && error.status === 404) return undefined;
      throw error;
    }
    const parsed = model.safeParse(withoutNulls(body));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ArmError(
        `unexpected response from ${url.href}: ${issue.path.join(".") || "(body)"}: ${issue.message}`,
        "InvalidResponse",
      );
    }
    return parsed.data;
  }

  /**
   * The managing tenant's tenant-level Activity Log for Microsoft.ManagedServices since `since`,
   * every page (docs monitor-delegation-changes; needs Monitoring Reader at root scope).
   */
  async listDelegationEvents(since: Date): Promise<ActivityLogEvent[]> {
    const filter = `eventTimestamp ge '${since.toISOString()}' and resourceProvider eq 'Microsoft.ManagedServices'`;
    return this.listAll(
      "/providers/microsoft.insights/eventtypes/management/values",
      ACTIVITY_LOG_API_VERSION,
      { $filter: filter },
      activityLogEventModel,
    );
  }

  /**
   * Every row of an Azure Resource Graph query across all subscriptions the caller can see
   * (delegated ones included), every page (`$skipToken`), as objects.
   */
  async queryResourceGraph(query: string): Promise<Array<Record<string, unknown>>> {
    const url = new URL("/providers/Microsoft.ResourceGraph/resources", this.endpoint);
    url.searchParams.set("api-version", RESOURCE_GRAPH_API_VERSION);
    const rows: Array<Record<string, unknown>> = [];
    const seen = new Set<string>();
    const seenRows = new Set<string>();
    for (let skipToken: string | undefined, pages = 0; ; pages++) {
      if (pages >= this.maxPages)
        throw new ArmError(
          `more than ${this.maxPages} pages from Resource Graph; the list is incomplete`,
          "PagingLimit",
        );
      const answer = resourceGraphPageModel.safeParse(
        withoutNulls(
          await this.get(url, {
            query,
            options: { resultFormat: "objectArray", $top: 1000, ...(skipToken ? { $skipToken: skipToken } : {}) },
          }),
        ),
      );
      if (!answer.success)
        throw new ArmError(
          `unexpected response from Resource Graph: ${answer.error.issues[0].path.join(".") || "(body)"}: ${answer.error.issues[0].message}`,
          "InvalidResponse",
        );
      if (String(answer.data.resultTruncated).toLowerCase() === "true")
        throw new ArmError(
          "Resource Graph cut its answer short (resultTruncated); the list is incomplete",
          "Truncated",
        );
      // One row per id, however many pages repeat it; no spread (a page of 130,000 rows overflowed the call stack).
      for (const row of answer.data.data) {
        const key = itemKey(row);
        if (key !== undefined && seenRows.has(key)) continue;
        if (key !== undefined) seenRows.add(key);
        rows.push(row);
      }
      skipToken = answer.data.$skipToken;
      if (!skipToken) return rows;
      if (seen.has(skipToken))
        throw new ArmError(
          "Resource Graph paging loop: a $skipToken came back twice; the list is incomplete",
          "PagingLoop",
        );
      seen.add(skipToken);
    }
  }

  /** Every built-in role definition, every page (`$filter=type eq 'BuiltInRole'`). */
  async listBuiltInRoleDefinitions(): Promise<RoleDefinition[]> {
    return this.listAll(
      "/providers/Microsoft.Authorization/roleDefinitions",
      AUTHORIZATION_API_VERSION,
      { $filter: "type eq 'BuiltInRole'" },
      roleDefinitionModel,
    );
  }

  private async listAll<T extends z.ZodType>(
    path: string,
    apiVersion: string,
    query: Record<string, string | undefined>,
    item: T,
  ): Promise<z.output<T>[]> {
    const first = new URL(path, this.endpoint);
    first.searchParams.set("api-version", apiVersion);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) first.searchParams.set(key, value);
    const items: z.output<T>[] = [];
    const seen = new Set<string>();
    const seenItems = new Set<string>();
    let next: URL | undefined = first;
    while (next) {
      if (seen.has(next.href))
        throw new ArmError(`paging loop: ${next.href} was already read; the list is incomplete`, "PagingLoop");
      if (seen.size >= this.maxPages)
        throw new ArmError(
          `more than ${this.maxPages} pages from ${first.href}; the list is incomplete`,
          "PagingLimit",
        );
      seen.add(next.href);
      const body = withoutNulls(await this.get(next));
      const page = listModel(item).safeParse(body);
      if (!page.success) {
        const issue = page.error.issues[0];
        throw new ArmError(
          `unexpected response from ${next.href}: ${issue.path.join(".") || "(body)"}: ${issue.message}`,
          "InvalidResponse",
        );
      }
      // One item per id, however many pages repeat it; no spread (a page of 130,000 items overflowed the call stack).
      for (const value of page.data.value as z.output<T>[]) {
        const key = itemKey(value);
        if (key !== undefined && seenItems.has(key)) continue;
        if (key !== undefined) seenItems.add(key);
        items.push(value);
      }
      next = page.data.nextLink ? this.sameOrigin(page.data.nextLink) : undefined;
    }
    return items;
  }

  /** A nextLink may only lead back to the endpoint: the bearer token goes with it. */
  private sameOrigin(link: string): URL {
    const url = new URL(link, this.endpoint);
    if (url.origin !== this.endpoint.origin)
      throw new ArmError(`nextLink leads to ${url.origin}, not ${this.endpoint.origin}; refused`, "InvalidResponse");
    return url;
  }

  /**
   * A GET (or, with `body`, a JSON POST) of `url`: the parsed JSON answer, or an ArmError whose
   * message names the call (method and path: no secret is in them), which ARM's own text may not.
   */
  private async get(url: URL, body?: unknown): Promise<unknown> {
    const overtime = () =>
      new ArmError(
        `the reads from ${this.endpoint.origin} took more than ${this.totalMs / 1000} s in all; stopped (the list is incomplete)`,
        "Deadline",
      );
    const remaining = this.deadline - Date.now();
    if (remaining <= 0) throw overtime();
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), remaining);
    try {
      return await this.send(url, body, deadline.signal);
    } catch (error) {
      if (deadline.signal.aborted) throw overtime();
      // A token that cannot be had is no call's fault; a message with the URL already names it.
      if (!(error instanceof ArmError) || error.code === "Credential" || error.message.includes(url.pathname))
        throw error;
      const call = `${body === undefined ? "GET" : "POST"} ${printable(url.pathname)}`;
      throw new ArmError(`${error.message} in ${call}`, error.code, error.status);
    } finally {
      clearTimeout(timer);
    }
  }

  private async send(url: URL, body: unknown, deadline: AbortSignal): Promise<unknown> {
    // The token goes to the configured endpoint only, whatever built the URL.
    if (url.origin !== this.endpoint.origin)
      throw new ArmError(`a request to ${url.origin}, not ${this.endpoint.origin}; refused`, "InvalidResponse");
    // Aborted when a body fails its limits: the connection goes too (a stalled gzip stream's
    // source would otherwise keep it, and the process, alive).
    const abort = new AbortController();
    const stop = () => abort.abort();
    deadline.addEventListener("abort", stop);
    const request = createPipelineRequest({
      url: url.href,
      abortSignal: abort.signal,
      method: body === undefined ? "GET" : "POST",
      headers: createHttpHeaders({
        accept: "application/json",
        "accept-encoding": "gzip",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      }),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      // Connecting and the response's headers have a deadline per attempt (settledAttemptPolicy),
      // the body its own below.
      allowInsecureConnection: url.protocol === "http:",
      // Every body as a stream, so that its size and its time are ours to bound.
      streamResponseStatusCodes: new Set([Number.POSITIVE_INFINITY]),
    });
    let response: PipelineResponse;
    let text: string;
    try {
      response = await this.pipeline.sendRequest(this.httpClient, request);
      text = await readBody(response, url, this.maxResponseBytes, this.timeoutMs);
    } catch (error) {
      abort.abort();
      throw asArmError(error, url, this.timeoutMs);
    }
    this.budget -= Buffer.byteLength(text, "utf8");
    if (this.budget < 0)
      throw new ArmError(
        `the answers from ${url.origin} exceed ${this.totalBytes / 1024 / 1024} MiB in all; refused (the list is incomplete)`,
        "ResponseBudget",
        response.status,
      );
    if (response.status >= 300 && response.status < 400) {
      throw new ArmError(
        `${url.origin} answered with a redirect (HTTP ${response.status}); refused: ARM does not redirect these calls, and the token must not follow`,
        "Redirect",
        response.status,
      );
    }
    if (response.status >= 200 && response.status < 300) {
      try {
        return JSON.parse(text);
      } catch {
        throw new ArmError(`response from ${url.href} is not JSON`, "InvalidResponse", response.status);
      }
    }
    const error = errorOf(response.status, text);
    if (response.status !== 401) throw error;
    // A refused token is not fixed by waiting: say what is.
    const claims = /\bclaims=/i.test(response.headers.get("www-authenticate") ?? "");
    throw new ArmError(
      claims
        ? `${error.message}; Azure asks for a claims challenge (Conditional Access or a revoked session): sign in again (az login) and retry`
        : `${error.message}; the token was refused (expired, or for another tenant or audience): sign in again (az login), or give a fresh ${this.tokenVariable}`,
      error.code,
      error.status,
    );
  }
}

/** The body, decompressed, read within `limit` bytes and `timeoutMs`; anything else fails the read. */
function readBody(response: PipelineResponse, url: URL, limit: number, timeoutMs: number): Promise<string> {
  const stream = response.readableStreamBody;
  if (!stream) return Promise.resolve(response.bodyAsText ?? "");
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (error: ArmError) => {
      clearTimeout(timer);
      (stream as NodeJS.ReadableStream & { destroy(): void }).destroy();
      reject(error);
    };
    const timer = setTimeout(
      () =>
        fail(
          new ArmError(
            `the answer from ${url.origin} stalled: not complete within ${timeoutMs} ms`,
            "Timeout",
            response.status,
          ),
        ),
      timeoutMs,
    );
    stream.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit)
        fail(
          new ArmError(
            `the answer from ${url.origin} is larger than ${limit / 1024 / 1024} MiB; refused`,
            "ResponseTooLarge",
            response.status,
          ),
        );
      else chunks.push(chunk);
    });
    stream.on("end", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
    stream.on("error", (error: Error) =>
      fail(
        new ArmError(
          `the answer from ${url.origin} broke off: ${printable(error.message)}`,
          "Network",
          response.status,
        ),
      ),
    );
  });
}

/** What the pipeline threw, as an ArmError: a timeout, a network failure, or ours passed through. */
function asArmError(error: unknown, url: URL, timeoutMs: number): ArmError {
  if (error instanceof ArmError) return error;
  const name = (error as Error).name;
  if (name === "AbortError") return new ArmError(`no answer from ${url.origin} within ${timeoutMs} ms`, "Timeout");
  const code = (error as { code?: string }).code;
  return new ArmError(`cannot reach ${url.origin}: ${printable(code ?? (error as Error).message)}`, "Network");
}

function errorOf(status: number, text: string): ArmError {
  let parsed: ReturnType<typeof errorResponseModel.safeParse> | undefined;
  try {
    parsed = errorResponseModel.safeParse(JSON.parse(text));
  } catch {
    parsed = undefined;
  }
  if (parsed?.success)
    return new ArmError(
      `${printable(parsed.data.error.code)}: ${printable(parsed.data.error.message)} (HTTP ${status})`,
      parsed.data.error.code,
      status,
    );
  return new ArmError(`HTTP ${status} with no ARM error body`, `Http${status}`, status);
}
