import { existsSync, opendirSync, realpathSync } from "node:fs";
import { dirname, extname, posix, resolve } from "node:path";
import { closestMatch } from "../suggest";
import { displayPath, findProjectRoot, projectFile, type ProjectPath } from "../project/paths";
import type { Diagnostic } from "../diagnostics";
import { loadOffer, type OfferLoadResult } from "./load";

/** The file with links followed, so that one file is one offer however it is named (libc's realpath(3)). */
function realOrResolved(file: string): string {
  try {
    return realpathSync.native(file);
  } catch {
    return resolve(file);
  }
}

/** Folder entries read to suggest a near name: offer folders hold tens of files. */
const NEAR_NAME_ENTRIES = 10_000;

/**
 * Loads each offer file once per run, however many stacks use it, so its diagnostics are
 * reported once and a fleet of stacks sharing three offers parses three files. What stacks ask
 * of the file system about offers (where a path leads, the project root of a folder) is asked once
 * per run too: files do not move while a command runs.
 */
export class OfferCache {
  private readonly results = new Map<string, OfferLoadResult>();
  private readonly located = new Map<string, ProjectPath & { exists?: boolean }>();
  private readonly roots = new Map<string, string>();

  /** {@link projectFile}, and whether the file exists; asked once per project root and path. */
  locate(projectRoot: string, written: string): ProjectPath & { exists?: boolean } {
    const key = `${projectRoot}\0${written}`;
    let located = this.located.get(key);
    if (!located) {
      const found = projectFile(projectRoot, written);
      located = "problem" in found ? found : { ...found, exists: existsSync(found.file) };
      this.located.set(key, located);
    }
    return located;
  }

  /**
   * For an offer path that leads nowhere: the YAML file beside where it leads whose name is
   * closest, as written in a stack file (`offers/contoso-operations.yaml`). Reads at most
   * {@link NEAR_NAME_ENTRIES} entries of that folder.
   */
  nearName(projectRoot: string, written: string): string | undefined {
    const located = this.locate(projectRoot, written);
    if ("problem" in located) return undefined;
    const names: string[] = [];
    try {
      const folder = opendirSync(dirname(located.file));
      try {
        for (let entry = folder.readSync(); entry && names.length < NEAR_NAME_ENTRIES; entry = folder.readSync())
          if (entry.isFile() && [".yaml", ".yml"].includes(extname(entry.name))) names.push(entry.name);
      } finally {
        folder.closeSync();
      }
    } catch {
      return undefined;
    }
    const near = closestMatch(posix.basename(written), names);
    return near === undefined ? undefined : posix.join(posix.dirname(written), near);
  }

  /** {@link findProjectRoot} of a folder, once per folder. */
  projectRootOf(directory: string): string {
    let root = this.roots.get(directory);
    if (root === undefined) this.roots.set(directory, (root = findProjectRoot(directory)));
    return root;
  }

  load(file: string): OfferLoadResult {
    const absolute = realOrResolved(file);
    let result = this.results.get(absolute);
    if (!result) {
      result = loadOffer(displayPath(absolute));
      this.results.set(absolute, result);
    }
    return result;
  }

  /** Every diagnostic of every offer loaded so far. */
  diagnostics(): Diagnostic[] {
    return [...this.results.values()].flatMap((result) => result.diagnostics);
  }
}
