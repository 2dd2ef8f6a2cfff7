import "./compileCache";
import { ArmClient, ArmError, ArmInputError, DEFAULT_ENDPOINT, checkedScope } from "../arm/client";
import { armTokenSource } from "../arm/credentials";
import { compareDiagnostics, formatDiagnostic, hasErrors } from "../diagnostics";
import { compareDelegations, compareFleet, driftText, fleetDriftText, fleetHasDrift } from "../inventory/drift";
import { expectedDelegations, stackScopes } from "../inventory/expected";
import { compareIdentities, identityDriftText, identityInventoryText, readIdentities } from "../inventory/identities";
import { inventoryText, readFleetInventory, readInventory } from "../inventory/inventory";
import { stackNames } from "../project/revision";
import { OfferCache } from "../offer/cache";
import { loadStack } from "../stack/load";
import { findProjectRoot, stackFilePath } from "../project/paths";
import { endpointOption } from "./endpoint";
import { checkedStackName, oneOf, parseCommandLine, runCommand, stackOrReport, UsageError } from "./run";
import { printable } from "../text";
import { subscriptionScope } from "../azure/scopes";

const EXIT_INVENTORY = { ok: 0, drift: 1, usage: 2, unreadable: 3 } as const;

/** --all: one Resource Graph query for the whole fleet; with drift, every stack at once. */
async function fleet(client: ArmClient, managedBy: string[], drift: boolean, format: "text" | "json"): Promise<number> {
  const projectRoot = findProjectRoot(process.cwd());
  const offers = new OfferCache();
  const loaded = stackNames(projectRoot).map((name) => loadStack(stackFilePath(projectRoot, name), offers));
  const problems = [...offers.diagnostics(), ...loaded.flatMap((item) => item.diagnostics)].sort(compareDiagnostics);
  if (drift && hasErrors(problems)) {
    for (const problem of problems) process.stderr.write(`${formatDiagnostic(problem)}\n`);
    return EXIT_INVENTORY.usage;
  }
  let inventory;
  try {
    inventory = await readFleetInventory(client, managedBy);
  } catch (error) {
    if (error instanceof ArmInputError) throw new UsageError(error.message);
    if (!(error instanceof ArmError)) throw error;
    process.stderr.write(`could not read the delegations (nothing below is complete): ${printable(error.message)}\n`);
    return EXIT_INVENTORY.unreadable;
  }
  if (!drift) {
    process.stdout.write(`${format === "json" ? JSON.stringify(inventory, null, 2) : inventoryText(inventory)}\n`);
    return EXIT_INVENTORY.ok;
  }
  const report = compareFleet(
    loaded.flatMap((item) => (item.stack ? [item.stack] : [])),
    inventory,
  );
  process.stdout.write(`${format === "json" ? JSON.stringify(report, null, 2) : fleetDriftText(report)}\n`);
  return fleetHasDrift(report) ? EXIT_INVENTORY.drift : EXIT_INVENTORY.ok;
}

export const command = runCommand(
  "inventory",
  async (argv) => {
    const { values } = parseCommandLine(argv, {
      stack: { type: "string" },
      scope: { type: "string" },
      "managed-by": { type: "string", multiple: true },
      drift: { type: "boolean" },
      identities: { type: "boolean" },
      all: { type: "boolean" },
      format: { type: "string" },
      endpoint: { type: "string" },
    });
    if ([values.stack, values.scope, values.all].filter(Boolean).length !== 1)
      throw new UsageError("give exactly one of --stack, --scope and --all");
    if (values.drift && !values.stack && !values.all)
      throw new UsageError("--drift compares with stacks: use --stack or --all");
    if (values.identities && !values.stack)
      throw new UsageError("--identities reads a stack's identities: use --stack");
    if (values.identities && values["managed-by"])
      throw new UsageError("--managed-by filters delegations, not identities");
    const format = oneOf("format", values.format, ["text", "json"] as const, "text");
    const managedBy = values["managed-by"] ?? [];
    const endpoint = endpointOption(values.endpoint, DEFAULT_ENDPOINT);
    try {
      if (values.scope) checkedScope(values.scope);
    } catch (error) {
      if (error instanceof ArmInputError) throw new UsageError(error.message);
      throw error;
    }

    let scopes = values.scope ? [values.scope] : [];
    let stack;
    if (values.stack) {
      stack = stackOrReport(findProjectRoot(process.cwd()), checkedStackName(values.stack));
      if (!stack) return EXIT_INVENTORY.usage;
      scopes = stackScopes(stack);
    }

    const client = new ArmClient({ endpoint, token: armTokenSource(endpoint) });
    if (values.all) return fleet(client, managedBy, Boolean(values.drift), format);
    if (values.identities && stack) {
      let identities;
      try {
        identities = await readIdentities(client, stack);
      } catch (error) {
        if (!(error instanceof ArmError)) throw error;
        process.stderr.write(
          `could not read the identities (nothing below is complete): ${printable(error.message)}\n`,
        );
        return EXIT_INVENTORY.unreadable;
      }
      if (values.drift) {
        const drift = compareIdentities(stack, identities);
        process.stdout.write(`${format === "json" ? JSON.stringify({ drift }, null, 2) : identityDriftText(drift)}\n`);
        return drift.length > 0 ? EXIT_INVENTORY.drift : EXIT_INVENTORY.ok;
      }
      process.stdout.write(
        `${format === "json" ? JSON.stringify(identities, null, 2) : identityInventoryText(identities)}\n`,
      );
      return EXIT_INVENTORY.ok;
    }
    let inventory;
    const groupSubscriptions = new Map<string, string[]>();
    try {
      for (const { managementGroupId } of stack?.managementGroups ?? []) {
        if (groupSubscriptions.has(managementGroupId)) continue;
        const subscriptions = await client.listManagementGroupSubscriptions(managementGroupId);
        groupSubscriptions.set(managementGroupId, subscriptions);
        scopes = [...new Set([...scopes, ...subscriptions.map(subscriptionScope)])];
      }
      inventory = await readInventory(client, scopes, managedBy);
    } catch (error) {
      if (error instanceof ArmInputError) throw new UsageError(error.message);
      if (!(error instanceof ArmError)) throw error;
      process.stderr.write(`could not read the delegations (nothing below is complete): ${printable(error.message)}\n`);
      return EXIT_INVENTORY.unreadable;
    }

    if (values.drift && stack) {
      const report = compareDelegations(expectedDelegations(stack, groupSubscriptions), inventory.delegations);
      process.stdout.write(`${format === "json" ? JSON.stringify(report, null, 2) : driftText(report)}\n`);
      return report.drift.length > 0 ? EXIT_INVENTORY.drift : EXIT_INVENTORY.ok;
    }
    process.stdout.write(`${format === "json" ? JSON.stringify(inventory, null, 2) : inventoryText(inventory)}\n`);
    return EXIT_INVENTORY.ok;
  },
  __filename,
);
