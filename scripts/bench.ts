/**
 * npm run bench [-- --customers 200 --subscriptions 5]
 *
 * Generates a synthetic fleet (default: 200 customers × 5 subscriptions = 1,000 subscriptions,
 * 3 offers, one identity per customer) and measures, each phase in a child process of its own
 * so that peak memory is that phase's: validate (every file), plan (every stack, policies
 * included), diff (every stack, base vs head with one offer changed), and the floor: a
 * minimal hand-written azure-native program that registers the same resources with the same
 * inputs under the same mocks. Prints wall time, peak RSS, resources, and plan/floor ratios.
 * Then the worst cases for the validator: each 1 MiB adversarial file of
 * scripts/hostile-inputs.ts, validated by the command as a user runs it, beside an ordinary
 * offer (limit: 2 s each, start-up included).
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { HOSTILE_OFFERS } from "./hostile-inputs";

const { values } = parseArgs({
  options: {
    phase: { type: "string" },
    fleet: { type: "string" },
    customers: { type: "string", default: "200" },
    subscriptions: { type: "string", default: "5" },
  },
});

const root = join(__dirname, "..");
const guid = (kind: number, customer: number, index: number) =>
  `${kind.toString(16).padStart(8, "0")}-${customer.toString(16).padStart(4, "0")}-4${index.toString(16).padStart(3, "0")}-8000-000000000000`;

/** Three offers (the examples plus a third), 200 customer stacks, one identity each. */
function generateFleet(dir: string, customers: number, subscriptionsPerCustomer: number): void {
  mkdirSync(join(dir, "stacks"), { recursive: true });
  cpSync(join(root, "offers"), join(dir, "offers"), { recursive: true });
  cpSync(join(root, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
  writeFileSync(
    join(dir, "offers", "contoso-monitoring.yaml"),
    readFileSync(join(root, "offers", "contoso-operations.yaml"), "utf8")
      .replace("Contoso Managed Operations", "Contoso Monitoring")
      .replace("role: Contributor", "role: Monitoring Contributor"),
  );
  for (let customer = 0; customer < customers; customer++) {
    const subscriptions = Array.from({ length: subscriptionsPerCustomer }, (_, index) => guid(0xa, customer, index));
    const rgDelegation = customer % 2 === 1;
    const lines = [
      "config:",
      "  lighthouse:customer:",
      `    name: Customer ${customer}`,
      `    tenantId: ${guid(0xc, customer, 0)}`,
      "  lighthouse:delegations:",
      "    - offer: offers/contoso-operations.yaml",
      "      subscriptions:",
      ...subscriptions.flatMap((id) => [`        - subscriptionId: ${id}`, ...(rgDelegation ? ["          resourceGroups: [rg-app, rg-data]"] : [])]),
      "    - offer: offers/contoso-escalation.yaml",
      "      subscriptions:",
      ...subscriptions.slice(0, 2).map((id) => `        - subscriptionId: ${id}`),
      "    - offer: offers/contoso-monitoring.yaml",
      "      subscriptions:",
      `        - subscriptionId: ${subscriptions[subscriptionsPerCustomer - 1]}`,
      "  lighthouse:identities:",
      "    - name: id-automation",
      `      subscriptionId: ${subscriptions[0]}`,
      "      resourceGroup: rg-automation",
      "      location: westeurope",
      "      federatedCredentials:",
      "        - {name: github-main, issuer: https://token.actions.githubusercontent.com, subject: repo:contoso/ops:ref:refs/heads/main}",
      "      roleAssignments:",
      `        - {role: Reader, scope: /subscriptions/${subscriptions[0]}}`,
      `        - {role: Virtual Machine Contributor, scope: /subscriptions/${subscriptions[1]}}`,
    ];
    writeFileSync(join(dir, "stacks", `Pulumi.customer-${customer}.yaml`), `${lines.join("\n")}\n`);
  }
}

/** One phase, in this (child) process; prints its figures as JSON. */
async function runPhase(phase: string, fleet: string): Promise<void> {
  const { stackNames } = await import("../src/plan/revision");
  const stacks = stackNames(fleet);
  const started = process.hrtime.bigint();
  let resources = 0;
  if (phase === "validate") {
    const { validatePaths } = await import("../src/validate");
    const report = validatePaths(fleet, [join(fleet, "offers"), join(fleet, "stacks")]);
    if (report.errors > 0) throw new Error(`fleet invalid: ${JSON.stringify(report.diagnostics.slice(0, 3))}`);
    resources = report.files.length;
  } else if (phase === "plan") {
    const { planStack } = await import("../src/plan/plan");
    const dump: Record<string, unknown> = {};
    for (const stack of stacks) {
      const plan = await planStack(fleet, stack);
      resources += plan.resources.length;
      dump[stack] = plan.resources;
    }
    writeFileSync(join(fleet, "plan-resources.json"), JSON.stringify(dump));
  } else if (phase === "diff") {
    const { planStack } = await import("../src/plan/plan");
    const { accessChanges } = await import("../src/plan/review");
    const base = join(fleet, "..", "base");
    let changes = 0;
    for (const stack of stacks) {
      const [before, after] = [await planStack(base, stack), await planStack(fleet, stack)];
      resources += before.resources.length + after.resources.length;
      changes += accessChanges(before.access, after.access).length;
    }
    if (changes === 0) throw new Error("the diff found no change: the fleet's base was not changed");
  } else if (phase === "validate-file") {
    // One file through the validator, as `npm run validate -- <file>` does.
    const { validatePaths } = await import("../src/validate");
    resources = validatePaths(join(fleet, ".."), [fleet]).diagnostics.length;
  } else if (phase === "floor") {
    // The same resources, same inputs, declared directly: no YAML, no validation, no policies.
    const { runOffline } = await import("../src/offline");
    const { Provider } = await import("@pulumi/azure-native/provider");
    const { RegistrationDefinition, RegistrationAssignment } = await import("@pulumi/azure-native/managedservices");
    const { UserAssignedIdentity, FederatedIdentityCredential } = await import("@pulumi/azure-native/managedidentity");
    const { RoleAssignment } = await import("@pulumi/azure-native/authorization");
    const constructors: Record<string, new (name: string, args: never) => unknown> = {
      "pulumi:providers:azure-native": Provider,
      "azure-native:managedservices:RegistrationDefinition": RegistrationDefinition,
      "azure-native:managedservices:RegistrationAssignment": RegistrationAssignment,
      "azure-native:managedidentity:UserAssignedIdentity": UserAssignedIdentity,
      "azure-native:managedidentity:FederatedIdentityCredential": FederatedIdentityCredential,
      "azure-native:authorization:RoleAssignment": RoleAssignment,
    };
    const dump = JSON.parse(readFileSync(join(fleet, "plan-resources.json"), "utf8")) as Record<string, Array<{ type: string; name: string; inputs: never }>>;
    for (const stack of stacks) {
      const { resources: registered } = await runOffline("lighthouse", stack, () => {
        for (const resource of dump[stack]) new constructors[resource.type](resource.name, resource.inputs);
      });
      resources += registered.length;
    }
  }
  const milliseconds = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(JSON.stringify({ phase, milliseconds, peakRssMiB: process.resourceUsage().maxRSS / 1024, resources, stacks: stacks.length }));
}

function main(): void {
  const customers = Number(values.customers);
  const perCustomer = Number(values.subscriptions);
  const workspace = mkdtempSync(join(tmpdir(), "lighthouse-bench-"));
  const fleet = join(workspace, "head");
  const base = join(workspace, "base");
  generateFleet(fleet, customers, perCustomer);
  generateFleet(base, customers, perCustomer);
  // The head revision raises the escalation offer's JIT duration: every customer has a change.
  const escalation = join(fleet, "offers", "contoso-escalation.yaml");
  writeFileSync(escalation, readFileSync(escalation, "utf8").replace("PT4H", "PT8H"));
  console.log(`fleet: ${customers} customers, ${customers * perCustomer} subscriptions, 3 offers, ${customers} identities (${workspace})`);

  const results: Record<string, { milliseconds: number; peakRssMiB: number; resources: number }> = {};
  for (const phase of ["validate", "plan", "diff", "floor"]) {
    const output = execFileSync(process.execPath, ["--import", "tsx", __filename, "--phase", phase, "--fleet", fleet], {
      cwd: root,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    results[phase] = JSON.parse(output);
    const { milliseconds, peakRssMiB, resources } = results[phase];
    console.log(`${phase.padEnd(9)} ${(milliseconds / 1000).toFixed(2).padStart(7)} s  peak RSS ${peakRssMiB.toFixed(0).padStart(5)} MiB  ${phase === "validate" ? "files" : "resources"} ${resources}`);
  }
  const { plan, floor } = results;
  console.log(`plan / floor: time ×${(plan.milliseconds / floor.milliseconds).toFixed(2)}, peak memory ×${(plan.peakRssMiB / floor.peakRssMiB).toFixed(2)}`);
  benchHostileInputs(workspace);
  rmSync(workspace, { recursive: true, force: true });
}

/** Wall time of one validation in a fresh process (start-up included), and its own figures. */
function validateOnce(file: string) {
  const started = process.hrtime.bigint();
  const output = execFileSync(process.execPath, ["--import", "tsx", __filename, "--phase", "validate-file", "--fleet", file], { cwd: root, encoding: "utf8" });
  const wallMilliseconds = Number(process.hrtime.bigint() - started) / 1e6;
  return { wallMilliseconds, ...(JSON.parse(output) as { milliseconds: number; peakRssMiB: number; resources: number }) };
}

function benchHostileInputs(workspace: string): void {
  const folder = join(workspace, "hostile");
  mkdirSync(folder);
  const inputs: Array<[string, string]> = [["an ordinary offer (offers/contoso-escalation.yaml)", readFileSync(join(root, "offers", "contoso-escalation.yaml"), "utf8")]];
  inputs.push(...Object.entries(HOSTILE_OFFERS).map(([name, make]): [string, string] => [name, make()]));
  console.log("\nvalidate, one file each (wall time includes start-up; limit 2 s):");
  inputs.forEach(([name, text], index) => {
    const file = join(folder, `input-${index}.yaml`);
    writeFileSync(file, text);
    const { wallMilliseconds, milliseconds, peakRssMiB, resources } = validateOnce(file);
    const size = `${(Buffer.byteLength(text) / 1024).toFixed(0)} KiB`;
    console.log(`  ${(wallMilliseconds / 1000).toFixed(2).padStart(5)} s (work ${(milliseconds / 1000).toFixed(2)} s)  peak RSS ${peakRssMiB.toFixed(0).padStart(4)} MiB  ${size.padStart(8)}  ${String(resources).padStart(6)} findings  ${name}`);
  });
}

if (values.phase) {
  runPhase(values.phase, values.fleet!).catch((error) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main();
}
