import "./compileCache";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { ArmClient, ArmError, DEFAULT_ENDPOINT } from "../arm/client";
import { armTokenSource } from "../arm/credentials";
import { planAdoptions, withAdoptions } from "../adopt/adopt";
import { formatDiagnostic } from "../diagnostics";
import { stackScopes } from "../inventory/expected";
import { readInventory } from "../inventory/inventory";
import { findProjectRoot, stackFilePath } from "../project/paths";
import { endpointOption } from "./endpoint";
import { oneOf, parseCommandLine, runCommand, stackOption, stackOrReport } from "./run";
import { printable } from "../text";

export const command = runCommand(
  "adopt",
  async (argv) => {
    const { values } = parseCommandLine(argv, {
      stack: { type: "string" },
      write: { type: "boolean" },
      format: { type: "string" },
      endpoint: { type: "string" },
    });
    const stackName = stackOption(values.stack);
    const format = oneOf("format", values.format, ["text", "json"] as const, "text");
    const endpoint = endpointOption(values.endpoint, DEFAULT_ENDPOINT);

    const projectRoot = findProjectRoot(process.cwd());
    const file = stackFilePath(projectRoot, stackName);
    const stack = stackOrReport(projectRoot, stackName);
    if (!stack) return 2;

    let inventory;
    try {
      inventory = await readInventory(new ArmClient({ endpoint, token: armTokenSource(endpoint) }), stackScopes(stack));
    } catch (error) {
      if (!(error instanceof ArmError)) throw error;
      process.stderr.write(`could not read the delegations: ${printable(error.message)}\n`);
      return 3;
    }
    const adoptions = planAdoptions(stack, inventory);
    if (format === "json") {
      process.stdout.write(`${JSON.stringify(adoptions, null, 2)}\n`);
    } else {
      for (const adoption of adoptions) {
        process.stdout.write(
          `${printable(`${adoption.status.padEnd(10)} ${adoption.subscriptionId} "${adoption.offer}": ${adoption.message}`)}\n`,
        );
      }
    }
    if (values.write && adoptions.some((adoption) => adoption.status === "adopt")) {
      const edited = withAdoptions(readFileSync(file, "utf8"), projectRoot, adoptions);
      if ("problem" in edited) {
        const { line, column, message } = edited.problem;
        process.stderr.write(
          `${formatDiagnostic({ file: stack.file, line, column, severity: "error", message })}\nnothing was written\n`,
        );
        return 1;
      }
      // Atomically: a crash or a full disk leaves the old file, never half of the new one.
      const temporary = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
      writeFileSync(temporary, edited.text);
      renameSync(temporary, file);
      process.stderr.write(
        `${stack.file}: 'adopt' set on ${adoptions.filter((adoption) => adoption.status === "adopt").length} delegation(s); run pulumi preview, then pulumi up\n`,
      );
    }
    return adoptions.some((adoption) => adoption.status === "mismatch" || adoption.status === "incomplete") ? 1 : 0;
  },
  __filename,
);
