import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { TOOLKIT_ROOT, TOOLKIT_SOURCES } from "../project/paths";
import type { StackState } from "./plan";

/**
 * The base revision's access views, cached under the project's node_modules/.cache: a stack's
 * view depends only on the base commit (its offers and stack file) and on the code computing it,
 * so a second review against the same base costs one plan (the working tree's).
 */

/**
 * The code that computes a view: the toolkit's compiled (or source) program, policies and role
 * catalog, and the locked dependencies. `codeRoot` is dist/ when compiled, the toolkit root under tsx.
 */
function codeFiles(codeRoot: string, toolkitRoot: string): string[] {
  const walk = (path: string): string[] =>
    !existsSync(path)
      ? []
      : statSync(path).isDirectory()
        ? readdirSync(path)
            .sort()
            .flatMap((entry) => walk(join(path, entry)))
        : [path];
  return [
    ...TOOLKIT_SOURCES.flatMap((folder) => walk(join(codeRoot, folder))).filter((file) => /\.(js|ts)$/.test(file)),
    join(toolkitRoot, "src", "roles", "builtin-roles.json"),
    join(toolkitRoot, "package-lock.json"),
  ];
}

const fingerprints = new Map<string, string>();

/** A hash of that code, files named relative to the toolkit; once per process (code does not change under a command). */
export function codeFingerprint(codeRoot = join(__dirname, "..", ".."), toolkitRoot = TOOLKIT_ROOT): string {
  let fingerprint = fingerprints.get(codeRoot);
  if (fingerprint === undefined) {
    const hash = createHash("sha256");
    for (const file of codeFiles(codeRoot, toolkitRoot).filter((candidate) => existsSync(candidate)))
      hash.update(relative(toolkitRoot, file)).update("\0").update(readFileSync(file)).update("\0");
    fingerprint = hash.digest("hex");
    fingerprints.set(codeRoot, fingerprint);
  }
  return fingerprint;
}

export class BaseAccessCache {
  private readonly directory: string;

  constructor(
    projectRoot: string,
    private readonly baseCommit: string,
    /** The code computing the views, hashed (this toolkit's, by default). */
    private readonly code: () => string = codeFingerprint,
  ) {
    this.directory = join(projectRoot, "node_modules", ".cache", "lighthouse-diff");
  }

  private file(stack: string): string {
    const key = createHash("sha256").update(`${this.baseCommit}\0${stack}\0${this.code()}`).digest("hex");
    return join(this.directory, `${key}.json`);
  }

  get(stack: string): StackState | undefined {
    try {
      return JSON.parse(readFileSync(this.file(stack), "utf8")) as StackState;
    } catch {
      return undefined; // absent or unreadable: plan again
    }
  }

  set(stack: string, state: StackState): void {
    try {
      mkdirSync(this.directory, { recursive: true });
      const target = this.file(stack);
      const temporary = `${target}.${process.pid}.tmp`;
      writeFileSync(temporary, JSON.stringify(state));
      renameSync(temporary, target);
    } catch {
      // A cache that cannot be written only costs time.
    }
  }
}
