import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import { displayPath } from "../project/paths";
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

/**
 * Loads each offer file once per run, however many stacks use it, so its diagnostics are
 * reported once and a fleet of stacks sharing three offers parses three files.
 */
export class OfferCache {
  private readonly results = new Map<string, OfferLoadResult>();

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
