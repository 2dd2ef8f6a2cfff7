import type {
  EnforcementLevel,
  PolicyProviderResource,
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { RegisteredResource } from "../offline";

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

class NotApplicable extends Error {}

/** Enforcement level and settings of one policy: the pack's defaults overlaid with the user's config. */
function settingsOf(policy: ResourceValidationPolicy | StackValidationPolicy, config: PolicyPackConfig) {
  const entry = config[policy.name];
  const defaults = Object.fromEntries(
    Object.entries(policy.configSchema?.properties ?? {}).flatMap(([key, schema]) =>
      "default" in schema ? [[key, schema.default]] : [],
    ),
  );
  if (typeof entry === "string") return { enforcementLevel: entry, settings: defaults };
  const { enforcementLevel, ...settings } = entry ?? {};
  return {
    enforcementLevel: enforcementLevel ?? policy.enforcementLevel ?? "advisory",
    settings: { ...defaults, ...settings },
  };
}

const typeChecks = (type: string, props: Record<string, unknown>) => ({
  isType: (resourceClass: unknown) => (resourceClass as { __pulumiType?: string }).__pulumiType === type,
  asType: (resourceClass: unknown) =>
    ((resourceClass as { __pulumiType?: string }).__pulumiType === type ? props : undefined) as never,
});

/**
 * Runs CrossGuard policies in-process over resources recorded offline: the same validators
 * `pulumi preview --policy-pack` would call, without the engine. Results are sorted.
 */
export async function runPolicies(
  policies: Array<ResourceValidationPolicy | StackValidationPolicy>,
  resources: RegisteredResource[],
  config: PolicyPackConfig = {},
): Promise<Violation[]> {
  const byUrn = new Map<string, PolicyResource>();
  for (const resource of resources) {
    byUrn.set(resource.urn, {
      type: resource.type,
      props: resource.inputs,
      urn: resource.urn,
      name: resource.name,
      opts: {
        protect: false,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: {},
        additionalSecretOutputs: [],
      } as never,
      dependencies: [],
      propertyDependencies: {},
      ...typeChecks(resource.type, resource.inputs),
    });
  }
  const providerByName = new Map(
    resources
      .filter((resource) => resource.type.startsWith("pulumi:providers:"))
      .map((resource) => [resource.name, resource]),
  );
  for (const resource of resources) {
    const policyResource = byUrn.get(resource.urn)!;
    policyResource.dependencies = resource.dependencies.flatMap((urn) => byUrn.get(urn) ?? []);
    if (resource.parentUrn && byUrn.has(resource.parentUrn)) policyResource.parent = byUrn.get(resource.parentUrn);
    const provider = resource.providerName ? providerByName.get(resource.providerName) : undefined;
    if (provider)
      policyResource.provider = {
        type: provider.type,
        props: provider.inputs,
        urn: provider.urn,
        name: provider.name,
      } as PolicyProviderResource;
  }

  const violations: Violation[] = [];
  for (const policy of policies) {
    const { enforcementLevel, settings } = settingsOf(policy, config);
    if (enforcementLevel === "disabled") continue;
    const common = {
      getConfig: <T extends object>() => settings as T,
      stackTags: new Map<string, string>(),
      notApplicable: (reason?: string): never => {
        throw new NotApplicable(reason);
      },
    };
    const report = (fallback?: PolicyResource) => (message: string, urn?: string) => {
      const resource = (urn ? byUrn.get(urn) : undefined) ?? fallback;
      violations.push({
        policy: policy.name,
        enforcementLevel,
        message,
        ...(resource ? { resource: { type: resource.type, name: resource.name, urn: resource.urn } } : {}),
      });
    };
    const guard = async (run: () => void | Promise<void>) => {
      try {
        await run();
      } catch (error) {
        if (!(error instanceof NotApplicable)) throw error;
      }
    };
    if ("validateStack" in policy) {
      await guard(() => policy.validateStack({ ...common, resources: [...byUrn.values()] }, report()));
      continue;
    }
    const validators = [policy.validateResource ?? []].flat();
    for (const resource of byUrn.values()) {
      // A PolicyResource carries every field ResourceValidationArgs has (and a few more).
      const args = { ...common, ...resource } as unknown as ResourceValidationArgs;
      for (const validate of validators) await guard(() => validate(args, report(resource)));
    }
  }
  return violations.sort(
    (a, b) =>
      a.policy.localeCompare(b.policy) ||
      (a.resource?.urn ?? "").localeCompare(b.resource?.urn ?? "") ||
      a.message.localeCompare(b.message),
  );
}
