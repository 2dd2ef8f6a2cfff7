import "./compileCache";
import { displayPath, commandLineFile, findProjectRoot, stackFilePath } from "../project/paths";
import { OffboardingRefused, offboardingText, planOffboarding } from "../offboard/offboard";
import { printable } from "../text";
import { EXIT, oneOf, parseCommandLine, runCommand, stackOption, UsageError } from "./run";

const USAGE = `usage: npm run offboard -- --stack <name> [--offer <file>] [--format text|json]

Plans removing a customer's delegations (all, or one offer's): the access that ends, where that
also ends access another delegation grants to the same principal and role at the same scope, and
the exact commands in a safe order (pulumi destroy --target, or az rest deletes). Deletes nothing.
Exit codes: 0 planned, 2 usage error, invalid stack or nothing to offboard.`;

export const command = runCommand(
  USAGE,
  async (argv) => {
    const { values } = parseCommandLine(argv, {
      stack: { type: "string" },
      offer: { type: "string" },
      format: { type: "string" },
    });
    const stack = stackOption(values.stack);
    const format = oneOf("format", values.format, ["text", "json"] as const, "text");
    const projectRoot = findProjectRoot(process.cwd());
    let offerFile: string | undefined;
    if (values.offer) {
      const located = commandLineFile(projectRoot, values.offer);
      if ("problem" in located) throw new UsageError(`--offer: ${located.problem}`);
      offerFile = displayPath(located.file);
    }
    try {
      const plan = await planOffboarding(projectRoot, stack, offerFile);
      process.stdout.write(
        `${format === "json" ? JSON.stringify(plan, null, 2) : offboardingText(plan, displayPath(stackFilePath(projectRoot, stack)))}\n`,
      );
      return EXIT.ok;
    } catch (error) {
      if (!(error instanceof OffboardingRefused)) throw error;
      process.stderr.write(`error: ${printable(error.message)}\n`);
      return EXIT.usage;
    }
  },
  __filename,
);
