import { execFile } from "node:child_process";
import { PACK_PORT_VARIABLE, policyPackAt, PolicyPackServer } from "../crossguard/analyzer";
import { existsSync, realpathSync, symlinkSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { stackConfigDir, stackFilePath, stackNameOf } from "../project/paths";
import { OfferCache } from "../offer/cache";
import { inPool } from "../pool";
import { git, stackNames, withProjectAt } from "../project/revision";
import { truncate } from "../text";
import { loadStack, type DeploymentMode, type ResolvedStack } from "../stack/load";

/** Dependencies: the base revision cannot run with its own (nothing is installed), so their change affects every stack. */
const DEPENDENCY_FILES = [/^package(-lock)?\.json$/];
/** The program and the policy pack: their change affects the stacks whose resources or policy results it changes. */
const PROGRAM_FILES = [/^index\.ts$/, /^Pulumi\.yaml$/, /^tsconfig\.json$/, /^components\//, /^src\//, /^policies\//];

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

/** Project files changed between `base` and the working tree (untracked ones included). */
export function changedFiles(projectRoot: string, base: string): string[] {
  const tracked = git(projectRoot, ["diff", "--name-only", "--relative", base, "--"]).toString();
  const untracked = git(projectRoot, ["ls-files", "--others", "--exclude-standard"]).toString();
  return [...new Set(`${tracked}\n${untracked}`.split("\n").filter(Boolean))].sort();
}

const loadQuietly = (root: string, stack: string): ResolvedStack | undefined =>
  loadStack(stackFilePath(root, stack), new OfferCache()).stack;

/** The offer files a stack uses, relative to its project root. */
const offersOf = (root: string, stack: ResolvedStack | undefined) =>
  new Set(
    (stack?.subscriptions ?? []).flatMap(({ delegations }) =>
      delegations.map(({ offer }) => relative(root, resolve(offer.file))),
    ),
  );

const listed = (files: string[]) => `${files.slice(0, 3).join(", ")}${files.length > 3 ? ", ..." : ""}`;

/** What a stack's plan says at one revision: `plan --format json` (an interface every revision keeps). */
type PlanOutcome = { resources: string; violations: string } | { failed: string };

const TSX_CLI = require.resolve("tsx/cli");

/** The line of a failed run's stderr that says what went wrong (not Node's frame lines). */
function firstError(stderr: string): string {
  const lines = stderr
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  return truncate(lines.find((line) => /error/i.test(line)) ?? lines.at(-1) ?? "no output");
}

/** A revision's checkout, and the port of its policy pack when one serves all its plans. */
interface Revision {
  root: string;
  packPort?: string;
}

function planAt(revision: Revision, stack: string): Promise<PlanOutcome> {
  return new Promise((done) => {
    const { root, packPort } = revision;
    const args = [TSX_CLI, join(root, "src", "cli", "plan.ts"), "--stack", stack, "--format", "json"];
    execFile(
      process.execPath,
      args,
      {
        cwd: root,
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
        ...(packPort ? { env: { ...process.env, [PACK_PORT_VARIABLE]: packPort } } : {}),
      },
      (error, stdout, stderr) => {
        // Exit 1 with a plan is a mandatory violation: still a result to compare.
        const status = error ? (error as { code?: unknown }).code : 0;
        if ((status === 0 || status === 1) && stdout.trim().startsWith("{")) {
          const plan = JSON.parse(stdout) as { resources?: unknown; violations?: unknown };
          done({
            resources: JSON.stringify(plan.resources ?? null),
            violations: JSON.stringify(plan.violations ?? null),
          });
        } else done({ failed: firstError(stderr || String(error?.message ?? "")) });
      },
    );
  });
}

/** Why running the program at both revisions affects the stack, or undefined when nothing differs. */
async function programDifference(
  baseRevision: Revision,
  head: Revision,
  stack: string,
  base: string,
): Promise<string | undefined> {
  const [before, after] = await Promise.all([
    existsSync(stackFilePath(baseRevision.root, stack)) ? planAt(baseRevision, stack) : undefined,
    planAt(head, stack),
  ]);
  const rule = "program run at both revisions";
  if ("failed" in after) return `its plan fails in the working tree (${rule}): ${after.failed}`;
  if (!before) return undefined; // a stack new since base is already affected by its file
  if ("failed" in before) return `its plan fails at ${base} (${rule}): ${before.failed}`;
  if (before.resources !== after.resources) return `program change alters its resources (${rule})`;
  if (before.violations !== after.violations) return `program change alters its policy results (${rule})`;
  return undefined;
}

/** The checkout runs with the modules the toolkit runs with (a checkout has none installed). */
function linkModules(checkout: string) {
  const modules = dirname(dirname(dirname(realpathSync(require.resolve("@pulumi/pulumi/package.json")))));
  if (!existsSync(join(checkout, "node_modules"))) symlinkSync(modules, join(checkout, "node_modules"), "dir");
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
    const changed = changedFiles(projectRoot, base);
    const current = stackNames(projectRoot);
    const dependencies = changed.filter((file) => DEPENDENCY_FILES.some((pattern) => pattern.test(file)));
    const program = changed.filter((file) => PROGRAM_FILES.some((pattern) => pattern.test(file)));
    const notes: string[] = [];

    const byFiles = current.map((name) => {
      const stack = loadQuietly(projectRoot, name);
      const uses = new Set([...offersOf(projectRoot, stack), ...offersOf(baseRoot, loadQuietly(baseRoot, name))]);
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
      const packs = await Promise.all(
        [baseRoot, projectRoot].map((root) => PolicyPackServer.start(policyPackAt(root, false)).catch(() => undefined)),
      );
      const [baseRevision, head] = [baseRoot, projectRoot].map((root, index): Revision => ({
        root,
        ...(packs[index] ? { packPort: packs[index].port } : {}),
      }));
      const differences = await inPool(toRun, Math.max(1, availableParallelism()), (entry) =>
        programDifference(baseRevision, head, entry.stack, base),
      ).finally(() => packs.forEach((pack) => pack?.close()));
      toRun.forEach((entry, index) => entry.reasons.push(...(differences[index] ? [differences[index]] : [])));
      const unchanged = differences.filter((difference) => difference === undefined).length;
      notes.push(
        `program or policy code changed (${listed(program)}): ran ${toRun.length} stack(s) at both revisions; ${unchanged} unchanged`,
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
