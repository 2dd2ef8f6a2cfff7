/**
 * npm run fake-arm -- --stack <name> [--port 8080]
 *
 * Serves, on 127.0.0.1 only, what Azure Resource Manager would answer once the stack is
 * deployed, plus another provider's delegation (the seed's "Test Corp." sample): the same local
 * fake the tests use (test/fake-arm/server.ts). Token: fake-token. Try:
 *   AZURE_ACCESS_TOKEN=fake-token npm run inventory -- --stack fabrikam --endpoint http://127.0.0.1:8080
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { OfferCache } from "../src/offer/cache";
import { findProjectRoot, loadStack, stackFilePath } from "../src/stack/load";
import { startFakeArm } from "../test/fake-arm/server";
import { deployedState } from "../test/fake-arm/state";

const { values } = parseArgs({ options: { stack: { type: "string" }, port: { type: "string", default: "8080" } } });
if (!values.stack) {
  console.error("usage: npm run fake-arm -- --stack <name> [--port 8080]");
  process.exit(2);
}
const { stack, diagnostics } = loadStack(stackFilePath(findProjectRoot(process.cwd()), values.stack), new OfferCache());
if (!stack) {
  console.error(diagnostics.map((diagnostic) => diagnostic.message).join("\n"));
  process.exit(2);
}
const state = deployedState(stack);
const subscription = stack.subscriptions[0].subscriptionId;
const other = JSON.parse(readFileSync(join(__dirname, "..", "test", "fixtures", "seed", "registration-definitions-list-filter-in.json"), "utf8")).value[1];
const otherId = `/subscriptions/${subscription}/providers/Microsoft.ManagedServices/registrationDefinitions/${other.name}`;
state.definitions.push({ ...other, id: otherId });
state.assignments.push({ id: `/subscriptions/${subscription}/providers/Microsoft.ManagedServices/registrationAssignments/${other.name}`, name: other.name, properties: { registrationDefinitionId: otherId, provisioningState: "Succeeded" } });

startFakeArm({ ...state, port: Number(values.port) }).then(
  (fake) => console.log(`fake ARM for stack ${values.stack} on ${fake.url} (token: fake-token); Ctrl-C to stop`),
  (error: NodeJS.ErrnoException) => {
    console.error(`cannot listen on 127.0.0.1:${values.port}: ${error.code ?? error.message} (try --port)`);
    process.exit(1);
  },
);
