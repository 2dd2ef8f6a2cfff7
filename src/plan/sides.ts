import { existsSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { stackFilePath, TOOLKIT_ROOT } from "../project/paths";
import {
  changedFiles,
  DEPENDENCY_FILES,
  compiledRevision,
  linkModules,
  PROGRAM_FILES,
  firstError,
  RevisionCodeError,
  runPlan,
  type PlanRun,
} from "../project/revisionCode";
import { AccessWorker, WorkerConfigError } from "./accessWorker";
import type { BaseAccessCache } from "./baseCache";
import { stackState, type StackState } from "./plan";

/**
 * Where the access review gets each revision's resources. A revision's resources are decided by
 * its own program, components and role catalog: when those differ between the base and the
 * working tree, each side runs its own code (its `plan --format state`, in a process of its own),
 * so that a change of code shows as the access it causes, and a review run by a trusted copy of the
 * toolkit (the pull-request workflow's) runs the proposal's code only to read what it registers.
 * Interpreting the resources (access views, steps, sentences) is always the reviewing code's.
 * When no code differs, the base runs in a worker thread of this process (the same code, faster).
 */

/** A checkout that carries the toolkit's code (a project holding only offers and stacks is run by the reviewing toolkit). */
const hasOwnCode = (root: string) => existsSync(join(root, "src", "cli", "plan.ts"));

type Entry = ({ stack: string } & StackState) | { stack: string; error: string };

/** The stacks' states by the revision's own code, one process; undefined when that revision's plan has no `--format state`. */
async function ownCodeStates(
  root: string,
  side: string,
  stacks: string[],
  compile: boolean,
): Promise<Map<string, Entry> | undefined> {
  if (stacks.length === 0) return new Map();
  const run: PlanRun = await runPlan({ root, compiled: compiledRevision(root, compile) }, stacks, "state");
  if (run.status === 2 && /--format/.test(run.stderr)) return undefined;
  try {
    const entries = JSON.parse(run.stdout) as Entry[];
    return new Map(entries.map((entry) => [entry.stack, entry]));
  } catch {
    throw new RevisionCodeError(`${side}'s own code did not run its plan --format state: ${firstError(run.stderr)}`);
  }
}

const listed = (files: string[]) => `${files.slice(0, 3).join(", ")}${files.length > 3 ? ", ..." : ""}`;

const fromEntries = (entries: Map<string, Entry>) => async (stack: string) => {
  const entry = entries.get(stack);
  if (!entry) throw new Error(`no state for stack ${stack}`);
  if ("error" in entry) throw new WorkerConfigError(entry.error);
  return { ...(entry.customer ? { customer: entry.customer } : {}), state: entry.state };
};

export interface ReviewSides {
  base: (stack: string) => Promise<StackState>;
  head: (stack: string) => Promise<StackState>;
  /** The cache of base states, for how the base is computed. */
  cache: BaseAccessCache;
  /** What the review says about how it was computed (code changes it covers, what it could not run). */
  notes: string[];
  close: () => Promise<unknown>;
}

export async function reviewSides(
  base: string,
  head: string,
  ref: string,
  stacks: string[],
  cacheFor: (mode: "own code" | "toolkit code") => BaseAccessCache,
): Promise<ReviewSides> {
  const changed = changedFiles(head, ref);
  const program = changed.filter((file) => PROGRAM_FILES.some((pattern) => pattern.test(file)));
  const dependencies = changed.filter((file) => DEPENDENCY_FILES.some((pattern) => pattern.test(file)));
  const notes: string[] = [];
  const atBase = stacks.filter((stack) => existsSync(stackFilePath(base, stack)));
  const atHead = stacks.filter((stack) => existsSync(stackFilePath(head, stack)));

  // The working tree by its own code when the reviewing toolkit is another copy.
  let headSide = (stack: string) => stackState(head, stack);
  if (hasOwnCode(head) && realpathSync(TOOLKIT_ROOT) !== realpathSync(head)) {
    linkModules(head);
    // The working tree runs compiled when it was built (never compiled here: it is the user's).
    const entries = await ownCodeStates(head, "the working tree", atHead, false);
    if (!entries)
      throw new RevisionCodeError("the working tree's plan has no --format state: this toolkit cannot review it");
    headSide = fromEntries(entries);
  }

  if (program.length && hasOwnCode(base)) {
    const cache = cacheFor("own code");
    linkModules(base);
    const entries = await ownCodeStates(
      base,
      ref,
      atBase.filter((stack) => !cache.get(stack)),
      true,
    );
    if (entries) {
      notes.push(
        `Program code changed since ${ref} (${listed(program)}): each side ran with its own revision's code, so the review shows the access those changes cause.`,
      );
      if (dependencies.length)
        notes.push(`Dependencies changed too (${listed(dependencies)}): both sides ran with the installed ones.`);
      return { base: fromEntries(entries), head: headSide, cache, notes, close: async () => undefined };
    }
    notes.push(
      `Program code changed since ${ref} (${listed(program)}), but ${ref} predates plan --format state: its side ran with the working tree's code, so those changes are not reviewed.`,
    );
  }
  // The same code on both sides: the base runs in a worker thread, started only when not cached.
  let worker: AccessWorker | undefined;
  return {
    base: (stack) => (worker ??= new AccessWorker()).state(base, stack),
    head: headSide,
    cache: cacheFor("toolkit code"),
    notes,
    close: async () => worker?.close(),
  };
}
