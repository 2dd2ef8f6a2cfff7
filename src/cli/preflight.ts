import "./compileCache";
import { ArmClient, ArmError, DEFAULT_ENDPOINT } from "../arm/client";
import { armTokenSource } from "../arm/credentials";
import { compareDiagnostics, formatDiagnostic, hasErrors, type Diagnostic } from "../diagnostics";
import { OfferCache } from "../offer/cache";
import { displayPath, commandLineFile, findProjectRoot, stackFilePath } from "../project/paths";
import { preflight, principalReferences, type PrincipalReference } from "../preflight/preflight";
import { partnerLinks, signedInObjectId, type PartnerReference } from "../preflight/partner";
import { loadStack } from "../stack/load";
import { printable } from "../text";
import { projectYamlFiles } from "../validate";
import { readSourceFile, YamlSource } from "../yaml/source";
import { endpointOption } from "./endpoint";
import { checkedStackName, oneOf, parseCommandLine, runCommand, UsageError } from "./run";

const DEFAULT_GRAPH_ENDPOINT = "https://graph.microsoft.com";

export const command = runCommand(
  "preflight",
  async (argv) => {
    const { values, positionals } = parseCommandLine(argv, {
      stack: { type: "string" },
      format: { type: "string" },
      endpoint: { type: "string" },
      "arm-endpoint": { type: "string" },
    });
    if (values.stack && positionals.length > 0) throw new UsageError("give --stack or offer files, not both");
    const format = oneOf("format", values.format, ["text", "json"] as const, "text");
    const endpoint = endpointOption(values.endpoint, DEFAULT_GRAPH_ENDPOINT);
    const armEndpoint = endpointOption(values["arm-endpoint"], DEFAULT_ENDPOINT);
    const projectRoot = findProjectRoot(process.cwd());
    const offers = new OfferCache();
    const problems: Diagnostic[] = [];
    let files: string[];
    if (values.stack) {
      const loaded = loadStack(stackFilePath(projectRoot, checkedStackName(values.stack)), offers);
      problems.push(...loaded.diagnostics);
      files = [
        ...new Set([
          ...(loaded.stack?.subscriptions.flatMap((subscription) =>
            subscription.delegations.map(({ offer }) => offer.file),
          ) ?? []),
          ...(loaded.stack?.managementGroups.map(({ offer }) => offer.file) ?? []),
        ]),
      ];
    } else if (positionals.length > 0) {
      files = positionals.map((file) => {
        const located = commandLineFile(projectRoot, file);
        if ("problem" in located) throw new UsageError(located.problem);
        return file;
      });
    } else {
      const scanned = projectYamlFiles(projectRoot, "offers");
      problems.push(...scanned.refused);
      files = scanned.files.map(displayPath);
    }

    const references: PrincipalReference[] = [];
    const partners: PartnerReference[] = [];
    for (const file of files) {
      const { offer } = offers.load(file);
      const read = readSourceFile(file);
      const source = "text" in read ? YamlSource.parse(file, read.text).source : undefined;
      if (offer && source) references.push(...principalReferences(offer, source));
      if (offer?.partner && source) partners.push({ offer: { ...offer, partner: offer.partner }, source });
    }
    problems.push(...offers.diagnostics());
    if (hasErrors(problems)) {
      for (const problem of problems.sort(compareDiagnostics)) process.stderr.write(`${formatDiagnostic(problem)}\n`);
      return 2;
    }

    let findings: Diagnostic[];
    try {
      findings = (
        await preflight(
          new ArmClient({
            endpoint,
            token: armTokenSource(endpoint, "AZURE_GRAPH_ACCESS_TOKEN"),
            tokenVariable: "AZURE_GRAPH_ACCESS_TOKEN",
          }),
          references,
        )
      ).sort(compareDiagnostics);
    } catch (error) {
      if (!(error instanceof ArmError)) throw error;
      process.stderr.write(`could not read the directory (nothing below is complete): ${printable(error.message)}\n`);
      return 3;
    }
    if (partners.length > 0) {
      const token = armTokenSource(armEndpoint);
      let signedIn: string | undefined;
      try {
        signedIn = signedInObjectId(await token());
      } catch (error) {
        process.stderr.write(`could not check the partner links: ${printable((error as Error).message)}\n`);
        return 3;
      }
      try {
        findings.push(...(await partnerLinks(new ArmClient({ endpoint: armEndpoint, token }), partners, signedIn)));
      } catch (error) {
        if (!(error instanceof ArmError)) throw error;
        process.stderr.write(
          `could not read the partner links (nothing below is complete): ${printable(error.message)}\n`,
        );
        return 3;
      }
      findings.sort(compareDiagnostics);
    }
    if (format === "json")
      process.stdout.write(
        `${JSON.stringify({ principals: references.length, ...(partners.length ? { partners: partners.length } : {}), diagnostics: findings }, null, 2)}\n`,
      );
    else {
      for (const finding of findings) process.stdout.write(`${formatDiagnostic(finding)}\n`);
      process.stderr.write(
        `${references.length} principal reference(s)${partners.length ? ` and ${partners.length} partner link(s)` : ""} checked: ${findings.filter((f) => f.severity === "error").length} error(s), ${findings.filter((f) => f.severity === "warning").length} warning(s)\n`,
      );
    }
    return hasErrors(findings) ? 1 : 0;
  },
  __filename,
);
