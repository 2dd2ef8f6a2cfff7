import { closeSync, existsSync, mkdirSync, openSync, readSync, realpathSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { parse } from "yaml";
import { quote } from "../text";

/**
 * Every file the toolkit reads because a stack file or a command line names it stays inside the
 * project: `..`, absolute paths and symbolic links may not lead out of it. A refusal names the
 * path as the user wrote it and quotes nothing of what it points to.
 */
export type ProjectPath = { file: string } | { problem: string };

const within = (root: string, path: string) => path === root || path.startsWith(`${root}${sep}`);

/** `path` resolved (links followed) when it lies in the project; a path that does not exist yet is returned as is. */
function confine(projectRoot: string, absolute: string, written: string): ProjectPath {
  // .native: one call into libc's realpath(3); the JavaScript realpathSync calls lstat per segment.
  const root = realpathSync.native(projectRoot);
  let real: string;
  try {
    real = realpathSync.native(absolute);
  } catch {
    // Nothing there to read: the caller says "not found". The path itself must still point inside.
    return within(resolve(projectRoot), absolute) || within(root, absolute) ? { file: absolute } : outside(written);
  }
  return within(root, real) ? { file: real } : outside(written);
}

const outside = (written: string): ProjectPath => ({
  problem: `${quote(written)} leads outside the project (through '..', an absolute path or a symbolic link); files must be inside it`,
});

/** A path written in a stack file: relative to the project root, and inside it. */
export function projectFile(projectRoot: string, written: string): ProjectPath {
  if (isAbsolute(written))
    return { problem: `${quote(written)} is an absolute path: name files relative to the project root` };
  return confine(projectRoot, resolve(projectRoot, written), written);
}

/** A path given on the command line: relative to the working directory (or absolute), inside the project. */
export function commandLineFile(projectRoot: string, written: string): ProjectPath {
  return confine(projectRoot, resolve(written), written);
}

/**
 * What the stack program, the policy pack and the commands are compiled from (tsconfig.build.json
 * includes these, plus scripts): what decides whether a build is current and what a revision runs.
 */
export const TOOLKIT_SOURCES = ["index.ts", "app", "src", "components", "policies"] as const;

/** The toolkit's own directory (where its package.json is), from src/ or from the compiled dist/. */
export const TOOLKIT_ROOT = ((): string => {
  for (let directory = __dirname; ; directory = dirname(directory)) {
    if (existsSync(resolve(directory, "package.json"))) return directory;
    if (dirname(directory) === directory) throw new Error(`no package.json above ${__dirname}`);
  }
})();

/**
 * mkdir -p, one level at a time: Node's recursive mkdir never returns for some paths (below
 * /proc, for one), where this fails with the level that cannot be made.
 */
export function makeDirectory(directory: string): void {
  const missing: string[] = [];
  for (let path = resolve(directory); !existsSync(path); path = dirname(path)) missing.unshift(path);
  for (const path of missing) mkdirSync(path);
}

/** Pulumi.yaml says something this toolkit cannot follow: the user's to fix, reported without a trace. */
export class ProjectConfigError extends Error {}

const stackDirectories = new Map<string, string>();

/**
 * The folder Pulumi keeps a project's stack files in: Pulumi.yaml's `stackConfigDir`, relative to
 * the project (and inside it), else the project folder itself, as Pulumi does. Read once per project.
 */
export function stackConfigDir(projectRoot: string): string {
  let directory = stackDirectories.get(projectRoot);
  if (directory === undefined) {
    let configured: unknown;
    try {
      configured = (
        parse(readAtMostText(join(projectRoot, "Pulumi.yaml"), 64 * 1024)) as { stackConfigDir?: unknown } | null
      )?.stackConfigDir;
    } catch {
      configured = undefined; // no Pulumi.yaml, or not YAML: Pulumi's default
    }
    if (configured !== undefined && typeof configured !== "string")
      throw new ProjectConfigError("Pulumi.yaml: stackConfigDir must be a folder name");
    const located = configured ? projectFile(projectRoot, configured) : { file: resolve(projectRoot) };
    if ("problem" in located) throw new ProjectConfigError(`Pulumi.yaml: stackConfigDir ${located.problem}`);
    directory = located.file;
    stackDirectories.set(projectRoot, directory);
  }
  return directory;
}

/** The first `limit` bytes of a small file, as text. */
function readAtMostText(file: string, limit: number): string {
  const descriptor = openSync(file, "r");
  try {
    const buffer = Buffer.allocUnsafe(limit);
    return buffer.subarray(0, readSync(descriptor, buffer, 0, limit, 0)).toString("utf8");
  } finally {
    closeSync(descriptor);
  }
}

/** How a file is named in messages: relative to the working directory when that is shorter. */
export function displayPath(file: string): string {
  const relativePath = relative(process.cwd(), file);
  return relativePath && !relativePath.startsWith("..") ? relativePath : file;
}

const STACK_FILE_PATTERN = /^Pulumi\.(.+)\.ya?ml$/;

/** `fabrikam` for `stacks/Pulumi.fabrikam.yaml`; undefined for a file that is no stack file. */
export function stackNameOf(file: string): string | undefined {
  return STACK_FILE_PATTERN.exec(basename(file))?.[1];
}

/** The directory holding Pulumi.yaml at or above `start`: offer paths in stack files are relative to it. */
export function findProjectRoot(start: string): string {
  for (let directory = resolve(start); ; directory = dirname(directory)) {
    if (existsSync(join(directory, "Pulumi.yaml"))) return directory;
    if (dirname(directory) === directory) return resolve(start, "..");
  }
}

/** Stack names this toolkit accepts: one path segment of letters, digits, '.', '_' and '-'. */
export const STACK_NAME_PATTERN = /^(?!\.{1,2}$)[A-Za-z0-9._-]+$/;

export function stackFilePath(projectRoot: string, stackName: string): string {
  // Callers check names first (a usage error); this keeps any that slip through inside the stacks' folder.
  if (!STACK_NAME_PATTERN.test(stackName)) throw new Error(`invalid stack name ${quote(stackName)}`);
  return join(stackConfigDir(projectRoot), `Pulumi.${stackName}.yaml`);
}
