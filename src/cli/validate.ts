import "./compileCache";
import { formatDiagnostic, formatGithubAnnotation } from "../diagnostics";
import { findProjectRoot } from "../project/paths";
import { defaultValidationPaths, validatePaths } from "../validate";
import { EXIT, oneOf, parseCommandLine, runCommand } from "./run";

export const command = runCommand(
  "validate",
  (argv) => {
    const { values, positionals } = parseCommandLine(argv, {
      format: { type: "string" },
    });
    const format = oneOf("format", values.format, ["text", "json", "github"] as const, "text");
    const projectRoot = findProjectRoot(process.cwd());
    const report = validatePaths(
      projectRoot,
      positionals.length > 0 ? positionals : defaultValidationPaths(projectRoot),
    );
    const summary = `${report.files.length} file(s) checked: ${report.errors} error(s), ${report.warnings} warning(s)`;

    if (format === "json") {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      const line = format === "github" ? formatGithubAnnotation : formatDiagnostic;
      for (const diagnostic of report.diagnostics) process.stdout.write(`${line(diagnostic)}\n`);
      process.stderr.write(`${summary}\n`);
    }
    return report.errors > 0 ? EXIT.failed : EXIT.ok;
  },
  __filename,
);
