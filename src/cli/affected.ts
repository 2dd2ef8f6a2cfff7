import { affectedStacks } from "../pipeline/affected";
import { RevisionError } from "../plan/revision";
import { findProjectRoot } from "../stack/load";
import { EXIT, oneOf, parseCommandLine, runCommand, UsageError } from "./run";
import { printable } from "../text";

const USAGE = `usage: npm run affected -- --base <git-ref> [--format text|json|azure-matrix] [--mode onboarding|managing]

The stacks whose deployment changes between <git-ref> and the working tree: a stack file changed,
an offer a stack uses changed, or the program or policy code changed (then every stack).
--format json: a list for a CI matrix, [{"stack": "fabrikam", "mode": "onboarding"}, ...]
--format azure-matrix: the same as an Azure Pipelines matrix object, {"fabrikam": {"stack": ..., "mode": ...}}
--mode keeps only the stacks of that deployment mode (each signs in as a different identity).
Removed stacks are reported (text, and on stderr), never deployed. Exit codes: 0, or 2 usage error.`;

runCommand(USAGE, (argv) => {
  const { values } = parseCommandLine(argv, {
    base: { type: "string" },
    format: { type: "string" },
    mode: { type: "string" },
  });
  if (!values.base) throw new UsageError("--base is required");
  const format = oneOf("format", values.format, ["text", "json", "azure-matrix"] as const, "text");
  const mode = values.mode === undefined ? undefined : oneOf("mode", values.mode, ["onboarding", "managing"] as const, "onboarding");
  let report;
  try {
    report = affectedStacks(findProjectRoot(process.cwd()), values.base);
  } catch (error) {
    if (error instanceof RevisionError) throw new UsageError(error.message);
    throw error;
  }
  const selected = report.affected.filter((entry) => mode === undefined || entry.mode === mode);
  const matrix = selected.map((entry) => ({ stack: entry.stack, mode: entry.mode }));
  if (format === "json") process.stdout.write(`${JSON.stringify(matrix)}\n`);
  else if (format === "azure-matrix") process.stdout.write(`${JSON.stringify(Object.fromEntries(matrix.map((entry) => [entry.stack, entry])))}\n`);
  else {
    for (const entry of selected) process.stdout.write(`${printable(`${entry.stack} (${entry.mode}): ${entry.reasons.join("; ")}`)}\n`);
    if (selected.length === 0) process.stdout.write("no stack is affected\n");
  }
  for (const stack of report.removed) process.stderr.write(`${printable(`stack ${stack} was removed: run 'pulumi destroy --stack ${stack}' to remove its delegations`)}\n`);
  return EXIT.ok;
});
