import { relative, resolve } from "node:path";
import { OfferCache } from "../offer/cache";
import { checkoutProjectAt, git, stackNames } from "../plan/revision";
import { loadStack, stackFilePath, stackNameOf, type DeploymentMode, type ResolvedStack } from "../stack/load";

/** Files whose change can change any stack's deployment: the program, its dependencies, the policies. */
const PROGRAM_INPUTS = [/^index\.ts$/, /^Pulumi\.yaml$/, /^package(-lock)?\.json$/, /^tsconfig\.json$/, /^components\//, /^src\//, /^policies\//];

export interface AffectedStack {
  stack: string;
  /** From the stack file; `invalid` when it does not validate (its deployment would fail). */
  mode: DeploymentMode | "invalid";
  reasons: string[];
}

export interface AffectedReport {
  affected: AffectedStack[];
  /** Stacks whose file is gone: `pulumi destroy` them (never done automatically). */
  removed: string[];
}

/** Project files changed between `base` and the working tree (untracked ones included). */
export function changedFiles(projectRoot: string, base: string): string[] {
  const tracked = git(projectRoot, ["diff", "--name-only", "--relative", base, "--"]).toString();
  const untracked = git(projectRoot, ["ls-files", "--others", "--exclude-standard"]).toString();
  return [...new Set(`${tracked}\n${untracked}`.split("\n").filter(Boolean))].sort();
}

const loadQuietly = (root: string, stack: string): ResolvedStack | undefined => loadStack(stackFilePath(root, stack), new OfferCache()).stack;

/** The offer files a stack uses, relative to its project root. */
const offersOf = (root: string, stack: ResolvedStack | undefined) =>
  new Set((stack?.subscriptions ?? []).flatMap(({ delegations }) => delegations.map(({ offer }) => relative(root, resolve(offer.file)))));

/**
 * The stacks whose deployment changes between `base` and the working tree: their stack file
 * changed, an offer they use (at either revision) changed, or the program itself changed.
 * Documentation and tests affect none.
 */
export function affectedStacks(projectRoot: string, base: string): AffectedReport {
  const baseRoot = checkoutProjectAt(projectRoot, base); // first: it names a bad ref plainly
  const changed = changedFiles(projectRoot, base);
  const current = stackNames(projectRoot);
  const program = changed.filter((file) => PROGRAM_INPUTS.some((pattern) => pattern.test(file)));

  const affected = current.flatMap((name): AffectedStack[] => {
    const stack = loadQuietly(projectRoot, name);
    const uses = new Set([...offersOf(projectRoot, stack), ...offersOf(baseRoot, loadQuietly(baseRoot, name))]);
    const reasons = [
      ...(changed.includes(relative(projectRoot, stackFilePath(projectRoot, name))) ? ["stack file changed"] : []),
      ...changed.filter((file) => uses.has(file)).map((file) => `offer ${file} changed`),
      ...(program.length ? [`program or policy code changed (${program.slice(0, 3).join(", ")}${program.length > 3 ? ", ..." : ""})`] : []),
    ];
    return reasons.length ? [{ stack: name, mode: stack?.mode ?? "invalid", reasons }] : [];
  });
  const removed = changed.map((file) => (file.startsWith("stacks/") ? stackNameOf(file) : undefined)).filter((name): name is string => name !== undefined && !current.includes(name));
  return { affected, removed };
}
