import "./compileCache";
import { formatDiagnostic, formatGithubAnnotation } from "../diagnostics";
import { findProjectRoot } from "../project/paths";
import { defaultValidationPaths, validatePaths } from "../validate";
import { EXIT, oneOf, parseCommandLine, runCommand } from "./run";

const USAGE = `usage: npm run validate -- [paths...] [--format text|json|github]

Validates offer files and stack files (stacks/Pulumi.<stack>.yaml); a directory is searched
for *.yaml and *.yml. Default: offers/ and stacks/ of this project.
Exit codes: 0 valid (warnings allowed), 1 errors found, 2 usage error.`;

export const command = runCommand(
  USAGE,
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
