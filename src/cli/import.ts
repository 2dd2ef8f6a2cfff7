import "./compileCache";
import { existsSync, renameSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { formatDiagnostic, hasErrors } from "../diagnostics";
import { importArmParameters } from "../import/armParameters";
import { parseOffer } from "../offer/load";
import { commandLineFile, findProjectRoot } from "../project/paths";
import { EXIT, parseCommandLine, runCommand, UsageError } from "./run";

const USAGE = `usage: npm run import -- arm-parameters <file.parameters.json> [--template <file.json>] [--out offers/<name>.yaml]

Converts a Microsoft onboarding parameters file (Azure-Lighthouse-samples: subscription, rgName,
resourceGroups, eligible authorizations with approvers, Marketplace) into an offer file: role ids
become role names, and every decision is a comment on top. --template supplies the defaults of
parameters the file leaves out. Placeholders ('<insert ...>') are located errors. The offer is
validated before anything is written; without --out it is printed.
Exit codes: 0 converted, 1 the parameters or the resulting offer have errors (nothing written), 2 usage error.`;

export const command = runCommand(
  USAGE,
  (argv) => {
    const { values, positionals } = parseCommandLine(argv, { template: { type: "string" }, out: { type: "string" } });
    if (positionals[0] !== "arm-parameters" || positionals.length !== 2)
      throw new UsageError("say arm-parameters <file.parameters.json>");
    const projectRoot = findProjectRoot(process.cwd());
    const inProject = (flag: string, path: string) => {
      const located = commandLineFile(projectRoot, path);
      if ("problem" in located) throw new UsageError(`${flag}: ${located.problem}`);
      return located.file;
    };
    inProject("the parameters file", positionals[1]);
    if (values.template) inProject("--template", values.template);
    if (values.out) {
      inProject("--out", values.out);
      if (existsSync(values.out))
        throw new UsageError(`--out: ${values.out} exists; choose another name (import never overwrites an offer)`);
    }

    const imported = importArmParameters(positionals[1], values.template);
    for (const diagnostic of imported.diagnostics) process.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
    if (!imported.text) return EXIT.failed;
    // What the offer file would say, validated as it will be: errors mean nothing is written.
    const checked = parseOffer(values.out ?? "imported offer", imported.text);
    for (const diagnostic of checked.diagnostics) process.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
    if (hasErrors(checked.diagnostics)) return EXIT.failed;
    if (!values.out) {
      process.stdout.write(imported.text);
      return EXIT.ok;
    }
    const temporary = join(dirname(values.out), `.${basename(values.out)}.${process.pid}.tmp`);
    writeFileSync(temporary, imported.text);
    renameSync(temporary, values.out);
    process.stderr.write(
      `written ${values.out}${imported.resourceGroups.length ? `; resource groups for the stack file: ${imported.resourceGroups.join(", ")}` : ""}\n`,
    );
    return EXIT.ok;
  },
  __filename,
);
