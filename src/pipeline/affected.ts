import { policyPackAt, PolicyPackServer } from "../crossguard/analyzer";
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { stackConfigDir, stackFilePath, stackNameOf } from "../project/paths";
import { OfferCache } from "../offer/cache";
import { inPool } from "../pool";
import { stackNames, withProjectAt } from "../project/revision";
import {
  changedFiles,
  DEPENDENCY_FILES,
  firstError,
  compiledRevision,
  linkModules,
  PROGRAM_FILES,
  runPlan,
  type PlanRun,
  type Revision,
} from "../project/revisionCode";
import { loadStack, type DeploymentMode, type ResolvedStack } from "../stack/load";

export interface AffectedStack {
  stack: string;
  /** From the stack file; `invalid` when it does not validate (its deployment would fail). */
  mode: DeploymentMode | "invalid";
  /** Why, each naming the rule that applied: a changed file, or the program run at both revisions. */
  reasons: string[];
}

export interface AffectedReport {
  affected: AffectedStack[];
  /** Stacks whose file is gone: `pulumi destroy` them (never done automatically). */
  removed: string[];
  /** How program changes were judged, for the log. */
  notes: string[];
}

export interface AffectedOptions {
  /** Judge program changes by file alone (every stack affected), without running the program. */
  filesOnly?: boolean;
}

/** A stack file's stack, or undefined when it does not validate; `offers` is one revision's (each offer read once, not once per stack). */
const loadQuietly = (root: string, stack: string, offers: OfferCache): ResolvedStack | undefined =>
  loadStack(stackFilePath(root, stack), offers).stack;

/** The offer files a stack uses, relative to its project root. */
const offersOf = (root: string, stack: ResolvedStack | undefined) =>
  new Set(
    (stack?.subscriptions ?? []).flatMap(({ delegations }) =>
      delegations.map(({ offer }) => relative(root, resolve(offer.file))),
    ),
  );

const listed = (files: string[]) => `${files.slice(0, 3).join(", ")}${files.length > 3 ? ", ..." : ""}`;

/**
 * Every stack of the working tree: a first deploy, or one whose last successful deploy is no
 * longer in the history (a force-push), converges by deploying all.
 */
export function allStacks(projectRoot: string): AffectedReport {
  const offers = new OfferCache();
  return {
    affected: stackNames(projectRoot).map((name) => ({
      stack: name,
      mode: loadQuietly(projectRoot, name, offers)?.mode ?? ("invalid" as const),
      reasons: ["every stack (--all)"],
    })),
    removed: [],
    notes: [],
  };
}

/**
 * What a stack's plan says at one revision: `plan --format json` (an interface every revision
 * keeps), or `--format state` (what it registers, no policy pack) when the pack is the same at both.
 */
export type PlanOutcome = { resources: string; violations: string } | { failed: string };
type PlanFormat = "json" | "state";

/** A plan's JSON (or a list's entry) as the comparison needs it; a state's policy results are the same at both revisions. */
function outcomeOf(plan: { resources?: unknown; violations?: unknown; state?: unknown; error?: unknown }): PlanOutcome {
  if (typeof plan.error === "string") return { failed: firstError(plan.error) };
  return plan.state !== undefined
    ? { resources: JSON.stringify(plan.state), violations: "unchanged pack" }
    : { resources: JSON.stringify(plan.resources ?? null), violations: JSON.stringify(plan.violations ?? null) };
}

/**
 * Program files whose change leaves the policy pack as it is: the pack (policies/) imports the
 * toolkit's src/, never the components or the program. A stack whose resources are the same at
 * both revisions then has the same policy results, so neither revision needs the pack.
 */
const OUTSIDE_THE_PACK = [/^components\//, /^app\//, /^index\.ts$/, /^Pulumi\.yaml$/];

/**
 * A revision whose plan has --format state (this toolkit's since 2026-12-04): its plan command,
 * or since 2026-12-05 the commands' definitions, says so.
 */
const plansStates = (root: string) =>
  ["plan.ts", "definitions.ts"].some((file) => {
    try {
      return readFileSync(join(root, "src", "cli", file), "utf8").includes("--format state");
    } catch {
      return false;
    }
  });

/** What a run printed, when it ended with a verdict (exit 1 with a plan is a mandatory violation: still a result to compare) and printed JSON. */
function printed({ status, stdout }: PlanRun): unknown {
  if (status !== 0 && status !== 1) return undefined;
  try {
    return JSON.parse(stdout) as unknown;
  } catch {
    return undefined;
  }
}

/** One stack's plan in a process of its own. */
async function planAt(revision: Revision, stack: string, format: PlanFormat): Promise<PlanOutcome> {
  const run = await runPlan(revision, [stack], format);
  const printedPlan = printed(run);
  // --format state prints a list even of one.
  const plan = format === "state" && Array.isArray(printedPlan) ? (printedPlan[0] as unknown) : printedPlan;
  return plan && typeof plan === "object" && !Array.isArray(plan)
    ? outcomeOf(plan)
    : { failed: firstError(run.stderr) };
}

/** The stacks' plans in one process, or undefined when the revision's plan takes one --stack at a time (older than lists). */
async function listAt(revision: Revision, stacks: string[], format: PlanFormat): Promise<PlanOutcome[] | undefined> {
  const list = printed(await runPlan(revision, stacks, format));
  const complete =
    Array.isArray(list) &&
    list.length === stacks.length &&
    list.every((entry: { stack?: unknown } | null, index) => entry?.stack === stacks[index]);
  return complete ? list.map(outcomeOf) : undefined;
}

/**
 * The stacks' plans at one revision, a few processes each planning a share of them (the SDK and
 * the pack's client then load once per process, not once per stack); half the cores, as the
 * other revision runs at the same time.
 */
export async function plansAt(
  revision: Revision,
  stacks: string[],
  format: PlanFormat = "json",
): Promise<PlanOutcome[]> {
  const processes = Math.max(1, Math.floor(availableParallelism() / 2));
  const share = Math.max(1, Math.ceil(stacks.length / processes));
  const shares = Array.from({ length: Math.ceil(stacks.length / share) }, (_, index) =>
    stacks.slice(index * share, (index + 1) * share),
  );
  const planned = await Promise.all(
    shares.map(
      async (part) =>
        (part.length > 1 ? await listAt(revision, part, format) : undefined) ??
        inPool(part, processes, (stack) => planAt(revision, stack, format)),
    ),
  );
  return planned.flat();
}

/** Why running the program at both revisions affects the stack, or undefined when nothing differs. */
function programDifference(before: PlanOutcome | undefined, after: PlanOutcome, base: string): string | undefined {
  const rule = "program run at both revisions";
  if ("failed" in after) return `its plan fails in the working tree (${rule}): ${after.failed}`;
  if (!before) return undefined; // a stack new since base is already affected by its file
  if ("failed" in before) return `its plan fails at ${base} (${rule}): ${before.failed}`;
  if (before.resources !== after.resources) return `program change alters its resources (${rule})`;
  if (before.violations !== after.violations) return `program change alters its policy results (${rule})`;
  return undefined;
}

/**
 * The stacks whose deployment changes between `base` and the working tree: their stack file
 * changed, or an offer they use (at either revision) changed. When the program or the policy
 * pack changed, each remaining stack's program runs at both revisions (offline, the base in a
 * temporary checkout removed afterwards) and the stack is affected only when what it registers
 * (types, names, inputs, options) or its policy results differ. Documentation and tests affect none.
 */
export function affectedStacks(
  projectRoot: string,
  base: string,
  options: AffectedOptions = {},
): Promise<AffectedReport> {
  return withProjectAt(projectRoot, base, async (baseRoot) => {
    const [headOffers, baseOffers] = [new OfferCache(), new OfferCache()];
    const changed = changedFiles(projectRoot, base);
    const current = stackNames(projectRoot);
    const dependencies = changed.filter((file) => DEPENDENCY_FILES.some((pattern) => pattern.test(file)));
    const program = changed.filter((file) => PROGRAM_FILES.some((pattern) => pattern.test(file)));
    const notes: string[] = [];

    const byFiles = current.map((name) => {
      const stack = loadQuietly(projectRoot, name, headOffers);
      const uses = new Set([
        ...offersOf(projectRoot, stack),
        ...offersOf(baseRoot, loadQuietly(baseRoot, name, baseOffers)),
      ]);
      const reasons = [
        ...(changed.includes(relative(projectRoot, stackFilePath(projectRoot, name))) ? ["stack file changed"] : []),
        ...changed.filter((file) => uses.has(file)).map((file) => `offer ${file} changed`),
        ...(dependencies.length ? [`dependencies changed (${listed(dependencies)}): every stack`] : []),
        ...(program.length && options.filesOnly
          ? [`program or policy code changed (${listed(program)}): every stack (--files-only)`]
          : []),
      ];
      return { stack: name, mode: stack?.mode ?? ("invalid" as const), reasons };
    });

    const toRun = program.length && !options.filesOnly ? byFiles.filter((entry) => entry.reasons.length === 0) : [];
    if (toRun.length) {
      linkModules(baseRoot);
      // One policy pack per revision serves all its plans (each would start its own otherwise);
      // a revision whose pack does not start leaves its plans to try (and report) themselves.
      // Each revision compiled (the base's temporary checkout here; the working tree if built).
      const compiled = [compiledRevision(baseRoot, true), compiledRevision(projectRoot, false)];
      const samePack =
        program.every((file) => OUTSIDE_THE_PACK.some((pattern) => pattern.test(file))) &&
        plansStates(baseRoot) &&
        plansStates(projectRoot);
      const format: PlanFormat = samePack ? "state" : "json";
      const packs = samePack
        ? []
        : await Promise.all(
            [baseRoot, projectRoot].map((root, index) =>
              PolicyPackServer.start(policyPackAt(root, compiled[index])).catch(() => undefined),
            ),
          );
      const [baseRevision, head] = [baseRoot, projectRoot].map((root, index): Revision => ({
        root,
        compiled: compiled[index],
        ...(packs[index] ? { packPort: packs[index].port } : {}),
      }));
      // Both revisions at once, each planning its stacks in as few processes as the cores allow.
      const stacks = toRun.map((entry) => entry.stack);
      const atBase = stacks.filter((stack) => existsSync(stackFilePath(baseRoot, stack)));
      const [before, after] = await Promise.all([
        plansAt(baseRevision, atBase, format),
        plansAt(head, stacks, format),
      ]).finally(() => packs.forEach((pack) => pack?.close()));
      const beforeOf = new Map(atBase.map((stack, index) => [stack, before[index]]));
      const differences = stacks.map((stack, index) => programDifference(beforeOf.get(stack), after[index], base));
      toRun.forEach((entry, index) => entry.reasons.push(...(differences[index] ? [differences[index]] : [])));
      const unchanged = differences.filter((difference) => difference === undefined).length;
      notes.push(
        `program or policy code changed (${listed(program)}): ran ${toRun.length} stack(s) at both revisions${samePack ? " (the policy pack unchanged: resources compared)" : ""}; ${unchanged} unchanged`,
      );
    }
    const stackFolder = relative(projectRoot, stackConfigDir(projectRoot));
    const inStackFolder = (file: string) => (dirname(file) === "." ? "" : dirname(file)) === stackFolder;
    const removed = changed
      .map((file) => (inStackFolder(file) ? stackNameOf(file) : undefined))
      .filter((name): name is string => name !== undefined && !current.includes(name));
    return { affected: byFiles.filter((entry) => entry.reasons.length > 0), removed, notes };
  });
}
