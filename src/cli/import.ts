import "./compileCache";
import { existsSync, renameSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { formatDiagnostic, hasErrors } from "../diagnostics";
import { importArmParameters, markedOffer } from "../import/armParameters";
import { commandLineFile, findProjectRoot } from "../project/paths";
import { EXIT, parseCommandLine, runCommand, UsageError } from "./run";

export const command = runCommand(
  "import",
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
    if (imported.text === undefined) return EXIT.failed;
    // The offer file as it will be, errors marked in it; its diagnostics are at its own lines.
    const offer = markedOffer({ ...imported, text: imported.text }, values.out ?? "imported offer");
    for (const diagnostic of offer.diagnostics) process.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
    const exit = hasErrors([...imported.diagnostics, ...offer.diagnostics]) ? EXIT.failed : EXIT.ok;
    if (!values.out) {
      process.stdout.write(offer.text);
      return exit;
    }
    const temporary = join(dirname(values.out), `.${basename(values.out)}.${process.pid}.tmp`);
    writeFileSync(temporary, offer.text);
    renameSync(temporary, values.out);
    const errors = offer.diagnostics.filter((d) => d.severity === "error").length;
    process.stderr.write(
      `written ${values.out}${errors ? ` with ${errors} error(s) marked '# error:'` : ""}${imported.resourceGroups.length ? `; resource groups for the stack file: ${imported.resourceGroups.join(", ")}` : ""}\n`,
    );
    return exit;
  },
  __filename,
);
