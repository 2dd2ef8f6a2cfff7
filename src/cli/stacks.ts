import { readSavedList, SavedListError } from "../pipeline/batches";
import { stackNames } from "../project/revision";
import { checkedStackName, UsageError } from "./run";

/** The options of every command that takes stacks: `--stack <name>|all`, repeated, or `--stacks-from <file>`. */
export const STACK_OPTIONS = {
  stack: { type: "string", multiple: true },
  "stacks-from": { type: "string" },
} as const;

/**
 * The stacks a command was given, each once, in the order given (`all`: every stack file, sorted);
 * undefined when none was. A name that is no stack name, or a list that is not one, is a usage error.
 */
export function requestedStacks(
  projectRoot: string,
  values: { stack?: string[]; "stacks-from"?: string },
): string[] | undefined {
  const named = values.stack ?? [];
  if (values["stacks-from"] && named.length) throw new UsageError("give --stack or --stacks-from, not both");
  if (values["stacks-from"]) {
    try {
      return [...new Set(readSavedList(projectRoot, values["stacks-from"]).map((entry) => entry.stack))];
    } catch (error) {
      if (error instanceof SavedListError) throw new UsageError(error.message);
      throw error;
    }
  }
  if (named.length === 0) return undefined;
  if (named.includes("all")) {
    if (named.length > 1) throw new UsageError("--stack all names every stack: give it alone");
    return stackNames(projectRoot);
  }
  return [...new Set(named.map(checkedStackName))];
}
