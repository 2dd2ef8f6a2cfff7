import * as pulumi from "@pulumi/pulumi";
import { Provider } from "@pulumi/azure-native/provider";
import { identityComponentName, systemIdentityComponentName } from "../src/identity/model";
import { delegationName, formerDelegationName, managementGroupNames } from "../src/delegation";
import { subscriptionOfScope } from "../src/azure/scopes";
import { formatDiagnostic } from "../src/diagnostics";
import { loadNamedStack } from "../src/stack/load";
import { findProjectRoot } from "../src/project/paths";
import { LighthouseDelegation } from "../components/lighthouseDelegation";
import { ManagementGroupDelegation } from "../components/managementGroupDelegation";
import { ManagedIdentity } from "../components/managedIdentity";
import { SystemAssignedIdentityAccess } from "../components/systemAssignedIdentityAccess";

export interface ProgramOptions {
  /** Directory holding Pulumi.yaml (and the stack files). Default: found from the working directory. */
  projectRoot?: string;
  /** Stack (customer) to deploy. Default: the current Pulumi stack. */
  stackName?: string;
}

/** Per subscription: what was delegated there. Exported by the stack as `summary`. */
export interface SubscriptionSummary {
  subscriptionId: string;
  delegations: Array<{
    offer: string;
    managedByTenantId: string;
    registrationDefinitionId: pulumi.Output<string>;
    scopes: string[];
  }>;
}

/**
 * The stack program: reads and validates `stacks/Pulumi.<stack>.yaml` and its offers, then
 * declares explicit azure-native providers (tenant and subscription from the stack file, never
 * ambient defaults), one LighthouseDelegation per offer and subscription and one
 * ManagementGroupDelegation per offer and management group (onboarding mode only), and the
 * stack's managed identities. Invalid config stops the program with the validator's
 * located messages.
 *
 * Providers: every explicit provider is a plugin process in a real `pulumi up` (one per provider
 * instance: pulumi/pulumi `sdk/go/common/resource/plugin/host.go`), so delegations, whose
 * resources take a full `scope` and never the provider's subscription in their URL, share one
 * provider for the stack's tenant, `azure-delegations`; only identities and role assignments,
 * whose paths hold `{subscriptionId}`, get one per subscription, `azure-<subscriptionId>`.
 * Moving a deployed delegation to another provider replaces nothing: azure-native's `DiffConfig`
 * never asks a replacement (provider.go), which the engine consults when a provider changes
 * (step_generator.go `providerChanged`).
 */
export function lighthouseProgram(options: ProgramOptions = {}) {
  const steps = lighthouseProgramSteps(options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * The same program with a pause after each subscription, for a driver that lets the event loop
 * turn there (`runSteps`): the SDK registers what is declared so far, and whatever reviews each
 * registration (the policy pack) starts while the rest is declared.
 */
export function* lighthouseProgramSteps(options: ProgramOptions = {}) {
  const projectRoot = options.projectRoot ?? findProjectRoot(process.cwd());
  const stackName = options.stackName ?? pulumi.getStack();
  const { stack, diagnostics } = loadNamedStack(projectRoot, stackName);
  if (!stack)
    throw new pulumi.RunError(`stack ${stackName} is not valid:\n${diagnostics.map(formatDiagnostic).join("\n")}`);
  for (const warning of diagnostics) pulumi.log.warn(formatDiagnostic(warning));

  // Managing mode: the stack runs in the managing tenant and reaches the customer through
  // Lighthouse (components: delegatedThroughLighthouse; plans and reviews: "through Lighthouse").
  const delegatedThroughLighthouse = stack.mode === "managing";

  // One explicit provider per subscription whose identities the stack deploys, signed in to the tenant that runs it.
  const providers = new Map<string, Provider>();
  const providerFor = (subscriptionId: string) => {
    let provider = providers.get(subscriptionId);
    if (!provider) {
      provider = new Provider(`azure-${subscriptionId}`, { subscriptionId, tenantId: stack.deploymentTenantId });
      providers.set(subscriptionId, provider);
    }
    return provider;
  };

  // The delegations' one provider: its subscription is only what azure-native signs in with (the
  // stack's first), never part of a delegation's URL.
  let delegationProvider: Provider | undefined;
  const delegationsProvider = (subscriptionId: string) =>
    (delegationProvider ??= new Provider("azure-delegations", { subscriptionId, tenantId: stack.deploymentTenantId }));

  // In managing mode the delegations already exist (the customer deployed them); they are listed
  // only so that identities can be checked against them.
  const summary: SubscriptionSummary[] = [];
  for (const { subscriptionId, delegations } of delegatedThroughLighthouse ? [] : stack.subscriptions) {
    summary.push({
      subscriptionId,
      delegations: delegations.map(({ offer, resourceGroups, adopt, naming }) => {
        const name = delegationName(offer.file, subscriptionId);
        const former = formerDelegationName(offer.name, subscriptionId);
        const delegation = new LighthouseDelegation(
          name,
          {
            offer,
            subscriptionId,
            resourceGroups,
            naming,
            customerTenantId: stack.customer.tenantId,
            ...(adopt ? { adopt } : {}),
          },
          {
            providers: [delegationsProvider(subscriptionId)],
            ...(former !== name ? { aliases: [{ name: former }] } : {}),
          },
        );
        return {
          offer: offer.name,
          managedByTenantId: offer.managedByTenantId,
          registrationDefinitionId: delegation.registrationDefinitionId,
          scopes: delegation.delegatedScopes,
        };
      }),
    });
    yield;
  }

  // Management groups onboarded by policy: one provider for the tenant, no subscription (the
  // resources' URLs name the management group). Whether azure-native signs in without a
  // subscription was not run here (no Azure): unknown.
  const managementGroups = delegatedThroughLighthouse ? [] : stack.managementGroups;
  const groupProvider =
    managementGroups.length > 0
      ? new Provider("azure-management-groups", { tenantId: stack.deploymentTenantId })
      : undefined;
  const policies = managementGroups.map(({ offer, managementGroupId, location, remediate }) => {
    const component = new ManagementGroupDelegation(
      managementGroupNames(offer.file, offer.definitionGuid, managementGroupId).logicalName,
      { offer, managementGroupId, location, remediate, customerTenantId: stack.customer.tenantId },
      { providers: [groupProvider!] },
    );
    return { offer: offer.name, managementGroupId, policyAssignmentId: component.policyAssignmentId };
  });

  const identities = stack.identities.map((identity) => {
    const component = new ManagedIdentity(
      identityComponentName(identity.subscriptionId, identity.resourceGroup, identity.name),
      {
        identityName: identity.name,
        subscriptionId: identity.subscriptionId,
        resourceGroupName: identity.resourceGroup,
        location: identity.location,
        ...(identity.tags ? { tags: identity.tags } : {}),
        ...(identity.isolationScope ? { isolationScope: identity.isolationScope } : {}),
        federatedCredentials: identity.federatedCredentials,
        roleAssignments: identity.roleAssignments,
        delegatedThroughLighthouse,
      },
      { providers: [providerFor(identity.subscriptionId)] },
    );
    return {
      name: identity.name,
      resourceId: component.resourceId,
      clientId: component.clientId,
      principalId: component.principalId,
    };
  });
  for (const identity of stack.systemAssignedIdentities) {
    new SystemAssignedIdentityAccess(
      systemIdentityComponentName(identity.resourceId),
      {
        resourceId: identity.resourceId,
        roleAssignments: identity.roleAssignments,
        delegatedThroughLighthouse,
      },
      { providers: [providerFor(subscriptionOfScope(identity.resourceId))] },
    );
  }
  const named = stack.subscriptions.filter((subscription) => subscription.name !== undefined);
  return {
    customer: stack.customer.name,
    mode: stack.mode,
    summary,
    ...(named.length
      ? {
          subscriptionNames: Object.fromEntries(
            named.map(({ subscriptionId, name }) => [subscriptionId.toLowerCase(), name!]),
          ),
        }
      : {}),
    ...(policies.length ? { managementGroups: policies } : {}),
    identities,
  };
}
