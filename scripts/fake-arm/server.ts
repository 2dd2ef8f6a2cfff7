import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createGzip, gzipSync } from "node:zlib";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for Azure Resource Manager's Microsoft.ManagedServices list calls (API
 * 2022-10-01), on 127.0.0.1 only: bearer token required, api-version checked, both $filter forms
 * (eq, in), $expandRegistrationDefinition, paging through nextLink, ErrorResponse bodies, and
 * injectable faults. Items are served at the scope they live at (the id's prefix).
 */

export type Fault =
  | { kind: "throttle"; retryAfter: string }
  /** An ARM error answer; `code` defaults to InternalServerError (5xx) or BadRequest. */
  | { kind: "error"; status: number; code?: string; message?: string }
  /** 401 with a `WWW-Authenticate` claims challenge, as ARM sends under Conditional Access. */
  | { kind: "claims-challenge" }
  /** The connection is reset after the request is read: no answer at all. */
  | { kind: "reset" }
  | { kind: "slow"; ms: number }
  | { kind: "malformed" }
  | { kind: "loop" }
  | { kind: "foreign-next-link" }
  /** Headers and the start of a body, then nothing until the client gives up. */
  | { kind: "stall-body" }
  /** A body of this many bytes (valid JSON, padded with spaces). */
  | { kind: "oversize"; bytes: number }
  /** 64 KiB of gzip that inflates to 64 MiB. */
  | { kind: "gzip-bomb" }
  /** Gzip headers and the start of a compressed body, then nothing. */
  | { kind: "gzip-stall" }
  /** A page of `items` padded items linking to another such page, without end. */
  | { kind: "endless"; items: number }
  /** Resource Graph's answer marked resultTruncated: "true". */
  | { kind: "truncated" }
  | { kind: "redirect"; status: number; location: string };

export interface FakeArmOptions {
  definitions?: Array<Record<string, unknown>>;
  assignments?: Array<Record<string, unknown>>;
  /** Role definitions served at /providers/Microsoft.Authorization/roleDefinitions (API 2022-04-01). */
  roleDefinitions?: Array<Record<string, unknown>>;
  /** Microsoft.ManagedIdentity (API 2024-11-30): user-assigned identities, listed per resource group. */
  identities?: Array<Record<string, unknown>>;
  /** Federated credentials, listed under their identity's id, paged by `$top` and `$skiptoken`. */
  federatedCredentials?: Array<Record<string, unknown>>;
  /** System-assigned identities, read at `<resource id>/providers/Microsoft.ManagedIdentity/identities/default`. */
  systemIdentities?: Array<Record<string, unknown>>;
  /** Role assignments (API 2022-04-01), listed with `$filter=principalId eq '<id>'` at, above and below a scope. */
  roleAssignments?: Array<Record<string, unknown>>;
  /** The tenant-level Activity Log (API 2015-04-01): served from `eventTimestamp ge '<time>'` on. */
  events?: Array<Record<string, unknown>>;
  /** Microsoft Graph directory objects (users, groups, servicePrincipals, applications), by getByIds and servicePrincipals?$filter=appId eq. */
  directory?: Array<Record<string, unknown>>;
  /** Management groups: id → the subscriptions below it (Get Descendants, API 2021-04-01). */
  managementGroups?: Record<string, string[]>;
  /**
   * Partner Admin Link: the partner ID the signed-in principal is linked to, served at
   * /providers/Microsoft.ManagementPartner/partners/{partnerId} (API 2018-02-01); unset: not linked.
   */
  linkedPartnerId?: string;
  /** Items per page; more make nextLink pages. Default 100. */
  pageSize?: number;
  /** The token clients must send. Default "fake-token". */
  token?: string;
  /** Port on 127.0.0.1. Default: any free port. */
  port?: number;
  /** How long an idle keep-alive connection stays open, as a load balancer keeps it. Default Node's 5 s. */
  keepAliveMs?: number;
}

export interface FakeArm {
  url: string;
  /** Every request: method, path and query, authorization header. */
  requests: Array<{ path: string; query: URLSearchParams; authorization?: string }>;
  /** Faults served to the next requests, first in first out. */
  faults: Fault[];
  definitions: Array<Record<string, unknown>>;
  assignments: Array<Record<string, unknown>>;
  roleDefinitions: Array<Record<string, unknown>>;
  identities: Array<Record<string, unknown>>;
  federatedCredentials: Array<Record<string, unknown>>;
  systemIdentities: Array<Record<string, unknown>>;
  roleAssignments: Array<Record<string, unknown>>;
  events: Array<Record<string, unknown>>;
  directory: Array<Record<string, unknown>>;
  managementGroups: Record<string, string[]>;
  linkedPartnerId?: string;
  /** Connections open now (a client that gave up on an answer must not keep one). */
  connections(): Promise<number>;
  close(): Promise<void>;
}

const ROLE_DEFINITIONS = "/providers/microsoft.authorization/roledefinitions";
const DESCENDANTS = /^\/providers\/microsoft\.management\/managementgroups\/([^/]+)\/descendants$/;
const PARTNER = /^\/providers\/microsoft\.managementpartner\/partners\/([^/]+)$/;
const ACTIVITY_LOG = "/providers/microsoft.insights/eventtypes/management/values";
const RESOURCE_GRAPH = "/providers/microsoft.resourcegraph/resources";

/** Largest request body the fake reads: its clients send a query or a list of ids. */
const MAX_REQUEST_BYTES = 1024 * 1024;

/** A request's body, at most 1 MiB (a larger one is cut off and so fails to parse). */
const bodyOf = (request: IncomingMessage) =>
  new Promise<string>((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request
      .on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_REQUEST_BYTES) request.destroy();
        else chunks.push(chunk);
      })
      .on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
      .on("close", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
const COLLECTION = /^(.*)\/providers\/Microsoft\.ManagedServices\/(registrationDefinitions|registrationAssignments)$/i;
const FILTER = /^managedByTenantId (eq '([^']*)'|in \(((?:'[^']*'(?:, ?)?)+)\))$/;

let bomb: Buffer | undefined;
const gzipBomb = () =>
  (bomb ??= gzipSync(
    Buffer.concat([Buffer.from('{"value": ['), Buffer.alloc(64 * 1024 * 1024, 0x20), Buffer.from("]}")]),
  ));

function armError(response: ServerResponse, status: number, code: string, message: string) {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify({ error: { code, message } }));
}

/** ARM's answer to an api-version it does not serve (400 InvalidApiVersionParameter); true when given. */
function refusesApiVersion(url: URL, response: ServerResponse, served: string): boolean {
  const asked = url.searchParams.get("api-version");
  if (asked === served) return false;
  armError(response, 400, "InvalidApiVersionParameter", `The api-version '${asked}' is invalid.`);
  return true;
}

const managedByOf = (item: Record<string, unknown>) =>
  String((item.properties as Record<string, unknown>)?.managedByTenantId ?? "").toLowerCase();
/** Where an item lives: ARM ids compare case-insensitively, so does the fake. */
const scopeOf = (item: Record<string, unknown>) =>
  String(item.id)
    .split(/\/providers\/Microsoft\.ManagedServices\//i)[0]
    .toLowerCase();

export async function startFakeArm(options: FakeArmOptions = {}): Promise<FakeArm> {
  const token = options.token ?? "fake-token";
  const pageSize = options.pageSize ?? 100;
  const fake: Omit<FakeArm, "url" | "close" | "connections"> = {
    requests: [],
    faults: [],
    definitions: options.definitions ?? [],
    assignments: options.assignments ?? [],
    roleDefinitions: options.roleDefinitions ?? [],
    identities: options.identities ?? [],
    federatedCredentials: options.federatedCredentials ?? [],
    systemIdentities: options.systemIdentities ?? [],
    roleAssignments: options.roleAssignments ?? [],
    events: options.events ?? [],
    directory: options.directory ?? [],
    managementGroups: options.managementGroups ?? {},
    ...(options.linkedPartnerId ? { linkedPartnerId: options.linkedPartnerId } : {}),
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    fake.requests.push({
      path: url.pathname,
      query: url.searchParams,
      ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
    });
    const fault = fake.faults.shift();
    if (fault?.kind === "slow") await new Promise((resolve) => setTimeout(resolve, fault.ms));
    if (fault?.kind === "throttle") {
      response.writeHead(429, { "content-type": "application/json", "retry-after": fault.retryAfter });
      return response.end(
        JSON.stringify({ error: { code: "TooManyRequests", message: "Too many requests, retry later" } }),
      );
    }
    if (fault?.kind === "error")
      return armError(
        response,
        fault.status,
        fault.code ?? (fault.status >= 500 ? "InternalServerError" : "BadRequest"),
        fault.message ?? "injected failure",
      );
    if (fault?.kind === "claims-challenge") {
      response.setHeader(
        "www-authenticate",
        'Bearer authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnt9fQ=="',
      );
      return armError(response, 401, "InvalidAuthenticationToken", "The access token requires claims");
    }
    if (fault?.kind === "reset") return request.socket.destroy();
    if (fault?.kind === "stall-body") {
      response.writeHead(200, { "content-type": "application/json" });
      return response.write('{"value": [');
    }
    if (fault?.kind === "oversize") {
      response.writeHead(200, { "content-type": "application/json" });
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      response.write('{"value": [');
      for (let sent = 0; sent < fault.bytes && !response.destroyed; sent += chunk.length) {
        if (!response.write(chunk))
          await new Promise<void>((resolve) => {
            // Whichever comes first; the other listener goes too (20 waits would leak 20).
            const done = () => {
              response.off("drain", done).off("close", done);
              resolve();
            };
            response.on("drain", done).on("close", done);
          });
      }
      return response.end("]}");
    }
    if (fault?.kind === "gzip-bomb") {
      response.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
      return response.end(gzipBomb());
    }
    if (fault?.kind === "gzip-stall") {
      response.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
      const gzip = createGzip();
      gzip.pipe(response);
      gzip.write('{"value": [');
      return gzip.flush();
    }
    if (fault?.kind === "endless") {
      // Every page asks for the next one, a new address each time (no loop to detect).
      fake.faults.unshift(fault);
      const page = Number(url.searchParams.get("page") ?? 0) + 1;
      const next = new URL(url.href);
      next.searchParams.set("page", String(page));
      response.writeHead(200, { "content-type": "application/json" });
      return response.end(
        JSON.stringify({
          // Shaped as Activity Log events: the smallest items a list accepts.
          value: Array.from({ length: fault.items }, (_, index) => ({
            eventDataId: `${page}-${index}`,
            eventTimestamp: "2026-12-01T00:00:00Z",
            operationName: { value: "Microsoft.ManagedServices/registrationAssignments/write" },
            padding: "x".repeat(40),
          })),
          nextLink: `http://127.0.0.1:${(server.address() as AddressInfo).port}${next.pathname}${next.search}`,
        }),
      );
    }
    if (fault?.kind === "redirect") {
      response.writeHead(fault.status, { location: fault.location });
      return response.end();
    }
    if (fault?.kind === "malformed") {
      response.writeHead(200, { "content-type": "application/json" });
      return response.end('{"value": [');
    }
    if (request.headers.authorization !== `Bearer ${token}`)
      return armError(
        response,
        401,
        "AuthenticationFailed",
        "Authentication failed. The 'Authorization' header is missing or invalid.",
      );
    if (url.pathname.toLowerCase() === ROLE_DEFINITIONS) return servePage(roleDefinitions(url, response));
    if (url.pathname.toLowerCase() === ACTIVITY_LOG) return servePage(activityLog(url, response));
    if (url.pathname.toLowerCase() === RESOURCE_GRAPH)
      return resourceGraph(url, await bodyOf(request), response, fault?.kind === "truncated");
    if (url.pathname.startsWith("/v1.0/"))
      return graph(url, request.method === "POST" ? await bodyOf(request) : undefined, response);
    const path = decodeURIComponent(url.pathname).toLowerCase();
    const descendants = DESCENDANTS.exec(path);
    if (descendants) {
      if (refusesApiVersion(url, response, "2021-04-01")) return;
      const [group, subscriptions] =
        Object.entries(fake.managementGroups).find(([id]) => id.toLowerCase() === descendants[1]) ?? [];
      if (!subscriptions)
        return armError(response, 404, "NotFound", `management group '${descendants[1]}' was not found`);
      return servePage(
        subscriptions.map((subscription) => ({
          id: `/subscriptions/${subscription}`,
          type: "/subscriptions",
          name: subscription,
          properties: {
            displayName: `Subscription ${subscription}`,
            parent: { id: `/providers/Microsoft.Management/managementGroups/${group}` },
          },
        })),
      );
    }
    const partner = PARTNER.exec(path);
    if (partner) {
      if (refusesApiVersion(url, response, "2018-02-01")) return;
      // What Azure answers for a principal that is not linked is not documented: the fake says 404.
      if (fake.linkedPartnerId !== partner[1])
        return armError(response, 404, "NotFound", `no partner ${partner[1]} is linked to the signed-in principal`);
      response.writeHead(200, { "content-type": "application/json" });
      return response.end(
        JSON.stringify({
          id: `/providers/microsoft.managementpartner/partners/${partner[1]}`,
          name: partner[1],
          type: "Microsoft.ManagementPartner/partner",
          properties: { partnerId: partner[1], state: "Active" },
        }),
      );
    }
    if (
      path.includes("/providers/microsoft.managedidentity/") ||
      path.endsWith("/providers/microsoft.authorization/roleassignments")
    ) {
      return identityRoute(path, url, response, servePage);
    }
    if (refusesApiVersion(url, response, "2022-10-01")) return;
    const match = COLLECTION.exec(decodeURIComponent(url.pathname));
    if (!match) return armError(response, 404, "NotFound", `no route for ${url.pathname}`);
    const [, scope, collection] = match;

    let items = (collection.toLowerCase() === "registrationdefinitions" ? fake.definitions : fake.assignments).filter(
      (item) => scopeOf(item) === scope.toLowerCase(),
    );
    const filter = url.searchParams.get("$filter");
    if (filter !== null) {
      const parsed = FILTER.exec(filter);
      if (!parsed) return armError(response, 400, "InvalidFilter", `The $filter '${filter}' is not supported.`);
      const tenants =
        parsed[2] !== undefined ? [parsed[2]] : [...parsed[3].matchAll(/'([^']*)'/g)].map((quoted) => quoted[1]);
      const wanted = new Set(tenants.map((tenant) => tenant.toLowerCase()));
      // Only items that carry managedByTenantId themselves match: definitions. Assignments do not
      // (nothing documents filtering them by their definition), so a filtered assignment list is empty.
      items = items.filter((item) => wanted.has(managedByOf(item)));
    }
    if (collection.toLowerCase() === "registrationassignments") {
      const expand = url.searchParams.get("$expandRegistrationDefinition") === "true";
      items = items.map((item) => {
        const properties = { ...(item.properties as Record<string, unknown>) };
        const definition = fake.definitions.find(
          (candidate) =>
            String(candidate.id).toLowerCase() === String(properties.registrationDefinitionId).toLowerCase(),
        );
        if (expand && definition)
          properties.registrationDefinition = {
            id: definition.id,
            name: definition.name,
            properties: definition.properties,
            plan: definition.plan,
          };
        return { ...item, properties };
      });
    }

    return servePage(items);

    /** One page of `list` with a nextLink to the rest (nothing when an error was already sent). */
    function servePage(list: Array<Record<string, unknown>> | undefined, size = pageSize) {
      if (!list) return;
      const skip = Number(url.searchParams.get("$skiptoken") ?? 0);
      const body: Record<string, unknown> = { value: list.slice(skip, skip + size) };
      const next = new URL(url.href);
      next.host = request.headers.host ?? next.host;
      if (fault?.kind === "loop") {
        body.nextLink = next.href; // the same page again, forever
      } else if (fault?.kind === "foreign-next-link") {
        body.nextLink = "https://attacker.example/steal";
      } else if (skip + size < list.length) {
        next.searchParams.set("$skiptoken", String(skip + size));
        body.nextLink = next.href;
      }
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    }
  };

  /** Managed identities, their credentials, system-assigned identities and role assignments. */
  const identityRoute = (
    path: string,
    url: URL,
    response: ServerResponse,
    servePage: (list: Array<Record<string, unknown>> | undefined, size?: number) => void,
  ) => {
    const apiVersion = path.endsWith("/roleassignments") ? "2022-04-01" : "2024-11-30";
    if (refusesApiVersion(url, response, apiVersion)) return;
    const idOf = (item: Record<string, unknown>) => String(item.id).toLowerCase();
    if (path.endsWith("/providers/microsoft.managedidentity/userassignedidentities")) {
      return servePage(fake.identities.filter((item) => idOf(item).startsWith(`${path}/`)));
    }
    if (path.endsWith("/federatedidentitycredentials")) {
      const top = Number(url.searchParams.get("$top") ?? pageSize);
      return servePage(
        fake.federatedCredentials.filter((item) => idOf(item).startsWith(`${path}/`)),
        top,
      );
    }
    if (path.endsWith("/providers/microsoft.managedidentity/identities/default")) {
      const found = fake.systemIdentities.find((item) => idOf(item) === path);
      if (!found) return armError(response, 404, "ResourceNotFound", "The resource has no system-assigned identity.");
      response.writeHead(200, { "content-type": "application/json" });
      return response.end(JSON.stringify(found));
    }
    const principal = /^principalId eq '([^']+)'$/.exec(url.searchParams.get("$filter") ?? "")?.[1];
    if (!principal)
      return armError(response, 400, "InvalidFilter", "list role assignments with $filter=principalId eq '<id>'");
    const scope = path.replace(/\/providers\/microsoft\.authorization\/roleassignments$/, "");
    const related = (other: string) =>
      other === scope || other.startsWith(`${scope}/`) || scope.startsWith(`${other}/`);
    return servePage(
      fake.roleAssignments.filter((item) => {
        const properties = item.properties as Record<string, string>;
        return (
          properties.principalId.toLowerCase() === principal.toLowerCase() && related(properties.scope.toLowerCase())
        );
      }),
    );
  };

  /** Microsoft Graph v1.0: directoryObjects/getByIds, and servicePrincipals filtered by appId. */
  const graph = (url: URL, body: string | undefined, response: ServerResponse) => {
    const answer = (value: unknown[]) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(
        JSON.stringify({ "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#directoryObjects", value }),
      );
    };
    if (url.pathname === "/v1.0/directoryObjects/getByIds" && body !== undefined) {
      const { ids } = JSON.parse(body) as { ids: string[] };
      if (!Array.isArray(ids) || ids.length > 1000)
        return armError(response, 400, "Request_BadRequest", "ids: 1 to 1000 ids.");
      const wanted = new Set(ids.map((id) => id.toLowerCase()));
      return answer(fake.directory.filter((item) => wanted.has(String(item.id).toLowerCase())));
    }
    const appId = /^appId eq '([^']+)'$/.exec(url.searchParams.get("$filter") ?? "")?.[1];
    if (url.pathname === "/v1.0/servicePrincipals" && appId) {
      return answer(
        fake.directory.filter(
          (item) =>
            item["@odata.type"] === "#microsoft.graph.servicePrincipal" &&
            String(item.appId).toLowerCase() === appId.toLowerCase(),
        ),
      );
    }
    return armError(response, 404, "Request_ResourceNotFound", `no route for ${url.pathname}`);
  };

  /**
   * Azure Resource Graph (API 2021-03-01): the ManagedServicesResources query of the fleet
   * inventory, every registration definition and assignment, `$top` rows a page, `$skipToken` on.
   */
  const resourceGraph = (url: URL, body: string, response: ServerResponse, truncated: boolean) => {
    if (refusesApiVersion(url, response, "2021-03-01")) return;
    let request: { query?: string; options?: { $top?: number; $skipToken?: string } };
    try {
      request = JSON.parse(body);
    } catch {
      return armError(response, 400, "BadRequest", "The request body is not JSON.");
    }
    if (!/^managedservicesresources\b/i.test(request.query ?? ""))
      return armError(
        response,
        400,
        "InvalidQuery",
        "This fake answers queries of the ManagedServicesResources table only.",
      );
    const rows = [...fake.definitions, ...fake.assignments].map((item) => ({
      id: item.id,
      name: item.name,
      type: item.type,
      properties: item.properties,
    }));
    const top = Math.min(request.options?.$top ?? 1000, pageSize);
    const skip = Number(request.options?.$skipToken ?? 0);
    const page = rows.slice(skip, skip + top);
    response.writeHead(200, { "content-type": "application/json" });
    return response.end(
      JSON.stringify({
        totalRecords: rows.length,
        count: page.length,
        resultTruncated: truncated ? "true" : "false",
        data: page,
        ...(skip + top < rows.length ? { $skipToken: String(skip + top) } : {}),
      }),
    );
  };

  /** Tenant-level events since the filter's time, as the Activity Log lists them (newest first). */
  const activityLog = (url: URL, response: ServerResponse) => {
    if (refusesApiVersion(url, response, "2015-04-01")) return;
    const filter = /^eventTimestamp ge '([^']+)' and resourceProvider eq 'Microsoft\.ManagedServices'$/.exec(
      url.searchParams.get("$filter") ?? "",
    );
    if (!filter)
      return void armError(
        response,
        400,
        "BadRequest",
        "The $filter must give eventTimestamp ge '<time>' and resourceProvider eq 'Microsoft.ManagedServices'.",
      );
    const since = Date.parse(filter[1]);
    return fake.events
      .filter((event) => Date.parse(String(event.eventTimestamp)) >= since)
      .sort((a, b) => String(b.eventTimestamp).localeCompare(String(a.eventTimestamp)));
  };

  /** Built-in role definitions, as ARM lists them with $filter=type eq 'BuiltInRole'. */
  const roleDefinitions = (url: URL, response: ServerResponse) => {
    if (refusesApiVersion(url, response, "2022-04-01")) return;
    const filter = url.searchParams.get("$filter");
    if (filter !== null && filter !== "type eq 'BuiltInRole'")
      return void armError(response, 400, "InvalidFilter", `The $filter '${filter}' is not supported.`);
    return fake.roleDefinitions.filter(
      (role) => filter === null || (role.properties as Record<string, unknown>).type === "BuiltInRole",
    );
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error) => armError(response, 500, "FakeFailure", String(error)));
  });
  if (options.keepAliveMs !== undefined) server.keepAliveTimeout = options.keepAliveMs;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject); // a port in use
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    ...fake,
    url: `http://127.0.0.1:${port}`,
    connections: () =>
      new Promise<number>((resolve, reject) =>
        server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
      ),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // clients keep connections alive; do not wait for them
      }),
  };
}
