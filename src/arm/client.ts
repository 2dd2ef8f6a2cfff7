import type { z } from "zod";
import { isGuid } from "../guid";
import { RESOURCE_GROUP_NAME_PATTERN } from "../stack/resourceGroup";
import { errorResponseModel, listModel, registrationAssignmentModel, registrationDefinitionModel, type RegistrationAssignment, type RegistrationDefinition } from "./models";

export const DEFAULT_ENDPOINT = "https://management.azure.com";
export const API_VERSION = "2022-10-01";

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
  /** Per request. Default 30 s. */
  timeoutMs?: number;
  /** Retries of one request on 429, 5xx and network errors. Default 4. */
  maxRetries?: number;
  /** Longest Retry-After honoured; a longer one fails the read instead of stalling it. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Pages followed through nextLink before giving up. Default 1,000. */
  maxPages?: number;
  /** For tests: how to wait between retries. */
  sleep?: (ms: number) => Promise<void>;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/** The endpoint, refused unless https (or http on loopback), so a token never travels in clear. */
export function checkedEndpoint(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ArmInputError(`--endpoint '${endpoint}' is not a URL`);
  }
  if (url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.test(url.hostname))) return url;
  throw new ArmInputError(`--endpoint '${endpoint}' must use https (plain http is allowed only on loopback)`);
}

const SCOPE_PATTERN = /^\/subscriptions\/([^/]+)(\/resourceGroups\/([^/]+))?$/i;

/** A scope typed by a user: `/subscriptions/<guid>[/resourceGroups/<name>]`, checked strictly. */
export function checkedScope(scope: string): string {
  const match = SCOPE_PATTERN.exec(scope);
  if (!match || !isGuid(match[1]) || (match[3] !== undefined && !RESOURCE_GROUP_NAME_PATTERN.test(match[3]))) {
    throw new ArmInputError(`'${scope}' is not a subscription or resource group scope (/subscriptions/<guid>[/resourceGroups/<name>])`);
  }
  return scope;
}

/** The API's $filter: `eq` for one managing tenant, `in` for several; only GUIDs get in. */
export function managedByFilter(tenantIds: readonly string[]): string | undefined {
  if (tenantIds.length === 0) return undefined;
  for (const id of tenantIds) if (!isGuid(id)) throw new ArmInputError(`managing tenant '${id}' is not a GUID`);
  const quoted = tenantIds.map((id) => `'${id.toLowerCase()}'`);
  return quoted.length === 1 ? `managedByTenantId eq ${quoted[0]}` : `managedByTenantId in (${quoted.join(", ")})`;
}

/** Seconds, or an HTTP date, as Retry-After allows. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Reads registration definitions and assignments, every page, with bounded retries. */
export class ArmClient {
  private readonly endpoint: URL;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly maxRetryAfterMs: number;
  private readonly maxPages: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: ArmClientOptions) {
    this.endpoint = checkedEndpoint(options.endpoint ?? DEFAULT_ENDPOINT);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxRetries = options.maxRetries ?? 4;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.maxPages = options.maxPages ?? 1_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async listRegistrationDefinitions(scope: string, managedByTenantIds: readonly string[] = []): Promise<RegistrationDefinition[]> {
    return this.listAll(checkedScope(scope), "registrationDefinitions", { $filter: managedByFilter(managedByTenantIds) }, registrationDefinitionModel);
  }

  async listRegistrationAssignments(scope: string, options: { expandRegistrationDefinition?: boolean } = {}): Promise<RegistrationAssignment[]> {
    return this.listAll(
      checkedScope(scope),
      "registrationAssignments",
      { $expandRegistrationDefinition: options.expandRegistrationDefinition ? "true" : undefined },
      registrationAssignmentModel,
    );
  }

  private async listAll<T extends z.ZodType>(scope: string, collection: string, query: Record<string, string | undefined>, item: T): Promise<z.output<T>[]> {
    const first = new URL(`${scope}/providers/Microsoft.ManagedServices/${collection}`, this.endpoint);
    first.searchParams.set("api-version", API_VERSION);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) first.searchParams.set(key, value);
    const items: z.output<T>[] = [];
    const seen = new Set<string>();
    let next: URL | undefined = first;
    while (next) {
      if (seen.has(next.href)) throw new ArmError(`paging loop: ${next.href} was already read; the list is incomplete`, "PagingLoop");
      if (seen.size >= this.maxPages) throw new ArmError(`more than ${this.maxPages} pages from ${first.href}; the list is incomplete`, "PagingLimit");
      seen.add(next.href);
      const body = await this.get(next);
      const page = listModel(item).safeParse(body);
      if (!page.success) {
        const issue = page.error.issues[0];
        throw new ArmError(`unexpected response from ${next.href}: ${issue.path.join(".") || "(body)"}: ${issue.message}`, "InvalidResponse");
      }
      items.push(...(page.data.value as z.output<T>[]));
      next = page.data.nextLink ? this.sameOrigin(page.data.nextLink) : undefined;
    }
    return items;
  }

  /** A nextLink may only lead back to the endpoint: the bearer token goes with it. */
  private sameOrigin(link: string): URL {
    const url = new URL(link, this.endpoint);
    if (url.origin !== this.endpoint.origin) throw new ArmError(`nextLink leads to ${url.origin}, not ${this.endpoint.origin}; refused`, "InvalidResponse");
    return url;
  }

  private async get(url: URL): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      let token: string;
      try {
        token = await this.options.token();
      } catch (error) {
        throw new ArmError(`cannot get an Azure token: ${(error as Error).message.split("\n")[0]}`, "Credential");
      }
      let response: Response;
      try {
        response = await fetch(url, {
          headers: { authorization: `Bearer ${token}`, accept: "application/json" },
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        const timedOut = (error as Error).name === "TimeoutError";
        if (attempt < this.maxRetries) {
          await this.sleep(this.backoff(attempt));
          continue;
        }
        throw timedOut
          ? new ArmError(`no answer from ${url.origin} within ${this.timeoutMs} ms (${attempt + 1} attempts)`, "Timeout")
          : new ArmError(`cannot reach ${url.origin}: ${(error as Error).message}`, "Network");
      }
      const text = await response.text();
      if (response.ok) {
        try {
          return JSON.parse(text);
        } catch {
          throw new ArmError(`response from ${url.href} is not JSON`, "InvalidResponse", response.status);
        }
      }
      const transient = response.status === 429 || response.status >= 500;
      if (transient && attempt < this.maxRetries) {
        const wait = retryAfterMs(response.headers.get("retry-after")) ?? this.backoff(attempt);
        if (wait > this.maxRetryAfterMs) throw new ArmError(`${url.origin} asks to retry after ${Math.round(wait / 1000)} s; giving up`, "Throttled", response.status);
        await this.sleep(wait);
        continue;
      }
      throw this.errorOf(response.status, text, attempt);
    }
  }

  private backoff(attempt: number): number {
    return Math.min(500 * 2 ** attempt, 8_000);
  }

  private errorOf(status: number, text: string, attempt: number): ArmError {
    let parsed: ReturnType<typeof errorResponseModel.safeParse> | undefined;
    try {
      parsed = errorResponseModel.safeParse(JSON.parse(text));
    } catch {
      parsed = undefined;
    }
    const retries = attempt > 0 ? ` after ${attempt + 1} attempts` : "";
    if (parsed?.success) return new ArmError(`${parsed.data.error.code}: ${parsed.data.error.message} (HTTP ${status}${retries})`, parsed.data.error.code, status);
    return new ArmError(`HTTP ${status}${retries} with no ARM error body`, `Http${status}`, status);
  }
}
