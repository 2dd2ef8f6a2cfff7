import * as pulumi from "@pulumi/pulumi";

type RegisterResource = (
  request: { getType(): string; getName(): string; getParent(): string; getDeletebeforereplace(): boolean },
  callback: (error: unknown, response?: { getUrn(): string }) => void,
) => Promise<void>;

/** One resource the program registered, with the inputs that would reach Azure. */
export interface RegisteredResource {
  type: string;
  name: string;
  urn: string;
  /** URN of the parent, or undefined for the stack's direct children. */
  parentUrn?: string;
  inputs: Record<string, unknown>;
  /** Whether a replacement deletes the old resource before creating the new one. */
  deleteBeforeReplace: boolean;
  /** Logical name of the explicit provider, when one was given. */
  providerName?: string;
  custom: boolean;
}

/** What Azure would return for a resource: realistic ids so outputs read like the real thing. */
function simulatedState(type: string, name: string, inputs: Record<string, unknown>): { id: string; state: Record<string, unknown> } {
  if (type === "azure-native:managedservices:RegistrationDefinition") {
    const id = `${String(inputs.scope)}/providers/Microsoft.ManagedServices/registrationDefinitions/${String(inputs.registrationDefinitionId)}`;
    return { id, state: { ...inputs, name: inputs.registrationDefinitionId } };
  }
  if (type === "azure-native:managedservices:RegistrationAssignment") {
    const id = `${String(inputs.scope)}/providers/Microsoft.ManagedServices/registrationAssignments/${String(inputs.registrationAssignmentId)}`;
    return { id, state: { ...inputs, name: inputs.registrationAssignmentId } };
  }
  return { id: `${name}-id`, state: inputs };
}

/**
 * Runs a Pulumi program in-process under Pulumi's own mocks and returns every resource it
 * registered, once all registrations have settled. No engine, no cloud, no credentials.
 */
export async function runOffline<T>(project: string, stack: string, program: () => T): Promise<{ result: T; resources: RegisteredResource[] }> {
  const registered: Array<Omit<RegisteredResource, "urn" | "parentUrn" | "deleteBeforeReplace">> = [];
  await pulumi.runtime.setMocks(
    {
      newResource: ({ type, name, inputs, provider, custom }) => {
        const providerName = provider ? provider.split("::")[3] : undefined;
        registered.push({ type, name, inputs, ...(providerName ? { providerName } : {}), custom: custom ?? false });
        const { id, state } = simulatedState(type, name, inputs);
        return { id: custom ? id : undefined, state };
      },
      call: ({ token }) => {
        throw new Error(`no offline answer for invoke ${token}`);
      },
    },
    project,
    stack,
    false,
  );
  // The mock's newResource sees neither parents nor options; the monitor's request does.
  const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource: RegisterResource };
  const urns = new Map<string, { urn: string; parentUrn?: string; deleteBeforeReplace: boolean }>();
  const registerResource = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) =>
    registerResource(request, (error, response) => {
      if (response) {
        const parentUrn = request.getParent();
        urns.set(`${request.getType()}::${request.getName()}`, {
          urn: response.getUrn(),
          deleteBeforeReplace: request.getDeletebeforereplace(),
          ...(parentUrn ? { parentUrn } : {}),
        });
      }
      callback(error, response);
    });
  const result = program();
  await pulumi.runtime.disconnect();
  const resources = registered.map((resource) => ({ ...resource, ...urns.get(`${resource.type}::${resource.name}`)! }));
  return { result, resources };
}

