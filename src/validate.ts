import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { compareDiagnostics, fileDiagnostic, type Diagnostic } from "./diagnostics";
import { OfferCache } from "./offer/cache";
import { displayPath, commandLineFile, stackConfigDir, stackNameOf } from "./project/paths";
import { loadStack } from "./stack/load";
import { compareOrdinal } from "./text";

/** Files that are YAML but neither an offer nor a stack: Pulumi's own project and policy files. */
const NOT_OURS = new Set(["Pulumi.yaml", "Pulumi.yml", "PulumiPolicy.yaml"]);
const isYaml = (name: string) => /\.ya?ml$/.test(name);

/**
 * YAML files below `directory`, skipping dot-directories (.git, .github) and node_modules.
 * A symbolic link is followed to a file inside the project and refused otherwise (reported in
 * `refused`); links to directories are never followed.
 */
function yamlFilesIn(projectRoot: string, directory: string, refused: Diagnostic[]): string[] {
  return readdirSync(directory, { withFileTypes: true })
    .sort((a, b) => compareOrdinal(a.name, b.name))
    .flatMap((entry) => {
      const path = join(directory, entry.name);
      if (entry.isDirectory())
        return entry.name.startsWith(".") || entry.name === "node_modules"
          ? []
          : yamlFilesIn(projectRoot, path, refused);
      if (!isYaml(entry.name) || NOT_OURS.has(entry.name)) return [];
      if (entry.isSymbolicLink()) {
        const target = commandLineFile(projectRoot, displayPath(path));
        if ("problem" in target)
          refused.push(fileDiagnostic(displayPath(path), `symbolic link refused: ${target.problem}`));
        else if (!statSync(target.file).isFile())
          refused.push(fileDiagnostic(displayPath(path), "symbolic link refused: it does not lead to a file"));
        else return [path];
        return [];
      }
      return entry.isFile() ? [path] : [];
    });
}

/**
 * The YAML files of one project folder (offers/, stacks/), scanned as `npm run validate` scans
 * it: links followed only to files inside the project, the others reported in `refused`.
 */
export function projectYamlFiles(projectRoot: string, folder: string): { files: string[]; refused: Diagnostic[] } {
  const refused: Diagnostic[] = [];
  const directory = join(projectRoot, folder);
  const files = existsSync(directory) ? yamlFilesIn(projectRoot, directory, refused) : [];
  return { files, refused };
}

export interface ValidationReport {
  files: string[];
  diagnostics: Diagnostic[];
  errors: number;
  warnings: number;
}

/**
 * Validates offer files and stack files (`Pulumi.<stack>.yaml`) named directly or found in
 * directories. Every problem of every file is collected; nothing stops at the first one.
 */
export function validatePaths(projectRoot: string, paths: string[]): ValidationReport {
  const offers = new OfferCache();
  const stackDiagnostics: Diagnostic[] = [];
  const files: string[] = [];
  const pathDiagnostics: Diagnostic[] = [];

  for (const path of paths) {
    let found: string[];
    const inProject = commandLineFile(projectRoot, path);
    if ("problem" in inProject) {
      pathDiagnostics.push(fileDiagnostic(path, inProject.problem));
      continue;
    }
    try {
      found = statSync(path).isDirectory() ? yamlFilesIn(projectRoot, path, pathDiagnostics) : [path];
    } catch {
      pathDiagnostics.push(fileDiagnostic(path, "no such file or directory, or it cannot be read"));
      continue;
    }
    if (found.length === 0)
      pathDiagnostics.push(fileDiagnostic(path, "no offer or stack files (*.yaml, *.yml) found here"));
    files.push(...found.map(displayPath));
    for (const file of found) {
      if (stackNameOf(file) !== undefined) stackDiagnostics.push(...loadStack(file, offers).diagnostics);
      else offers.load(file);
    }
  }
  const diagnostics = [...pathDiagnostics, ...offers.diagnostics(), ...stackDiagnostics].sort(compareDiagnostics);
  return {
    files: [...new Set(files)],
    diagnostics,
    errors: diagnostics.filter((diagnostic) => diagnostic.severity === "error").length,
    warnings: diagnostics.filter((diagnostic) => diagnostic.severity === "warning").length,
  };
}

/**
 * What `npm run validate` checks without arguments: the project's offers/ and its stack files
 * (the stackConfigDir folder; when that is the project folder itself, its Pulumi.<stack>.yaml files only).
 */
export function defaultValidationPaths(projectRoot: string): string[] {
  return [join(projectRoot, "offers"), ...stackPaths(projectRoot)].map(displayPath);
}

/** The stack folder to scan, or the stack files of the project folder when stacks live there. */
function stackPaths(projectRoot: string): string[] {
  const directory = stackConfigDir(projectRoot);
  if (resolve(directory) !== resolve(projectRoot)) return [directory];
  return readdirSync(directory)
    .filter((name) => stackNameOf(name) !== undefined && isYaml(name))
    .map((name) => join(directory, name));
}
