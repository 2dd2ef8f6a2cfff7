import "./compileCache";
import { policies } from "../../policies/policies";
import { formatDiagnostic } from "../diagnostics";
import { printableLines } from "../text";
import {
  hasMandatoryViolations,
  isConfigError,
  planJson,
  startStackPlan,
  planText,
  stackState,
  type Plan,
  type StackState,
} from "../plan/plan";
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
import { requestedStacks, STACK_OPTIONS } from "./stacks";

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

type Outcome = { plan: Plan } | { stack: string; error: string };

/**
 * Prints plans as they come, so that a fleet's plans are not all held at once: one plan as text or
 * JSON, or a list (text: plans separated by a blank line, errors on stderr only; JSON: the array
 * JSON.stringify(entries, null, 2) would print, entry by entry).
 */
class OutcomePrinter {
  private count = 0;
  /** A stack could not be planned, or has a mandatory violation. */
  failed = false;

  constructor(private readonly shape: "text" | "json" | "one text" | "one json") {}

  print(outcome: Outcome): void {
    const plan = "plan" in outcome ? outcome.plan : undefined;
    this.failed ||= !plan || hasMandatoryViolations(plan);
    const write = (text: string) => process.stdout.write(text);
    if (this.shape === "json") {
      const entry = JSON.stringify(plan ? planJson(plan) : outcome, null, 2).replace(/^/gm, "  ");
      write(`${this.count++ === 0 ? "[\n" : ",\n"}${entry}`);
    } else if (!plan) return;
    else if (this.shape === "text") write(`${this.count++ === 0 ? "" : "\n"}${planText(plan)}\n`);
    else write(`${this.shape === "one json" ? JSON.stringify(planJson(plan), null, 2) : planText(plan)}\n`);
  }

  end(): void {
    if (this.shape === "json") process.stdout.write(this.count === 0 ? "[]\n" : "\n]\n");
  }
}

export const command = runCommand(
  "plan",
  async (argv) => {
    const { values } = parseCommandLine(argv, {
      ...STACK_OPTIONS,
      format: { type: "string" },
      "policy-config": { type: "string" },
    });
    const format = oneOf("format", values.format, ["text", "json", "state"] as const, "text");
    const projectRoot = findProjectRoot(process.cwd());
    const stacks = requestedStacks(projectRoot, values) ?? [stackOption(undefined)];
    // One named stack prints its plan; several, all, or a saved list print a list.
    const listed = stacks.length > 1 || values.stack?.includes("all") || values["stacks-from"] !== undefined;
    if (format === "state") return printStates(projectRoot, stacks);
    const config = readPolicyConfig(projectRoot, values["policy-config"]);
    if (!config) return EXIT.usage;
    // The pack starts while the program runs: both are ready at about the same time. `affected`
    // hands its plans one pack per revision instead.
    const servingPort = process.env[PACK_PORT_VARIABLE];
    const pack = servingPort
      ? Promise.resolve().then(() => PolicyPackServer.connect(servingPort))
      : PolicyPackServer.start(toolkitPolicyPack());
    pack.catch(() => undefined); // awaited by the plan
    const printer = new OutcomePrinter(listed ? format : `one ${format}`);
    let printed: Promise<void> = Promise.resolve();
    try {
      // Each program runs after the previous one (one engine); its analysis overlaps the next
      // program; each plan is printed, in the order given, once it and those before it are done.
      for (const stack of stacks) {
        const { outcome } = await planned(projectRoot, stack, pack, config);
        printed = printed.then(() => outcome.then((done) => printer.print(done)));
        printed.catch(() => undefined); // awaited below (a later stack's failure must not leave it unhandled)
      }
      await printed;
    } finally {
      pack.then(
        (server) => server.close(),
        () => undefined,
      );
    }
    printer.end();
    return printer.failed ? EXIT.failed : EXIT.ok;
  },
  __filename,
);

/** Each stack's state (no policy pack), or its error; exit 1 when a stack cannot be planned. */
async function printStates(projectRoot: string, stacks: string[]): Promise<number> {
  const entries: Array<({ stack: string } & StackState) | { stack: string; error: string }> = [];
  for (const stack of stacks) {
    try {
      entries.push({ stack, ...(await stackState(projectRoot, stack)) });
    } catch (error) {
      if (!isConfigError(error)) throw error;
      process.stderr.write(`${printableLines(error.message.split("\n"))}\n`);
      entries.push({ stack, error: error.message });
    }
  }
  process.stdout.write(`${JSON.stringify(entries)}\n`);
  return entries.some((entry) => "error" in entry) ? EXIT.failed : EXIT.ok;
}

/**
 * One stack's plan, or its error (printed to stderr: never interpreted by the terminal). Resolves
 * once the stack's program has run; the plan (its policy analysis) follows in `outcome`.
 */
async function planned(
  projectRoot: string,
  stack: string,
  pack: Promise<PolicyPackServer>,
  config: PolicyPackConfig,
): Promise<{ outcome: Promise<Outcome> }> {
  const failed = (error: unknown): Outcome => {
    if (!isConfigError(error) && !(error instanceof PolicyPackError)) throw error;
    // The pack's message carries its process's stderr.
    const printed = error instanceof PolicyPackError ? `error: ${error.message}` : error.message;
    process.stderr.write(`${printableLines(printed.split("\n"))}\n`);
    return { stack, error: error.message };
  };
  try {
    const { plan } = await startStackPlan(projectRoot, stack, { pack, config });
    return { outcome: plan.then((done) => ({ plan: done }), failed) };
  } catch (error) {
    return { outcome: Promise.resolve(failed(error)) };
  }
}
