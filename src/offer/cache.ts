import { relative, resolve } from "node:path";
import type { Diagnostic } from "../diagnostics";
import { loadOffer, type OfferLoadResult } from "./load";

/** How a file is named in messages: relative to the working directory when that is shorter. */
export function displayPath(file: string): string {
  const relativePath = relative(process.cwd(), file);
  return relativePath && !relativePath.startsWith("..") ? relativePath : file;
}

/**
 * Loads each offer file once per run, however many stacks use it, so its diagnostics are
 * reported once and a fleet of stacks sharing three offers parses three files.
 */
export class OfferCache {
  private readonly results = new Map<string, OfferLoadResult>();

  load(file: string): OfferLoadResult {
    const absolute = resolve(file);
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
