/**
 * The bench's floors, written without any of the project's code: what the same work costs with
 * nothing of this toolkit in the way.
 *   node dist/scripts/bench-floor.js validate <file>...   yaml's parseDocument with positions, per file
 *   node dist/scripts/bench-floor.js plan <plan.json>     the plan's azure-native resources, same names and
 *                                                          inputs, registered under Pulumi's mocks; a list
 *                                                          of plans (a fleet): one stack after another
 */
import { readFileSync } from "node:fs";
import type * as Pulumi from "@pulumi/pulumi";
import { LineCounter, parseDocument } from "yaml";

type Declared = { type: string; name: string; inputs: Record<string, unknown>; options?: { provider?: string } };

function validateFloor(files: string[]): number {
  let documents = 0;
  for (const file of files) {
    const lineCounter = new LineCounter();
    parseDocument(readFileSync(file, "utf8"), { lineCounter, uniqueKeys: false });
    documents++;
  }
  return documents;
}

type Constructor = new (
  name: string,
  args: Record<string, unknown>,
  options?: Pulumi.CustomResourceOptions,
) => Pulumi.CustomResource;

/** The class of each type token (`azure-native:<module>:<Type>`, or the provider), each module loaded once. */
async function constructorsOf(types: string[]): Promise<Map<string, Constructor>> {
  const constructors = new Map<string, Constructor>();
  for (const type of new Set(types)) {
    if (type === "pulumi:providers:azure-native")
      constructors.set(type, (await import("@pulumi/azure-native/provider")).Provider as unknown as Constructor);
    else {
      const [, module, name] = type.split(":");
      constructors.set(type, ((await import(`@pulumi/azure-native/${module}`)) as Record<string, Constructor>)[name]);
    }
  }
  return constructors;
}

type StackPlan = { stack: string; resources: Declared[] };

async function planFloor(planFile: string): Promise<number> {
  const pulumi = await import("@pulumi/pulumi"); // loaded here: the validate floor needs only yaml
  const read = JSON.parse(readFileSync(planFile, "utf8")) as StackPlan | StackPlan[];
  const plans = Array.isArray(read) ? read : [read];
  const constructors = await constructorsOf(plans.flatMap((plan) => plan.resources.map((resource) => resource.type)));
  let count = 0;
  // One stack after another in one process, as a fleet's plan runs: mocks set, resources declared, disconnected.
  for (const { stack, resources } of plans) {
    await pulumi.runtime.setMocks(
      { newResource: ({ name, inputs }) => ({ id: `${name}-id`, state: inputs }), call: ({ inputs }) => inputs },
      "lighthouse",
      stack,
      false,
    );
    const providers = new Map<string, Pulumi.ProviderResource>();
    for (const resource of resources.filter((candidate) => candidate.type.startsWith("pulumi:providers:"))) {
      providers.set(
        resource.name,
        new (constructors.get(resource.type)!)(resource.name, resource.inputs) as unknown as Pulumi.ProviderResource,
      );
    }
    for (const resource of resources.filter((candidate) => !candidate.type.startsWith("pulumi:providers:"))) {
      const provider = resource.options?.provider ? providers.get(resource.options.provider) : undefined;
      new (constructors.get(resource.type)!)(resource.name, resource.inputs, provider ? { provider } : {});
    }
    await pulumi.runtime.disconnect();
    count += resources.length;
  }
  return count;
}

const [work, ...args] = process.argv.slice(2);
(work === "validate" ? Promise.resolve(validateFloor(args)) : planFloor(args[0])).then((count) =>
  process.stdout.write(`${count}\n`),
);
