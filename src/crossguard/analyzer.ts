import { spawn, type ChildProcess } from "node:child_process";
import { getCompileCacheDir } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { credentials, type ServiceError } from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct, type JavaScriptValue } from "google-protobuf/google/protobuf/struct_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import {
  AnalyzeRequest,
  AnalyzerProviderResource,
  AnalyzerResource,
  AnalyzerResourceOptions,
  AnalyzeStackRequest,
  ConfigureAnalyzerRequest,
  EnforcementLevel as WireLevel,
  PolicyConfig,
  type AnalyzeResponse,
  type AnalyzerInfo,
} from "@pulumi/pulumi/proto/analyzer_pb";
import type { EnforcementLevel } from "@pulumi/policy";
import type { RegisteredResource } from "../offline";
import { TOOLKIT_ROOT } from "../project/paths";

/**
 * The policy pack as `pulumi preview --policy-pack` runs it: its entry (`new PolicyPack(...)`)
 * started as the engine starts an analyzer plugin (a process in the pack's folder that prints the
 * port of CrossGuard's own gRPC server), and driven over Pulumi's Analyzer protocol: Configure,
 * Analyze for every registered resource, AnalyzeStack once. Nothing of CrossGuard is re-implemented.
 */

/** One policy violation, as `npm run plan` reports it. */
export interface Violation {
  policy: string;
  enforcementLevel: EnforcementLevel;
  resource?: { type: string; name: string; urn: string };
  message: string;
}

/** Pulumi's policy config file shape: per policy, an enforcement level or an object of settings. */
export type PolicyPackConfig = Record<
  string,
  EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)
>;

/** Where the pack lives and how to start it: its folder (holding package.json) and entry file. */
export interface PolicyPackLocation {
  directory: string;
  entry: string;
  /** Node flags, e.g. a TypeScript loader for an uncompiled entry. */
  execArgv?: string[];
}

/** The pack (policies/) of a toolkit checkout: its compiled entry in dist/, or its TypeScript through tsx. */
export function policyPackAt(root: string, compiled: boolean): PolicyPackLocation {
  const directory = join(root, "policies");
  return compiled
    ? { directory, entry: join(root, "dist", "policies", "index.js") }
    : { directory, entry: join(directory, "index.ts"), execArgv: ["--import", "tsx"] };
}

/** This toolkit's pack, compiled when this code is. */
export const toolkitPolicyPack = (compiled = !__filename.endsWith(".ts")) => policyPackAt(TOOLKIT_ROOT, compiled);

/**
 * A pack already serving, for plans run one after another against one revision (`affected`
 * starts one per revision): its port, in the environment of the plan command.
 */
export const PACK_PORT_VARIABLE = "LIGHTHOUSE_POLICY_PACK_PORT";

/** The pack could not be started or answered with an error: no verdict, so no plan. */
export class PolicyPackError extends Error {
  // Its own name also sets it apart from Error for the type checker's `instanceof` narrowing.
  override readonly name = "PolicyPackError";
}

const LEVELS: Record<EnforcementLevel, WireLevel> = {
  advisory: WireLevel.ADVISORY,
  mandatory: WireLevel.MANDATORY,
  disabled: WireLevel.DISABLED,
  remediate: WireLevel.REMEDIATE,
};
const LEVEL_NAMES = new Map(Object.entries(LEVELS).map(([name, level]) => [level, name as EnforcementLevel]));

/** How long the pack may take to start and print its port. */
const START_TIMEOUT_MS = 60_000;

type PolicyInfo = {
  name: string;
  description: string;
  enforcementLevel: WireLevel;
  defaults: Record<string, unknown>;
};

export class PolicyPackServer {
  private policyList: Promise<PolicyInfo[]> | undefined;
  /** The config the pack holds, as sent by this connection. */
  private configured: string | undefined;

  private constructor(
    /** The port it serves on, for plans that connect instead of starting their own. */
    readonly port: string,
    private readonly process: ChildProcess | undefined,
    private readonly client: AnalyzerClient,
    /** What the pack's process has written to stderr so far (nothing when someone else started it). */
    readonly stderr: () => string,
  ) {}

  /** Starts the pack's process and connects to the port it prints. */
  static async start(location: PolicyPackLocation): Promise<PolicyPackServer> {
    // The pack loads @pulumi/policy and @pulumi/pulumi (0.6 s cold): share the commands' compile cache.
    const compileCache =
      process.env.NODE_COMPILE_CACHE ?? getCompileCacheDir?.() ?? join(tmpdir(), "node-compile-cache");
    const child = spawn(process.execPath, [...(location.execArgv ?? []), location.entry], {
      cwd: location.directory,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NODE_COMPILE_CACHE: compileCache },
    });
    // The engine stops its plugins; so does this process, however it ends.
    const stop = () => child.kill();
    process.once("exit", stop);
    child.once("exit", () => process.removeListener("exit", stop));
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += chunk.toString("utf8");
    });
    const port = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill();
        reject(new PolicyPackError("the policy pack did not start within a minute"));
      }, START_TIMEOUT_MS);
      const lines = createInterface({ input: child.stdout! });
      lines.once("line", (line) => {
        clearTimeout(timer);
        resolve(line.trim());
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new PolicyPackError(`the policy pack stopped before serving (exit ${code}): ${stderr.trim()}`));
      });
    });
    try {
      return PolicyPackServer.connect(port, () => stderr, child);
    } catch (error) {
      child.kill();
      throw error;
    }
  }

  /** The pack already serving at `port` on 127.0.0.1 (started by someone else, who stops it). */
  static connect(port: string, stderr = () => "", child?: ChildProcess): PolicyPackServer {
    if (!/^\d{1,5}$/.test(port))
      throw new PolicyPackError(`the policy pack's port is ${JSON.stringify(port)}, not a port`);
    const client = new AnalyzerClient(`127.0.0.1:${port}`, credentials.createInsecure(), {
      "grpc.max_receive_message_length": 400 * 1024 * 1024,
      "grpc.max_send_message_length": 400 * 1024 * 1024,
    });
    return new PolicyPackServer(port, child, client, stderr);
  }

  private call<Request, Response>(
    method: (request: Request, callback: (error: ServiceError | null, response: Response) => void) => unknown,
    request: Request,
  ): Promise<Response> {
    return new Promise((resolve, reject) =>
      method.call(this.client, request, (error, response) =>
        error
          ? reject(new PolicyPackError(`policy pack: ${error.details || error.message}\n${this.stderr()}`.trim()))
          : resolve(response),
      ),
    );
  }

  /** The pack's policies as GetAnalyzerInfo describes them, with the defaults of their config schemas. */
  async policies(): Promise<PolicyInfo[]> {
    const info = await this.call<Empty, AnalyzerInfo>(this.client.getAnalyzerInfo, new Empty());
    return info.getPoliciesList().map((policy) => {
      const properties = (policy.getConfigschema()?.getProperties()?.toJavaScript() ?? {}) as Record<
        string,
        { default?: unknown }
      >;
      return {
        name: policy.getName(),
        description: policy.getDescription(),
        enforcementLevel: policy.getEnforcementlevel(),
        defaults: Object.fromEntries(
          Object.entries(properties).flatMap(([key, schema]) => ("default" in schema ? [[key, schema.default]] : [])),
        ),
      };
    });
  }

  /**
   * Sends the user's policy config as the engine does: every policy it names, with the defaults of
   * the policy's config schema filled in and, where the user sets none, the policy's own
   * enforcement level (the wire's default would be advisory): the engine reconciles both first.
   */
  async configure(config: PolicyPackConfig, policies: PolicyInfo[]): Promise<void> {
    const request = new ConfigureAnalyzerRequest();
    const map = request.getPolicyconfigMap();
    for (const policy of policies) {
      const entry = config[policy.name];
      if (entry === undefined && Object.keys(policy.defaults).length === 0) continue;
      const { enforcementLevel, ...settings } = typeof entry === "string" ? { enforcementLevel: entry } : (entry ?? {});
      const wire = new PolicyConfig();
      wire.setEnforcementlevel(enforcementLevel ? LEVELS[enforcementLevel] : policy.enforcementLevel);
      wire.setProperties(Struct.fromJavaScript({ ...policy.defaults, ...settings } as Record<string, JavaScriptValue>));
      map.set(policy.name, wire);
    }
    await this.call<ConfigureAnalyzerRequest, Empty>(this.client.configure, request);
  }

  /**
   * Begins one analysis, as one preview does: the user's config sent first, then every resource
   * as it is registered, then the stack. The pack holds one config: one analysis at a time.
   */
  async begin(config: PolicyPackConfig = {}): Promise<PackAnalysis> {
    // The pack's policies do not change while it serves; a config already sent is not sent again
    // (a fleet's plans share one: two requests per stack saved).
    this.policyList ??= this.policies();
    this.policyList.catch(() => (this.policyList = undefined)); // asked again next time
    const policies = await this.policyList;
    const key = JSON.stringify(config);
    if (this.configured !== key) {
      this.configured = undefined;
      await this.configure(config, policies);
      this.configured = key;
    }
    return new PackAnalysis(
      (request) => this.call<AnalyzeRequest, AnalyzeResponse>(this.client.analyze, request),
      (request) => this.call<AnalyzeStackRequest, AnalyzeResponse>(this.client.analyzeStack, request),
      new Map(policies.map((policy) => [policy.name, policy.description])),
    );
  }

  /** Every violation the pack reports for these resources (one whole analysis), sorted. */
  async analyze(resources: RegisteredResource[], config: PolicyPackConfig = {}): Promise<Violation[]> {
    const analysis = await this.begin(config);
    for (const resource of resources) analysis.resource(resource);
    return analysis.finish(resources);
  }

  /** Disconnects, and stops the pack's process when it started it. */
  close(): void {
    this.client.close();
    this.process?.kill();
  }
}

/** Resource properties on the wire (a google.protobuf.Struct, as the engine sends them). */
const struct = (properties: Record<string, unknown>) =>
  Struct.fromJavaScript(JSON.parse(JSON.stringify(properties)) as Record<string, JavaScriptValue>);

/** One analysis in progress: Analyze requests go out as resources arrive; AnalyzeStack at the end. */
export class PackAnalysis {
  private readonly pending: Array<Promise<void>> = [];
  private readonly violations: Violation[] = [];
  /** Provider resources seen so far: a resource names its provider, registered before it. */
  private readonly providers = new Map<string, RegisteredResource>();

  constructor(
    private readonly analyzeResource: (request: AnalyzeRequest) => Promise<AnalyzeResponse>,
    private readonly analyzeStack: (request: AnalyzeStackRequest) => Promise<AnalyzeResponse>,
    private readonly descriptions: Map<string, string>,
  ) {}

  /** Sends one resource's inputs, as the engine does when the program registers it. */
  resource(resource: RegisteredResource): void {
    if (resource.type.startsWith("pulumi:providers:")) this.providers.set(resource.name, resource);
    const request = new AnalyzeRequest()
      .setType(resource.type)
      .setName(resource.name)
      .setUrn(resource.urn)
      .setProperties(struct(resource.inputs))
      .setOptions(this.options(resource));
    const provider = this.providerOf(resource);
    if (provider) request.setProvider(provider);
    const done = this.analyzeResource(request).then((response) => this.collect(response, resource));
    done.catch(() => undefined); // reported by finish()
    this.pending.push(done);
  }

  /** Waits for the requests sent so far, whatever their answers: an abandoned analysis, before the next begins. */
  async settled(): Promise<void> {
    await Promise.allSettled(this.pending);
  }

  /** Waits for every resource's analysis, then analyzes the stack (the resources' outputs); sorted. */
  async finish(resources: RegisteredResource[]): Promise<Violation[]> {
    await Promise.all(this.pending);
    const stack = new AnalyzeStackRequest().setResourcesList(
      resources.map((resource) => {
        const entry = new AnalyzerResource()
          .setType(resource.type)
          .setName(resource.name)
          .setUrn(resource.urn)
          .setProperties(struct(resource.outputs))
          .setOptions(this.options(resource))
          .setParent(resource.parentUrn ?? "")
          .setDependenciesList(resource.dependencies);
        const provider = this.providerOf(resource);
        if (provider) entry.setProvider(provider);
        return entry;
      }),
    );
    const byUrn = new Map(resources.map((resource) => [resource.urn, resource]));
    this.collect(await this.analyzeStack(stack), undefined, byUrn);
    return this.violations.sort(
      (a, b) =>
        a.policy.localeCompare(b.policy) ||
        (a.resource?.urn ?? "").localeCompare(b.resource?.urn ?? "") ||
        a.message.localeCompare(b.message),
    );
  }

  private options(resource: RegisteredResource): AnalyzerResourceOptions {
    return new AnalyzerResourceOptions()
      .setDeletebeforereplace(resource.deleteBeforeReplace)
      .setDeletebeforereplacedefined(resource.deleteBeforeReplace)
      .setAliasesList(resource.aliases)
      .setParent(resource.parentUrn ?? "");
  }

  private providerOf(resource: RegisteredResource): AnalyzerProviderResource | undefined {
    const provider = resource.providerName ? this.providers.get(resource.providerName) : undefined;
    return provider
      ? new AnalyzerProviderResource()
          .setType(provider.type)
          .setName(provider.name)
          .setUrn(provider.urn)
          .setProperties(struct(provider.inputs))
      : undefined;
  }

  private collect(response: AnalyzeResponse, subject?: RegisteredResource, byUrn?: Map<string, RegisteredResource>) {
    for (const diagnostic of response.getDiagnosticsList()) {
      const policy = diagnostic.getPolicyname();
      const resource = byUrn?.get(diagnostic.getUrn()) ?? subject;
      // CrossGuard prefixes every message with the policy's description and a newline.
      const prefix = `${this.descriptions.get(policy) ?? ""}\n`;
      const message = diagnostic.getMessage();
      this.violations.push({
        policy,
        enforcementLevel: LEVEL_NAMES.get(diagnostic.getEnforcementlevel()) ?? "advisory",
        message: message.startsWith(prefix) ? message.slice(prefix.length) : message,
        ...(resource ? { resource: { type: resource.type, name: resource.name, urn: resource.urn } } : {}),
      });
    }
  }
}
