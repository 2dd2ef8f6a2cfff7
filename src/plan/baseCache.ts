import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TOOLKIT_ROOT } from "../project/paths";
import type { StackAccess } from "./plan";

/**
 * The base revision's access views, cached under the project's node_modules/.cache: a stack's
 * view depends only on the base commit (its offers and stack file) and on the code computing it,
 * so a second review against the same base costs one plan (the working tree's).
 */

/** The code that computes a view: this toolkit's compiled (or source) program, policies and role catalog, and the locked dependencies. */
function codeFiles(): string[] {
  const codeRoot = join(__dirname, "..", ".."); // dist/ when compiled, the toolkit root under tsx
  const walk = (path: string): string[] =>
    !existsSync(path)
      ? []
      : statSync(path).isDirectory()
        ? readdirSync(path)
            .sort()
            .flatMap((entry) => walk(join(path, entry)))
        : [path];
  return [
    ...["src", "components", "policies"]
      .flatMap((folder) => walk(join(codeRoot, folder)))
      .filter((file) => /\.(js|ts)$/.test(file)),
    join(TOOLKIT_ROOT, "src", "roles", "builtin-roles.json"),
    join(TOOLKIT_ROOT, "package-lock.json"),
  ];
}

let codeHash: string | undefined;
function programHash(): string {
  if (codeHash === undefined) {
    const hash = createHash("sha256");
    for (const file of codeFiles().filter((candidate) => existsSync(candidate)))
      hash.update(file.slice(TOOLKIT_ROOT.length)).update("\0").update(readFileSync(file)).update("\0");
    codeHash = hash.digest("hex");
  }
  return codeHash;
}

export class BaseAccessCache {
  private readonly directory: string;

  constructor(
    projectRoot: string,
    private readonly baseCommit: string,
  ) {
    this.directory = join(projectRoot, "node_modules", ".cache", "lighthouse-diff");
  }

  private file(stack: string): string {
    const key = createHash("sha256").update(`${this.baseCommit}\0${stack}\0${programHash()}`).digest("hex");
    return join(this.directory, `${key}.json`);
  }

  get(stack: string): StackAccess | undefined {
    try {
      return JSON.parse(readFileSync(this.file(stack), "utf8")) as StackAccess;
    } catch {
      return undefined; // absent or unreadable: plan again
    }
  }

  set(stack: string, access: StackAccess): void {
    try {
      mkdirSync(this.directory, { recursive: true });
      const target = this.file(stack);
      const temporary = `${target}.${process.pid}.tmp`;
      writeFileSync(temporary, JSON.stringify(access));
      renameSync(temporary, target);
    } catch {
      // A cache that cannot be written only costs time.
    }
  }
}
