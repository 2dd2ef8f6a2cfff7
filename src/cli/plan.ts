import { readFileSync } from "node:fs";
import { findProjectRoot } from "../stack/load";
import { hasMandatoryViolations, isConfigError, planJson, planStack, planText } from "../plan/plan";
import type { PolicyPackConfig } from "../policy/run";
import { EXIT, oneOf, parseCommandLine, runCommand, UsageError } from "./run";

const USAGE = `usage: npm run plan -- --stack <name> [--format text|json] [--policy-config <file>]

Runs the stack program offline (Pulumi's mocks, no cloud, no credentials), runs the policy pack
over every resource it would register, and prints who gets which access where.
--policy-config takes Pulumi's policy config JSON (see policies/policy-config.example.json).
Exit codes: 0 no mandatory violation, 1 mandatory violation or invalid stack, 2 usage error.`;

function readPolicyConfig(file: string | undefined): PolicyPackConfig {
  if (!file) return {};
  try {
    return JSON.parse(readFileSync(file, "utf8")) as PolicyPackConfig;
  } catch (error) {
    throw new UsageError(`cannot read policy config ${file}: ${(error as Error).message}`);
  }
}

runCommand(USAGE, async (argv) => {
  const { values } = parseCommandLine(argv, {
    stack: { type: "string" },
    format: { type: "string" },
    "policy-config": { type: "string" },
  });
  if (!values.stack) throw new UsageError("--stack is required");
  const format = oneOf("format", values.format, ["text", "json"] as const, "text");
  try {
    const plan = await planStack(findProjectRoot(process.cwd()), values.stack, readPolicyConfig(values["policy-config"]));
    process.stdout.write(`${format === "json" ? JSON.stringify(planJson(plan), null, 2) : planText(plan)}\n`);
    return hasMandatoryViolations(plan) ? EXIT.failed : EXIT.ok;
  } catch (error) {
    if (!isConfigError(error)) throw error;
    process.stderr.write(`${error.message}\n`);
    return EXIT.failed;
  }
});
