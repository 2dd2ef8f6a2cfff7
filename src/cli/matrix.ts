import "./compileCache";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { isConfigError, stackState } from "../plan/plan";
import { accessView } from "../access/view";
import { accessMatrixHtml, type MatrixColumn } from "../access/matrix";
import { git, stackNames } from "../project/revision";
import { makeDirectory, findProjectRoot } from "../project/paths";
import { EXIT, parseCommandLine, runCommand } from "./run";
import { requestedStacks, STACK_OPTIONS } from "./stacks";

/** Which revision the page shows: the commit the working tree is based on, when there is one. */
function revision(projectRoot: string): string {
  try {
    return `working tree of commit ${git(projectRoot, ["rev-parse", "--short", "HEAD"]).toString().trim()}`;
  } catch {
    return "working tree";
  }
}

export const command = runCommand(
  "matrix",
  async (argv) => {
    const { values } = parseCommandLine(argv, {
      ...STACK_OPTIONS,
      out: { type: "string" },
    });
    const projectRoot = findProjectRoot(process.cwd());
    const stacks = requestedStacks(projectRoot, values) ?? stackNames(projectRoot);
    const columns: MatrixColumn[] = [];
    let failed = false;
    for (const stack of stacks) {
      try {
        const { customer, subscriptionNames, state } = await stackState(projectRoot, stack);
        const access = accessView(state);
        columns.push({
          stack,
          customer: customer ?? stack,
          access,
          ...(subscriptionNames ? { subscriptionNames } : {}),
        });
      } catch (error) {
        if (!isConfigError(error)) throw error;
        process.stderr.write(`${error.message}\n`);
        failed = true;
      }
    }
    if (failed) return EXIT.failed;
    const out = values.out ?? "access-matrix";
    makeDirectory(out);
    const file = join(out, "index.html");
    writeFileSync(file, accessMatrixHtml(columns, revision(projectRoot)));
    process.stdout.write(`${file}\n`);
    return EXIT.ok;
  },
  __filename,
);
