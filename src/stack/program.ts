import * as pulumi from "@pulumi/pulumi";
import { Provider } from "@pulumi/azure-native/provider";
import { LighthouseDelegation } from "../../components/lighthouseDelegation";
import { delegationName } from "../delegation";
import { compareDiagnostics, formatDiagnostic, hasErrors } from "../diagnostics";
import { OfferCache } from "../offer/cache";
import { findProjectRoot, loadStack, stackFilePath } from "./load";

export interface ProgramOptions {
  /** Directory holding Pulumi.yaml and stacks/. Default: found from the working directory. */
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
 * declares one explicit azure-native provider per customer subscription (tenant and
 * subscription from the stack file, never ambient defaults) and one LighthouseDelegation per
 * offer and subscription. Invalid config stops the program with the validator's located messages.
 */
export function lighthouseProgram(options: ProgramOptions = {}) {
  const projectRoot = options.projectRoot ?? findProjectRoot(process.cwd());
  const stackName = options.stackName ?? pulumi.getStack();
  const offers = new OfferCache();
  const loaded = loadStack(stackFilePath(projectRoot, stackName), offers);
  const diagnostics = [...offers.diagnostics(), ...loaded.diagnostics].sort(compareDiagnostics);
  if (hasErrors(diagnostics) || !loaded.stack) {
    throw new pulumi.RunError(`stack ${stackName} is not valid:\n${diagnostics.map(formatDiagnostic).join("\n")}`);
  }
  for (const warning of diagnostics) pulumi.log.warn(formatDiagnostic(warning));

  const { customer, subscriptions } = loaded.stack;
  const summary: SubscriptionSummary[] = subscriptions.map(({ subscriptionId, delegations }) => {
    const provider = new Provider(`azure-${subscriptionId}`, { subscriptionId, tenantId: customer.tenantId });
    return {
      subscriptionId,
      delegations: delegations.map(({ offer, resourceGroups }) => {
        const delegation = new LighthouseDelegation(
          delegationName(offer.name, subscriptionId),
          { offer, subscriptionId, resourceGroups, customerTenantId: customer.tenantId },
          { providers: [provider] },
        );
        return {
          offer: offer.name,
          managedByTenantId: offer.managedByTenantId,
          registrationDefinitionId: delegation.registrationDefinitionId,
          scopes: delegation.delegatedScopes,
        };
      }),
    };
  });
  return { customer: customer.name, summary };
}
