import * as pulumi from "@pulumi/pulumi";
import {
  registrationAssignmentResourceId,
  registrationDefinitionResourceId,
  resourceGroupScope,
  subscriptionOfScope,
} from "./azure/scopes";
import { TYPES } from "./azure/resourceTypes";
import { armGuid } from "./azure/guid";

type RegisterResource = (
  request: {
    getType(): string;
    getName(): string;
    getParent(): string;
    getDeletebeforereplace(): boolean;
    getDependenciesList(): string[];
    getAliasesList(): Array<{ getUrn(): string; getSpec(): { getName(): string } | undefined }>;
  },
  callback: (error: unknown, response?: { getUrn(): string }) => void,
) => Promise<void>;

type RegisterResourceOutputs = (
  request: { getUrn(): string; getOutputs(): Parameters<typeof pulumi.runtime.deserializeProperties>[0] | undefined },
  callback: (error: unknown, response?: unknown) => void,
) => void;

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
  /**
   * What the resource returned: for a custom resource, the state Azure would (simulated); for a
   * component, the outputs it registered (`registerOutputs`), its typed contract with readers.
   */
  outputs: Record<string, unknown>;
  /** The id of an existing resource to adopt (Pulumi's `import` option), when given. */
  importId?: string;
  /** Logical name of the explicit provider, when one was given. */
  providerName?: string;
  custom: boolean;
}

/** A stand-in for a GUID Azure generates (principal and client ids): deterministic per resource. */
/** Values Azure would generate (principal and client ids), simulated for one run: recorded, so that outputs can say they are not real. */
class Simulated {
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

/**
 * Runs a Pulumi program in-process under Pulumi's own mocks and returns every resource it
 * registered, once all registrations have settled. No engine, no cloud, no credentials.
 * `onRegistered` sees each resource as soon as the engine would (its inputs and options known),
 * as a policy pack does during a preview.
 */
export async function runOffline<T>(
  project: string,
  stack: string,
  program: () => T,
  onRegistered?: (resource: RegisteredResource) => void,
): Promise<{ result: T; resources: RegisteredResource[]; simulated: ReadonlySet<string> }> {
  const simulated = new Simulated();
  type Requested = Omit<
    RegisteredResource,
    "urn" | "parentUrn" | "deleteBeforeReplace" | "dependencies" | "aliases" | "outputs"
  > & { state: Record<string, unknown> };
  /** What the mock saw, by `<type>::<name>`, until the monitor's response completes it. */
  const requested = new Map<string, Requested>();
  const resources: RegisteredResource[] = [];
  const providerInputs = new Map<string, Record<string, unknown>>();
  await pulumi.runtime.setMocks(
    {
      newResource: ({ type, name, inputs, provider, custom, id: importId }) => {
        // A provider reference is "<urn>::<id>"; the URN's last part is its logical name.
        const providerName = provider ? provider.split("::")[3] : undefined;
        if (type === TYPES.provider) providerInputs.set(name, inputs);
        const { id, state } = simulatedState(
          simulated,
          type,
          name,
          inputs,
          providerName ? providerInputs.get(providerName) : undefined,
        );
        requested.set(`${type}::${name}`, {
          type,
          name,
          inputs,
          state,
          ...(providerName ? { providerName } : {}),
          ...(importId ? { importId } : {}),
          custom: custom ?? false,
        });
        return { id: custom ? id : undefined, state };
      },
      call: ({ token, inputs }) => simulatedInvoke(simulated, token, inputs),
    },
    project,
    stack,
    false,
  );
  // The mock's newResource sees neither parents nor options, nor a component's registered
  // outputs; the monitor's requests do.
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource: RegisterResource;
    registerResourceOutputs: RegisterResourceOutputs;
  };
  const registerResource = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) =>
    registerResource(request, (error, response) => {
      const key = `${request.getType()}::${request.getName()}`;
      const seen = requested.get(key);
      if (response && seen) {
        requested.delete(key);
        const { state, ...resource } = seen;
        const parentUrn = request.getParent();
        const registered: RegisteredResource = {
          ...resource,
          urn: response.getUrn(),
          deleteBeforeReplace: request.getDeletebeforereplace(),
          dependencies: request.getDependenciesList(),
          // Names given in `aliases` (or whole URNs); specs without a name are the SDK's own parent variants.
          aliases: request
            .getAliasesList()
            .map((alias) => alias.getSpec()?.getName() || alias.getUrn())
            .filter(Boolean),
          ...(parentUrn ? { parentUrn } : {}),
          // A component's outputs are those it registers later (registerOutputs).
          outputs: resource.custom ? state : {},
        };
        resources.push(registered);
        onRegistered?.(registered);
      }
      callback(error, response);
    });
  const registeredOutputs = new Map<string, Record<string, unknown>>();
  const registerResourceOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (request, callback) => {
    const outputs = request.getOutputs();
    if (outputs) registeredOutputs.set(request.getUrn(), pulumi.runtime.deserializeProperties(outputs));
    registerResourceOutputs(request, callback);
  };
  const result = program();
  await pulumi.runtime.disconnect();
  for (const resource of resources) {
    const outputs = registeredOutputs.get(resource.urn);
    if (outputs && !resource.custom) resource.outputs = outputs;
  }
  return { result, resources, simulated: simulated.values };
}
