import "./compileCache";
import { existsSync } from "node:fs";
import { markdownCodeBlock, markdownCodeSpan, markdownText, printableLines } from "../text";
import { findProjectRoot, stackFilePath } from "../project/paths";
import { AccessWorker, WorkerConfigError } from "../plan/accessWorker";
import { BaseAccessCache } from "../plan/baseCache";
import { isConfigError, stackAccess, type StackAccess } from "../plan/plan";
import { accessChanges, reviewLines, type AccessChange } from "../access/review";
import { git, RevisionError, stackNames, withProjectAt } from "../project/revision";
import { checkedStackName, EXIT, oneOf, parseCommandLine, runCommand, UsageError } from "./run";

const USAGE = `usage: npm run diff -- --stack <name>|all [--stack <name>]... --base <git-ref> [--format markdown|json]

The access review: runs the stack program(s) at the base revision and in the working tree (offline;
the base's access is cached in node_modules/.cache by base commit and toolkit code),
and lists the access changes a reviewer cares about, as Markdown for a pull-request comment;
weakened controls (MFA Azure -> None, a longer JIT duration, approval dropped, a new role a User
Access Administrator may assign) come first.
--format json: {"base", "records": [{stack, change, subscription, scope, scopeKind, offer,
principal, identity, role, eligible, before, after, weakening}], "stacks": [...]}.
Exit codes: 0 reviewed, 1 a stack is invalid on either side, 2 usage error (or unknown ref).`;

interface StackReview {
  stack: string;
  customer: string;
  /** The review's sentences (Markdown), rendered from `records`. */
  changes: string[];
  records: AccessChange[];
  errors: string[];
}

/**
 * A stack's access in one checkout, undefined when the stack does not exist there (or is invalid:
 * then its messages are in `errors`). `compute` runs the program (in this thread or a worker).
 */
async function accessIfPresent(
  root: string,
  stack: string,
  side: string,
  errors: string[],
  compute: () => Promise<StackAccess>,
  cache?: BaseAccessCache,
): Promise<StackAccess | undefined> {
  if (!existsSync(stackFilePath(root, stack))) return undefined;
  const cached = cache?.get(stack);
  if (cached) return cached;
  try {
    const access = await compute();
    cache?.set(stack, access);
    return access;
  } catch (error) {
    if (!isConfigError(error) && !(error instanceof WorkerConfigError)) throw error;
    errors.push(`${side}: ${error.message}`);
    return undefined;
  }
}

function markdown(reviews: StackReview[], base: string): string {
  const lines = [`## Access review (against ${markdownCodeSpan(base)})`];
  const weakened = reviews
    .filter((review) => review.records.some((record) => record.weakening))
    .map((review) => markdownText(review.stack));
  if (weakened.length)
    lines.push("", `**Weakened controls** in ${weakened.join(", ")}: listed first under each stack.`);
  for (const review of reviews) {
    lines.push("", `### ${markdownText(review.stack)} (${markdownText(review.customer)})`, "");
    for (const error of review.errors) lines.push(...markdownCodeBlock(error));
    if (review.changes.length === 0 && review.errors.length === 0) lines.push("No access changes.");
    for (const change of review.changes) lines.push(`- ${change}`);
  }
  return printableLines(lines);
}

async function reviewStack(
  base: string,
  head: string,
  ref: string,
  stack: string,
  cache: BaseAccessCache,
  baseAccess: (stack: string) => Promise<StackAccess>,
): Promise<StackReview> {
  const baseErrors: string[] = [];
  const headErrors: string[] = [];
  // The base revision runs in a worker thread while this thread runs the working tree's.
  const [before, after] = await Promise.all([
    accessIfPresent(base, stack, `at ${ref}`, baseErrors, () => baseAccess(stack), cache),
    accessIfPresent(head, stack, "in the working tree", headErrors, () => stackAccess(head, stack)),
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
      : accessChanges(before?.access, after?.access);
  const records = changes.map((change) => ({ stack, ...change }));
  return { stack, customer, changes: reviewLines(records, customer), records, errors };
}

export const command = runCommand(
  USAGE,
  async (argv) => {
    const { values } = parseCommandLine(argv, {
      stack: { type: "string", multiple: true },
      base: { type: "string" },
      format: { type: "string" },
    });
    if (!values.stack?.length || !values.base) throw new UsageError("--stack and --base are required");
    values.stack.filter((name) => name !== "all").forEach(checkedStackName);
    const format = oneOf("format", values.format, ["markdown", "json"] as const, "markdown");
    const head = findProjectRoot(process.cwd());
    const ref = values.base;
    const requested = values.stack;
    let reviews: StackReview[];
    try {
      reviews = await withProjectAt(head, ref, async (base) => {
        const stacks = requested.includes("all")
          ? [...new Set([...stackNames(base), ...stackNames(head)])].sort()
          : [...new Set(requested)];
        const done: StackReview[] = [];
        // Started when a stack's base is not cached; then it serves every stack's base.
        let worker: AccessWorker | undefined;
        const baseAccess = (stack: string) => (worker ??= new AccessWorker()).access(base, stack);
        const cache = new BaseAccessCache(
          head,
          git(head, ["rev-parse", "--verify", `${ref}^{commit}`])
            .toString()
            .trim(),
        );
        try {
          for (const stack of stacks) done.push(await reviewStack(base, head, ref, stack, cache, baseAccess));
        } finally {
          await worker?.close();
        }
        return done;
      });
    } catch (error) {
      if (error instanceof RevisionError) throw new UsageError(error.message);
      throw error;
    }
    const json = () => ({ base: values.base, records: reviews.flatMap((review) => review.records), stacks: reviews });
    process.stdout.write(`${format === "json" ? JSON.stringify(json(), null, 2) : markdown(reviews, values.base)}\n`);
    return reviews.some((review) => review.errors.length > 0) ? EXIT.failed : EXIT.ok;
  },
  __filename,
);
