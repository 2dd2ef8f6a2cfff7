import "./compileCache";
import { policies } from "../../policies/policies";
import { formatDiagnostic } from "../diagnostics";
import { printableLines } from "../text";
import { hasMandatoryViolations, isConfigError, planJson, planStack, planText } from "../plan/plan";
import { loadPolicyConfig } from "../crossguard/config";
import {
  PACK_PORT_VARIABLE,
  PolicyPackError,
  PolicyPackServer,
  toolkitPolicyPack,
  type PolicyPackConfig,
} from "../crossguard/analyzer";
import { commandLineFile, findProjectRoot } from "../project/paths";
import { EXIT, oneOf, parseCommandLine, runCommand, stackOption } from "./run";

const USAGE = `usage: npm run plan -- --stack <name> [--format text|json] [--policy-config <file>]

Runs the stack program offline (an in-process engine, no cloud, no credentials), has the policy pack
(policies/, served by CrossGuard as in a preview) analyze every resource it would register, and
prints who gets which access where.
--policy-config takes Pulumi's policy config JSON (see policies/policy-config.example.json).
Exit codes: 0 no mandatory violation, 1 mandatory violation or invalid stack, 2 usage error
(including a policy config file with errors).`;

/** The policy config, or undefined after printing its problems (file:line:col). */
function readPolicyConfig(projectRoot: string, file: string | undefined): PolicyPackConfig | undefined {
  if (!file) return {};
  const located = commandLineFile(projectRoot, file);
  const { config, diagnostics } =
    "problem" in located
      ? {
          config: undefined,
          diagnostics: [{ file, line: 1, column: 1, severity: "error" as const, message: located.problem }],
        }
      : loadPolicyConfig(file, policies);
  for (const diagnostic of diagnostics) process.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
  return config;
}

export const command = runCommand(
  USAGE,
  async (argv) => {
    const { values } = parseCommandLine(argv, {
      stack: { type: "string" },
      format: { type: "string" },
      "policy-config": { type: "string" },
    });
    const stack = stackOption(values.stack);
    const format = oneOf("format", values.format, ["text", "json"] as const, "text");
    const projectRoot = findProjectRoot(process.cwd());
    const config = readPolicyConfig(projectRoot, values["policy-config"]);
    if (!config) return EXIT.usage;
    // The pack starts while the program runs: both are ready at about the same time. `affected`
    // hands its plans one pack per revision instead.
    const servingPort = process.env[PACK_PORT_VARIABLE];
    const pack = servingPort
      ? Promise.resolve().then(() => PolicyPackServer.connect(servingPort))
      : PolicyPackServer.start(toolkitPolicyPack());
    pack.catch(() => undefined); // awaited by the plan
    try {
      const plan = await planStack(projectRoot, stack, { pack, config });
      process.stdout.write(`${format === "json" ? JSON.stringify(planJson(plan), null, 2) : planText(plan)}\n`);
      return hasMandatoryViolations(plan) ? EXIT.failed : EXIT.ok;
    } catch (error) {
      if (!isConfigError(error) && !(error instanceof PolicyPackError)) throw error;
      // The pack's message carries its process's stderr: shown, never interpreted by the terminal.
      const message = error instanceof PolicyPackError ? `error: ${error.message}` : error.message;
      process.stderr.write(`${printableLines(message.split("\n"))}\n`);
      return EXIT.failed;
    } finally {
      pack.then(
        (server) => server.close(),
        () => undefined,
      );
    }
  },
  __filename,
);
