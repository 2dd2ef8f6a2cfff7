import "./compileCache";
import { existsSync } from "node:fs";
import { sep } from "node:path";
import { markdownCodeBlock, markdownCodeSpan, markdownText, printableLines } from "../text";
import { findProjectRoot, stackFilePath } from "../project/paths";
import { WorkerConfigError } from "../plan/accessWorker";
import { BaseAccessCache, codeFingerprint } from "../plan/baseCache";
import { reviewSides, type ReviewSides } from "../plan/sides";
import { isConfigError, type StackState } from "../plan/plan";
import { accessView } from "../access/view";
import {
  accessChanges,
  continuityLines,
  fleetLines,
  reviewLines,
  stepCounts,
  stepList,
  stepWarnings,
  type AccessChange,
} from "../access/review";
import { predictSteps, type StepPlan } from "../plan/steps";
import { git, RevisionError, stackNames, withProjectAt } from "../project/revision";
import { EXIT, oneOf, parseCommandLine, runCommand, UsageError } from "./run";
import { requestedStacks, STACK_OPTIONS } from "./stacks";

interface StackReview {
  stack: string;
  customer: string;
  /** The review's sentences (Markdown), rendered from `records`. */
  changes: string[];
  records: AccessChange[];
  /** What pulumi up would do from the base's resources to the working tree's (none for a removed stack: nothing runs). */
  steps: StepPlan["steps"];
  continuity: StepPlan["continuity"];
  stopsAt?: number;
  errors: string[];
}

/**
 * A stack's state in one checkout, undefined when the stack does not exist there (or is invalid:
 * then its messages are in `errors`). `compute` runs the program (in this thread, a worker, or
 * the revision's own process).
 */
async function stateIfPresent(
  root: string,
  stack: string,
  side: string,
  errors: string[],
  compute: () => Promise<StackState>,
  cache?: BaseAccessCache,
): Promise<StackState | undefined> {
  if (!existsSync(stackFilePath(root, stack))) return undefined;
  const cached = cache?.get(stack);
  if (cached) return cached;
  try {
    const state = await compute();
    cache?.set(stack, state);
    return state;
  } catch (error) {
    if (!isConfigError(error) && !(error instanceof WorkerConfigError)) throw error;
    // Paths as the project names them: the base side is a temporary checkout, whose path means nothing to a reader.
    errors.push(`${side}: ${error.message.split(`${root}${sep}`).join("")}`);
    return undefined;
  }
}

/** More stacks with changes than this: the review starts with each change once, across them. */
const FLEET_FROM_STACKS = 3;

/** Stacks whose review has `test`'s trait, for the banner. */
const stacksWith = (reviews: StackReview[], test: (review: StackReview) => boolean) =>
  reviews.filter(test).map((review) => markdownText(review.stack));

function markdown(reviews: StackReview[], base: string, notes: string[]): string {
  const lines = [`## Access review (against ${markdownCodeSpan(base)})`];
  for (const note of notes) lines.push("", `> ${markdownText(note)}`);
  const banners: Array<[string, string[]]> = [
    [
      "**Access lost** when pulumi up ends",
      stacksWith(reviews, (review) => review.continuity.some((finding) => finding.kind === "lost")),
    ],
    ["**pulumi up would stop**", stacksWith(reviews, (review) => review.stopsAt !== undefined)],
    [
      "**Access interrupted** while pulumi up runs",
      stacksWith(reviews, (review) => review.continuity.some((finding) => finding.kind === "interrupted")),
    ],
    ["**Steps not predictable**", stacksWith(reviews, (review) => review.steps.some((step) => step.unknown))],
    ["**Weakened controls**", stacksWith(reviews, (review) => review.records.some((record) => record.weakening))],
  ];
  for (const [what, stacks] of banners)
    if (stacks.length) lines.push("", `${what} in ${stacks.join(", ")}: listed first under each stack.`);
  // A fleet's first screen: each change once, with the stacks it touches (a few stacks read as well one by one).
  const changed = reviews.filter((review) => review.records.length > 0);
  if (changed.length > FLEET_FROM_STACKS) {
    lines.push("", `### Across ${changed.length} stacks`, "");
    for (const line of fleetLines(changed)) lines.push(`- ${line}`);
  }
  for (const review of reviews) {
    lines.push("", `### ${markdownText(review.stack)} (${markdownText(review.customer)})`, "");
    for (const error of review.errors) lines.push(...markdownCodeBlock(error));
    const plan = { steps: review.steps, continuity: review.continuity };
    const warnings = [...continuityLines(plan, review.customer), ...stepWarnings(plan)];
    for (const warning of warnings) lines.push(`- ${warning}`);
    if (review.changes.length === 0 && review.errors.length === 0 && warnings.length === 0)
      lines.push("No access changes.");
    for (const change of review.changes) lines.push(`- ${change}`);
    if (review.steps.length)
      lines.push(
        "",
        `<details><summary>Steps of pulumi up (predicted): ${stepCounts(plan)}</summary>`,
        "",
        ...stepList(plan),
        "",
        "</details>",
      );
  }
  return printableLines(lines);
}

async function reviewStack(
  base: string,
  head: string,
  ref: string,
  stack: string,
  sides: ReviewSides,
): Promise<StackReview> {
  const baseErrors: string[] = [];
  const headErrors: string[] = [];
  // The base revision runs in a worker thread while this thread runs the working tree's.
  const [before, after] = await Promise.all([
    stateIfPresent(base, stack, `at ${ref}`, baseErrors, () => sides.base(stack), sides.cache),
    stateIfPresent(head, stack, "in the working tree", headErrors, () => sides.head(stack)),
  ]);
  const errors = [...baseErrors, ...headErrors];
  if (!before && !after && errors.length === 0)
    errors.push(`stack ${stack} exists neither at ${ref} nor in the working tree`);
  const customer = after?.customer ?? before?.customer ?? stack;
  // Removing a stack file deletes nothing in Azure: its delegations stay until someone destroys them.
  const changes: AccessChange[] = errors.length
    ? []
    : before && !after
      ? [{ change: "stack-removed", weakening: false }]
      : accessChanges(before && accessView(before.state), after && accessView(after.state));
  const records = changes.map((change) => ({ stack, ...change }));
  const plan: StepPlan =
    after && !errors.length ? predictSteps(before?.state ?? [], after.state) : { steps: [], continuity: [] };
  return {
    stack,
    customer,
    changes: reviewLines(records, customer),
    records,
    steps: plan.steps,
    continuity: plan.continuity,
    ...(plan.stopsAt ? { stopsAt: plan.stopsAt } : {}),
    errors,
  };
}

export const command = runCommand(
  "diff",
  async (argv) => {
    const { values } = parseCommandLine(argv, {
      ...STACK_OPTIONS,
      base: { type: "string" },
      format: { type: "string" },
    });
    if (!(values.stack?.length || values["stacks-from"]) || !values.base)
      throw new UsageError("--stack (or --stacks-from) and --base are required");
    const format = oneOf("format", values.format, ["markdown", "json"] as const, "markdown");
    const head = findProjectRoot(process.cwd());
    const ref = values.base;
    // `all` is every stack of either revision (a removed one too), decided once the base is read.
    const requested = values.stack?.includes("all") ? ["all"] : requestedStacks(head, values)!;
    let reviews: StackReview[];
    const notes: string[] = [];
    try {
      reviews = await withProjectAt(head, ref, async (base) => {
        const stacks = requested.includes("all")
          ? [...new Set([...stackNames(base), ...stackNames(head)])].sort()
          : [...new Set(requested)];
        const done: StackReview[] = [];
        const commit = git(head, ["rev-parse", "--verify", `${ref}^{commit}`])
          .toString()
          .trim();
        // Each side's resources come from that side's own code whenever code differs (src/plan/sides.ts).
        const sides = await reviewSides(
          base,
          head,
          ref,
          stacks,
          (mode) => new BaseAccessCache(head, commit, () => `${codeFingerprint()} ${mode}`),
        );
        notes.push(...sides.notes);
        try {
          for (const stack of stacks) done.push(await reviewStack(base, head, ref, stack, sides));
        } finally {
          await sides.close();
        }
        return done;
      });
    } catch (error) {
      if (error instanceof RevisionError) throw new UsageError(error.message);
      throw error;
    }
    const json = () => ({
      base: values.base,
      notes,
      records: reviews.flatMap((review) => review.records),
      stacks: reviews,
    });
    process.stdout.write(
      `${format === "json" ? JSON.stringify(json(), null, 2) : markdown(reviews, values.base, notes)}\n`,
    );
    return reviews.some((review) => review.errors.length > 0) ? EXIT.failed : EXIT.ok;
  },
  __filename,
);
