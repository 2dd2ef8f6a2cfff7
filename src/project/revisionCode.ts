import { execFile } from "node:child_process";
import { existsSync, realpathSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { PACK_PORT_VARIABLE } from "../crossguard/analyzer";
import { truncate } from "../text";
import { ProjectConfigError } from "./paths";
import { git } from "./revision";

/**
 * Running a revision's own code: its `src/cli/plan.ts` through tsx, in its own checkout, so that
 * what a revision registers is decided by that revision's program, components and role catalog,
 * never by the code that compares two revisions.
 */

/** Dependencies: a revision runs with the toolkit's installed ones (a checkout has none), so their change is named, not run. */
export const DEPENDENCY_FILES = [/^package(-lock)?\.json$/];
/** The program and the policy pack: what decides what a revision registers and how it is judged. */
export const PROGRAM_FILES = [
  /^index\.ts$/,
  /^Pulumi\.yaml$/,
  /^tsconfig\.json$/,
  /^components\//,
  /^src\//,
  /^policies\//,
];

/** Project files changed between `base` and the working tree (untracked ones included). */
export function changedFiles(projectRoot: string, base: string): string[] {
  const tracked = git(projectRoot, ["diff", "--name-only", "--relative", base, "--"]).toString();
  const untracked = git(projectRoot, ["ls-files", "--others", "--exclude-standard"]).toString();
  return [...new Set(`${tracked}\n${untracked}`.split("\n").filter(Boolean))].sort();
}

/** A revision's own code that does not run (a syntax error, a crash): the user's to fix, reported without a trace (exit 1). */
export class RevisionCodeError extends ProjectConfigError {}

/** A revision's checkout, and the port of its policy pack when one serves all its plans. */
export interface Revision {
  root: string;
  packPort?: string;
}

export type PlanRun = { status: unknown; stdout: string; stderr: string };

/** The line of a failed run's stderr that says what went wrong (not Node's frame lines). */
export function firstError(stderr: string): string {
  const lines = stderr
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  return truncate(lines.find((line) => /error/i.test(line)) ?? lines.at(-1) ?? "no output");
}

const TSX_CLI = require.resolve("tsx/cli");

/** `plan --format <format>` of the given stacks, run with the revision's own code. */
export function runPlan(revision: Revision, stacks: string[], format: "json" | "state"): Promise<PlanRun> {
  const { root, packPort } = revision;
  const args = [TSX_CLI, join(root, "src", "cli", "plan.ts"), ...stacks.flatMap((stack) => ["--stack", stack])];
  return new Promise((done) =>
    execFile(
      process.execPath,
      [...args, "--format", format],
      {
        cwd: root,
        encoding: "utf8",
        maxBuffer: 1024 * 1024 * 1024,
        ...(packPort ? { env: { ...process.env, [PACK_PORT_VARIABLE]: packPort } } : {}),
      },
      (error, stdout, stderr) =>
        done({
          status: error ? (error as { code?: unknown }).code : 0,
          stdout,
          stderr: stderr || String(error?.message ?? ""),
        }),
    ),
  );
}

/** The checkout runs with the modules the toolkit runs with (a checkout has none installed). */
export function linkModules(checkout: string) {
  const modules = dirname(dirname(dirname(realpathSync(require.resolve("@pulumi/pulumi/package.json")))));
  if (!existsSync(join(checkout, "node_modules"))) symlinkSync(modules, join(checkout, "node_modules"), "dir");
}
