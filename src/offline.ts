import * as pulumi from "@pulumi/pulumi";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct, type JavaScriptValue } from "google-protobuf/google/protobuf/struct_pb";
import {
  ReadResourceResponse,
  RegisterResourceResponse,
  SupportsFeatureResponse,
  type ReadResourceRequest,
  type RegisterResourceOutputsRequest,
  type RegisterResourceRequest,
  type ResourceCallRequest,
  type ResourceInvokeRequest,
  type SupportsFeatureRequest,
} from "@pulumi/pulumi/proto/resource_pb";
import { InvokeResponse } from "@pulumi/pulumi/proto/provider_pb";
import {
  registrationAssignmentResourceId,
  managementGroupScope,
  registrationDefinitionResourceId,
  resourceGroupScope,
  subscriptionOfScope,
} from "./azure/scopes";
import { TYPES } from "./azure/resourceTypes";
import { armGuid } from "./azure/guid";

/** One resource the program registered, with the inputs that would reach Azure. */
export interface RegisteredResource {
  type: string;
  name: string;
  urn: string;
  /** URN of the parent, or undefined for the stack's direct children. */
  parentUrn?: string;
  inputs: Record<string, unknown>;
  /** URNs this resource depends on (explicit dependsOn and resources whose outputs it takes). */
  dependencies: string[];
  /** Whether a replacement deletes the old resource before creating the new one. */
  deleteBeforeReplace: boolean;
  /** Former names (or URNs) the engine should recognise this resource by (Pulumi's `aliases`). */
  aliases: string[];
  /** The same aliases as the SDK sends them (alias specs, or whole URNs): what the engine resolves to former URNs. */
  aliasSpecs: AliasSpec[];
  /** Per input property, the URNs its value came from (the engine's property dependencies). */
  propertyDependencies: Record<string, string[]>;
  /** URNs whose replacement replaces this resource too (Pulumi's `replaceWith`). */
  replaceWith: string[];
  /** The Azure resource id the engine would record (simulated as Azure would name it); "" for a component. */
  id: string;
  /**
   * What the resource returned: for a custom resource, the state Azure would (simulated); for a
   * component, the outputs it registered (`registerOutputs`), its typed contract with readers.
   */
  outputs: Record<string, unknown>;
  /** The id of an existing resource to adopt (Pulumi's `import` option), when given. */
  importId?: string;
  /** Logical name of the explicit provider, when one was given. */
  providerName?: string;
  /** URN of that provider. */
  providerUrn?: string;
  custom: boolean;
}

/**
 * One alias as the SDK sends it with the `aliasSpecs` feature (sdk/nodejs/runtime/resource.ts
 * `mapAliasesForRequest`): a whole former URN, or the parts that differ, the rest taken from the
 * resource itself when the engine resolves it (pulumi/pulumi step_generator.go `collapseAliasToUrn`).
 */
export type AliasSpec = { urn: string } | { name?: string; type?: string; parentUrn?: string; noParent?: boolean };

/** Values Azure would generate (principal and client ids), simulated for one run: recorded, so that outputs can say they are not real. */
export class Simulated {
  readonly values = new Set<string>();
  guid(kind: string, resourceId: string): string {
    const value = armGuid("offline", kind, resourceId.toLowerCase());
    this.values.add(value);
    return value;
  }
}

/** What Azure would return for a resource: realistic ids so outputs read like the real thing. */
function simulatedState(
  simulated: Simulated,
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  provider: Record<string, unknown> | undefined,
): { id: string; state: Record<string, unknown> } {
  const text = (key: string) => String(inputs[key]);
  const resourceGroup = () => resourceGroupScope(String(provider?.subscriptionId), text("resourceGroupName"));
  const identityOutputs = (id: string) => ({
    principalId: simulated.guid("principal", id),
    clientId: simulated.guid("client", id),
    tenantId: String(provider?.tenantId),
  });
  switch (type) {
    case TYPES.definition: {
      const id = registrationDefinitionResourceId(subscriptionOfScope(inputs.scope), text("registrationDefinitionId"));
      return { id, state: { ...inputs, name: inputs.registrationDefinitionId } };
    }
    case TYPES.assignment: {
      const id = registrationAssignmentResourceId(text("scope"), text("registrationAssignmentId"));
      return { id, state: { ...inputs, name: inputs.registrationAssignmentId } };
    }
    case TYPES.userAssignedIdentity: {
      const id = `${resourceGroup()}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${text("resourceName")}`;
      return { id, state: { ...inputs, name: inputs.resourceName, ...identityOutputs(id) } };
    }
    case TYPES.genericResource: {
      const id = `${resourceGroup()}/providers/${text("resourceProviderNamespace")}/${text("resourceType")}/${text("resourceName")}`;
      const properties = { ...(inputs.properties as Record<string, unknown>), ...identityOutputs(id) };
      return { id, state: { ...inputs, name: inputs.resourceName, properties } };
    }
    case TYPES.federatedCredential: {
      const id = `${resourceGroup()}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${text("resourceName")}/federatedIdentityCredentials/${text("federatedIdentityCredentialResourceName")}`;
      return { id, state: { ...inputs, name: inputs.federatedIdentityCredentialResourceName } };
    }
    case TYPES.roleAssignment: {
      const id = `${text("scope")}/providers/Microsoft.Authorization/roleAssignments/${text("roleAssignmentName")}`;
      return { id, state: { ...inputs, name: inputs.roleAssignmentName } };
    }
    case TYPES.policyDefinition: {
      const id = `${managementGroupScope(text("managementGroupId"))}/providers/Microsoft.Authorization/policyDefinitions/${text("policyDefinitionName")}`;
      return { id, state: { ...inputs, name: inputs.policyDefinitionName } };
    }
    case TYPES.policyAssignment: {
      const id = `${text("scope")}/providers/Microsoft.Authorization/policyAssignments/${text("policyAssignmentName")}`;
      const identity = { ...(inputs.identity as Record<string, unknown>), ...identityOutputs(id) };
      return { id, state: { ...inputs, name: inputs.policyAssignmentName, identity } };
    }
    case TYPES.remediation: {
      const id = `${managementGroupScope(text("managementGroupId"))}/providers/Microsoft.PolicyInsights/remediations/${text("remediationName")}`;
      return { id, state: { ...inputs, name: inputs.remediationName } };
    }
    default:
      return { id: `${name}-id`, state: inputs };
  }
}

/** The invokes a program may make, answered as Azure would (with simulated principal ids). */
function simulatedInvoke(
  simulated: Simulated,
  token: string,
  inputs: Record<string, unknown>,
): Record<string, unknown> {
  if (token === "azure-native:resources:getResource" && inputs.resourceType === "identities") {
    // The seed's get-by-scope: {resource}/providers/Microsoft.ManagedIdentity/identities/default.
    const resource = `rg:${String(inputs.resourceGroupName)}/${String(inputs.resourceProviderNamespace)}/${String(inputs.parentResourcePath)}`;
    return {
      properties: { principalId: simulated.guid("principal", resource), clientId: simulated.guid("client", resource) },
    };
  }
  throw new Error(`no offline answer for invoke ${token}`);
}

/** The request's property dependencies, properties that depend on nothing left out. */
function propertyDependenciesOf(request: RegisterResourceRequest): Record<string, string[]> {
  const dependencies: Record<string, string[]> = {};
  request.getPropertydependenciesMap().forEach((value, key) => {
    if (value.getUrnsList().length) dependencies[key] = value.getUrnsList();
  });
  return dependencies;
}

type Callback<T> = (error: Error | null, response?: T) => void;

/** Answers a protocol call from an async handler, as a gRPC server would (an error is the call's error). */
function answer<T>(callback: Callback<T>, handler: () => Promise<T>): void {
  handler().then(
    (response) => callback(null, response),
    (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
  );
}

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/** The features the offline engine implements; the SDK refuses a program that needs another. */
const SUPPORTED_FEATURES = new Set(["secrets", "resourceReferences", "aliasSpecs", "deletedWith", "replaceWith"]);

/** A value for the wire: the SDK's serialized form of `value`, as a google.protobuf.Struct. */
async function wireStruct(value: Record<string, unknown>): Promise<Struct> {
  return Struct.fromJavaScript(
    (await pulumi.runtime.serializeProperties("", value)) as Record<string, JavaScriptValue>,
  );
}

/**
 * The offline engine's resource monitor: the Pulumi SDK sends it the same ResourceMonitor protocol
 * messages it sends the engine (RegisterResourceRequest with the resource's serialized inputs and
 * every option, RegisterResourceOutputsRequest, ...), and it answers as the engine does, with the
 * state Azure would return simulated. URNs are made as the engine makes them.
 */
export class OfflineMonitor {
  /** Every resource in registration order, but the root stack. */
  readonly resources: RegisteredResource[] = [];
  private readonly byUrn = new Map<string, { resource: RegisteredResource; id: string }>();
  private rootUrn: string | undefined;

  constructor(
    private readonly project: string,
    private readonly stack: string,
    private readonly simulated: Simulated,
  ) {}

  /** The engine's URN: the parent's whole type chain before the type, except the root stack's. */
  private urnOf(parentUrn: string, type: string, name: string): string {
    const parentType = parentUrn && parentUrn !== this.rootUrn ? parentUrn.split("::")[2] : "";
    return `urn:pulumi:${this.stack}::${this.project}::${parentType ? `${parentType}$` : ""}${type}::${name}`;
  }

  /** Records one registration (or read) and returns the URN, id and state the engine would. */
  private async register(request: {
    type: string;
    name: string;
    parentUrn: string;
    custom: boolean;
    object: Struct | undefined;
    providerRef: string;
    importId: string;
    dependencies: string[];
    deleteBeforeReplace: boolean;
    aliasSpecs: AliasSpec[];
    propertyDependencies: Record<string, string[]>;
    replaceWith: string[];
  }): Promise<{ urn: string; id: string; state: Struct }> {
    const { type, name, parentUrn, custom, providerRef } = request;
    const urn = this.urnOf(parentUrn, type, name);
    if (type === ROOT_STACK_TYPE && !parentUrn) {
      this.rootUrn = urn;
      return { urn, id: "", state: new Struct() };
    }
    const inputs = request.object
      ? (pulumi.runtime.deserializeProperties(request.object) as Record<string, unknown>)
      : {};
    // A provider reference is "<provider urn>::<provider id>"; the URN's last part is its logical name.
    const providerUrn = providerRef ? providerRef.slice(0, providerRef.lastIndexOf("::")) : undefined;
    const provider = providerUrn ? this.byUrn.get(providerUrn)?.resource : undefined;
    const { id, state } = simulatedState(this.simulated, type, name, inputs, provider?.inputs);
    const resource: RegisteredResource = {
      type,
      name,
      urn,
      ...(parentUrn && parentUrn !== this.rootUrn ? { parentUrn } : {}),
      inputs,
      dependencies: request.dependencies,
      deleteBeforeReplace: request.deleteBeforeReplace,
      // Names given in `aliases` (or whole URNs).
      aliases: request.aliasSpecs.map((alias) => ("urn" in alias ? alias.urn : (alias.name ?? ""))).filter(Boolean),
      aliasSpecs: request.aliasSpecs,
      propertyDependencies: request.propertyDependencies,
      replaceWith: request.replaceWith,
      id: custom ? id : "",
      // A component's outputs are those it registers later (registerOutputs).
      outputs: custom ? state : {},
      ...(request.importId ? { importId: request.importId } : {}),
      ...(providerUrn ? { providerName: providerUrn.split("::")[3], providerUrn } : {}),
      custom,
    };
    this.resources.push(resource);
    this.byUrn.set(urn, { resource, id: custom ? id : "" });
    return { urn, id: custom ? id : "", state: await wireStruct(custom ? state : {}) };
  }

  registerResource(request: RegisterResourceRequest, callback: Callback<RegisterResourceResponse>): void {
    answer(callback, async () => {
      const { urn, id, state } = await this.register({
        type: request.getType(),
        name: request.getName(),
        parentUrn: request.getParent(),
        custom: request.getCustom(),
        object: request.getObject(),
        providerRef: request.getProvider(),
        importId: request.getImportid(),
        dependencies: request.getDependenciesList(),
        deleteBeforeReplace: request.getDeletebeforereplace(),
        aliasSpecs: request.getAliasesList().map((alias): AliasSpec => {
          const spec = alias.getSpec();
          if (!spec) return { urn: alias.getUrn() };
          return {
            ...(spec.getName() ? { name: spec.getName() } : {}),
            ...(spec.getType() ? { type: spec.getType() } : {}),
            ...(spec.getParenturn() ? { parentUrn: spec.getParenturn() } : {}),
            ...(spec.getNoparent() ? { noParent: true } : {}),
          };
        }),
        propertyDependencies: propertyDependenciesOf(request),
        replaceWith: request.getReplaceWithList(),
      });
      return new RegisterResourceResponse().setUrn(urn).setId(id).setObject(state);
    });
  }

  readResource(request: ReadResourceRequest, callback: Callback<ReadResourceResponse>): void {
    answer(callback, async () => {
      const { urn, state } = await this.register({
        type: request.getType(),
        name: request.getName(),
        parentUrn: request.getParent(),
        custom: true,
        object: request.getProperties(),
        providerRef: request.getProvider(),
        importId: request.getId(),
        dependencies: request.getDependenciesList(),
        deleteBeforeReplace: false,
        aliasSpecs: [],
        propertyDependencies: {},
        replaceWith: [],
      });
      return new ReadResourceResponse().setUrn(urn).setProperties(state);
    });
  }

  registerResourceOutputs(request: RegisterResourceOutputsRequest, callback: Callback<Empty>): void {
    answer(callback, async () => {
      const registered = this.byUrn.get(request.getUrn())?.resource;
      const outputs = request.getOutputs();
      if (registered && !registered.custom && outputs) {
        registered.outputs = pulumi.runtime.deserializeProperties(outputs) as Record<string, unknown>;
      }
      return new Empty();
    });
  }

  invoke(request: ResourceInvokeRequest, callback: Callback<InvokeResponse>): void {
    answer(callback, async () => {
      const args = request.getArgs();
      const inputs = args ? (pulumi.runtime.deserializeProperties(args) as Record<string, unknown>) : {};
      if (request.getTok() === "pulumi:pulumi:getResource") {
        // The SDK's way to rehydrate a resource reference: the resource's URN, id and state.
        const known = this.byUrn.get(String(inputs.urn));
        if (!known) throw new Error(`unknown resource ${String(inputs.urn)}`);
        const { resource, id } = known;
        return new InvokeResponse().setReturn(await wireStruct({ urn: resource.urn, id, state: resource.outputs }));
      }
      return new InvokeResponse().setReturn(
        await wireStruct(simulatedInvoke(this.simulated, request.getTok(), inputs)),
      );
    });
  }

  call(request: ResourceCallRequest, callback: Callback<never>): void {
    callback(new Error(`the offline engine does not answer method calls (${request.getTok()})`));
  }

  supportsFeature(request: SupportsFeatureRequest, callback: Callback<SupportsFeatureResponse>): void {
    callback(null, new SupportsFeatureResponse().setHassupport(SUPPORTED_FEATURES.has(request.getId())));
  }

  close(): void {}
}

/**
 * Runs a Pulumi program in-process against the offline engine and returns every resource it
 * registered, once all registrations have settled. No Pulumi CLI, no cloud, no credentials. Only
 * public SDK paths: `setMockOptions` connects the SDK to the offline monitor, and the program runs
 * in the root stack (`runInPulumiStack`), as Pulumi's language host runs it.
 *
 * The program runs with `Error.stackTraceLimit` 0: Pulumi's SDK records a stack trace on every
 * promise it makes (`debuggablePromise`, @pulumi/pulumi runtime/debuggable.js), read only to list
 * leaked promises when PULUMI_DEBUG_PROMISE_LEAKS is set; capturing and formatting them was 8.7 of
 * 20 s of a 1,000-stack plan (profile of 2026-12-05). Errors raised meanwhile keep their messages,
 * not their frames; PULUMI_DEBUG_PROMISE_LEAKS or LIGHTHOUSE_STACK_TRACES keeps the traces.
 */
export async function runOffline<T>(
  project: string,
  stack: string,
  program: () => T | Promise<T>,
): Promise<{ result: T; resources: RegisteredResource[]; simulated: ReadonlySet<string> }> {
  const simulated = new Simulated();
  const monitor = new OfflineMonitor(project, stack, simulated);
  pulumi.runtime.setMockOptions(monitor, project, stack, false);
  let outcome: { result: T } | { error: unknown } | undefined;
  const traces = Error.stackTraceLimit;
  if (!process.env.PULUMI_DEBUG_PROMISE_LEAKS && !process.env.LIGHTHOUSE_STACK_TRACES) Error.stackTraceLimit = 0;
  try {
    await pulumi.runtime.runInPulumiStack(async () => {
      // A program that throws fails the run, not the root stack (whose outputs nobody would await).
      try {
        outcome = { result: await program() };
      } catch (error) {
        outcome = { error };
      }
      return undefined;
    });
    await pulumi.runtime.disconnect();
  } finally {
    Error.stackTraceLimit = traces;
  }
  if (!outcome || "error" in outcome) throw outcome?.error;
  return { result: outcome.result, resources: monitor.resources, simulated: simulated.values };
}

/**
 * Runs a program declared in steps (a generator), letting the event loop turn after each: what
 * waits for I/O while the program runs (the policy pack's requests and answers) goes on meanwhile.
 */
export async function runSteps<T>(steps: Generator<void, T>): Promise<T> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise((resume) => setImmediate(resume));
  }
}
