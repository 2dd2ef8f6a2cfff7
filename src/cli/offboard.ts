import "./compileCache";
import { displayPath, commandLineFile, findProjectRoot, stackFilePath } from "../project/paths";
import { OffboardingRefused, offboardingText, planOffboarding } from "../offboard/offboard";
import { printable } from "../text";
import { EXIT, oneOf, parseCommandLine, runCommand, stackOption, UsageError } from "./run";

export const command = runCommand(
  "offboard",
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
