import "./compileCache";
import { affectedStacks, allStacks, type AffectedReport } from "../pipeline/affected";
import {
  azureMatrix,
  batchesOf,
  BatchLimitError,
  GITHUB_MATRIX_LIMIT,
  readSavedList,
  SavedListError,
} from "../pipeline/batches";
import { RevisionError } from "../project/revision";
import { findProjectRoot } from "../project/paths";
import { EXIT, oneOf, parseCommandLine, positiveInteger, runCommand, UsageError } from "./run";
import { printable } from "../text";

export const command = runCommand(
  "affected",
  async (argv) => {
    const { values } = parseCommandLine(argv, {
      base: { type: "string" },
      format: { type: "string" },
      mode: { type: "string" },
      "batch-size": { type: "string" },
      "max-batches": { type: "string" },
      "files-only": { type: "boolean" },
      from: { type: "string" },
      all: { type: "boolean" },
    });
    if ([values.base, values.from, values.all].filter(Boolean).length !== 1)
      throw new UsageError("give one of --base, --from and --all");
    if (!values.base && values["files-only"]) throw new UsageError("--files-only applies to --base");
    const format = oneOf(
      "format",
      values.format,
      ["text", "json", "azure-matrix"] as const,
      values.from ? "json" : "text",
    );
    if (values.from && format === "text")
      throw new UsageError("--from gives --format json or azure-matrix (a saved list has no reasons)");
    const mode =
      values.mode === undefined
        ? undefined
        : oneOf("mode", values.mode, ["onboarding", "managing"] as const, "onboarding");
    const batchSize =
      values["batch-size"] === undefined ? undefined : positiveInteger("batch-size", values["batch-size"]);
    if (values["max-batches"] !== undefined && batchSize === undefined)
      throw new UsageError("--max-batches needs --batch-size");
    const maxBatches =
      values["max-batches"] === undefined ? GITHUB_MATRIX_LIMIT : positiveInteger("max-batches", values["max-batches"]);
    const projectRoot = findProjectRoot(process.cwd());
    let report: AffectedReport;
    try {
      report = values.all
        ? allStacks(projectRoot)
        : values.from
          ? { affected: readSavedList(projectRoot, values.from), removed: [], notes: [] }
          : await affectedStacks(projectRoot, values.base!, { filesOnly: values["files-only"] });
    } catch (error) {
      if (error instanceof RevisionError || error instanceof SavedListError) throw new UsageError(error.message);
      throw error;
    }
    const selected = report.affected.filter((entry) => mode === undefined || entry.mode === mode);
    const matrix = selected.map((entry) => ({ stack: entry.stack, mode: entry.mode }));
    for (const note of report.notes) process.stderr.write(`${printable(note)}\n`);
    for (const stack of report.removed)
      process.stderr.write(
        `${printable(`stack ${stack} was removed: run the destroy workflow (or 'pulumi destroy --stack ${stack}') to remove its delegations`)}\n`,
      );
    if (format === "text") {
      for (const entry of selected)
        process.stdout.write(`${printable(`${entry.stack} (${entry.mode}): ${entry.reasons.join("; ")}`)}\n`);
      if (selected.length === 0) process.stdout.write("no stack is affected\n");
      return EXIT.ok;
    }
    let output: unknown;
    try {
      const batches = batchSize === undefined ? undefined : batchesOf(matrix, batchSize, maxBatches);
      output = format === "json" ? (batches ?? matrix) : azureMatrix(matrix, batches);
    } catch (error) {
      if (!(error instanceof BatchLimitError)) throw error;
      process.stderr.write(`${error.message}\n`);
      return EXIT.failed;
    }
    process.stdout.write(`${JSON.stringify(output)}\n`);
    return EXIT.ok;
  },
  __filename,
);
