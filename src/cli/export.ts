import "./compileCache";
import { writeFileSync } from "node:fs";
import { basename, extname, join, relative } from "node:path";
import { NAMING_SCHEMES } from "../delegation";
import { formatDiagnostic, hasErrors } from "../diagnostics";
import { armParameters, armTemplate } from "../export/arm";
import { managementGroupTemplate } from "../export/policy";
import { azureLocation, managementGroupId } from "../stack/schema";
import { loadOffer } from "../offer/load";
import { commandLineFile, makeDirectory, findProjectRoot } from "../project/paths";
import { resourceGroupName } from "../azure/resourceGroup";
import { EXIT, oneOf, parseCommandLine, runCommand, UsageError } from "./run";

export const command = runCommand(
  "export",
  (argv) => {
    const { values, positionals } = parseCommandLine(argv, {
      offer: { type: "string" },
      "resource-groups": { type: "string" },
      out: { type: "string" },
      format: { type: "string" },
      names: { type: "string" },
      "management-group": { type: "string" },
      location: { type: "string" },
      "no-remediation": { type: "boolean" },
    });
    const names = oneOf("names", values.names, NAMING_SCHEMES, "toolkit");
    if (positionals[0] !== "arm" || positionals.length !== 1) throw new UsageError("the only export target is 'arm'");
    if (!values.offer) throw new UsageError("--offer is required");
    if (values.format === "bicep")
      throw new UsageError(
        "--format bicep is not supported: without a Bicep compiler to check it, it would be unverified output",
      );
    oneOf("format", values.format, ["json"] as const, "json");
    const resourceGroups = values["resource-groups"]?.split(",").map((name) => name.trim()) ?? [];
    for (const group of resourceGroups) {
      const checked = resourceGroupName.safeParse(group);
      if (!checked.success) throw new UsageError(`--resource-groups: ${checked.error.issues[0].message}`);
    }
    if (new Set(resourceGroups.map((group) => group.toLowerCase())).size !== resourceGroups.length)
      throw new UsageError("--resource-groups lists a group twice");

    const group = values["management-group"];
    if (group !== undefined) {
      const checked = managementGroupId.safeParse(group);
      if (!checked.success) throw new UsageError(`--management-group: ${checked.error.issues[0].message}`);
      if (resourceGroups.length || values.names === "samples")
        throw new UsageError(
          "--management-group onboards whole subscriptions with the toolkit's names: leave out --resource-groups and --names samples",
        );
      if (values.location === undefined) throw new UsageError("--management-group needs --location <region>");
      const location = azureLocation.safeParse(values.location);
      if (!location.success) throw new UsageError(`--location: ${location.error.issues[0].message}`);
    } else if (values.location !== undefined || values["no-remediation"])
      throw new UsageError("--location and --no-remediation go with --management-group");

    const projectRoot = findProjectRoot(process.cwd());
    const out = values.out ?? "export";
    // Read from the project only; written wherever the user asks.
    const located = commandLineFile(projectRoot, values.offer);
    if ("problem" in located) throw new UsageError(`--offer: ${located.problem}`);

    const { offer, diagnostics } = loadOffer(values.offer);
    for (const diagnostic of diagnostics) process.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
    if (!offer || hasErrors(diagnostics)) return EXIT.failed;

    const stem = basename(values.offer, extname(values.offer));
    makeDirectory(out);
    if (group !== undefined) {
      const target = { managementGroupId: group, location: values.location!, remediate: !values["no-remediation"] };
      const file = join(out, `${stem}.mg-${group}.json`);
      const template = managementGroupTemplate(offer, target, relative(projectRoot, located.file));
      writeFileSync(file, `${JSON.stringify(template, null, 2)}\n`);
      process.stdout.write(`${file}\n`);
      return EXIT.ok;
    }
    const templateFile = join(out, `${stem}.json`);
    const parametersFile = join(out, `${stem}.parameters.json`);
    const options = { resourceGroups, names, source: relative(projectRoot, located.file) };
    writeFileSync(templateFile, `${JSON.stringify(armTemplate(offer, options), null, 2)}\n`);
    writeFileSync(parametersFile, `${JSON.stringify(armParameters(offer, options), null, 2)}\n`);
    process.stdout.write(`${templateFile}\n${parametersFile}\n`);
    return EXIT.ok;
  },
  __filename,
);
