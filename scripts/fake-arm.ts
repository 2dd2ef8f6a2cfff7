/**
 * npm run fake-arm -- --stack <name> [--port 8080]
 *
 * Serves, on 127.0.0.1 only, what Azure Resource Manager would answer once the stack is
 * deployed (delegations, managed identities with their credentials and role assignments), plus
 * another provider's delegation (the seed's "Test Corp." sample), and the role definitions list
 * (11 real built-in roles): the same local fake the tests use
 * (scripts/fake-arm/server.ts). Token: fake-token. Try:
 *   AZURE_ACCESS_TOKEN=fake-token npm run inventory -- --stack fabrikam --endpoint http://127.0.0.1:8080
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkedStackName, EXIT, parseCommandLine, runCommand, stackOrReport, UsageError } from "../src/cli/run";
import { findProjectRoot, TOOLKIT_ROOT } from "../src/project/paths";
import {
  registrationAssignmentResourceId,
  registrationDefinitionResourceId,
  subscriptionScope,
} from "../src/azure/scopes";
import { startFakeArm, type FakeArmOptions } from "./fake-arm/server";
import { deployedIdentities, deployedState, managingTenantOf, roleDefinitionsOf } from "./fake-arm/state";
import type { ResolvedStack } from "../src/stack/load";

const fixture = (file: string) => JSON.parse(readFileSync(join(TOOLKIT_ROOT, "test", "fixtures", file), "utf8"));

/** What the fake serves for a stack: its deployment, another provider's delegation beside it, 11 real role definitions. */
export function fakeArmOptions(stack: ResolvedStack): FakeArmOptions {
  const state = deployedState(stack);
  const subscription = stack.subscriptions[0]?.subscriptionId;
  if (subscription) {
    const other = fixture(join("seed", "registration-definitions-list-filter-in.json")).value[1];
    const otherId = registrationDefinitionResourceId(subscription, other.name);
    state.definitions.push({ ...other, id: otherId });
    state.assignments.push({
      id: registrationAssignmentResourceId(subscriptionScope(subscription), other.name),
      name: other.name,
      properties: { registrationDefinitionId: otherId, provisioningState: "Succeeded" },
    });
  }
  return {
    ...state,
    ...deployedIdentities(stack),
    ...managingTenantOf(stack),
    roleDefinitions: roleDefinitionsOf(fixture("az-role-definition-list.json")),
  };
}

export const command = runCommand(
  "fake-arm",
  async (argv) => {
    const { values } = parseCommandLine(argv, { stack: { type: "string" }, port: { type: "string" } });
    if (!values.stack) throw new UsageError("--stack is required");
    const port = Number(values.port ?? "8080");
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new UsageError(`--port must be a port number (1 to 65535)`);
    const stack = stackOrReport(findProjectRoot(process.cwd()), checkedStackName(values.stack));
    if (!stack) return EXIT.usage;
    try {
      const fake = await startFakeArm({ ...fakeArmOptions(stack), port });
      process.stdout.write(`fake ARM for stack ${values.stack} on ${fake.url} (token: fake-token); Ctrl-C to stop\n`);
    } catch (error) {
      process.stderr.write(
        `error: cannot listen on 127.0.0.1:${port}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message} (try --port)\n`,
      );
      return EXIT.failed;
    }
    // Serve until stopped: the command's promise never settles on purpose.
    return new Promise<number>(() => {});
  },
  __filename,
);
