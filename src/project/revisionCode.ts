import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { buildSync } from "esbuild";
import { PACK_PORT_VARIABLE } from "../crossguard/analyzer";
import { truncate } from "../text";
import { BUILD_STAMP, newerSource } from "./build";
import { ProjectConfigError, TOOLKIT_SOURCES } from "./paths";
import { git } from "./revision";

/**
 * Running a revision's own code: its `plan` command, in its own checkout, so that what a revision
 * registers is decided by that revision's program, components and role catalog, never by the code
 * that compares two revisions. Compiled JavaScript when the revision has (or is given) a current
 * dist/; its TypeScript through tsx otherwise.
 */

/** Dependencies: a revision runs with the toolkit's installed ones (a checkout has none), so their change is named, not run. */
export const DEPENDENCY_FILES = [/^package(-lock)?\.json$/];
/** The program and the policy pack: what decides what a revision registers and how it is judged. */
export const PROGRAM_FILES = [
  /^Pulumi\.yaml$/,
  /^tsconfig\.json$/,
  ...TOOLKIT_SOURCES.map(
    (source) => new RegExp(source.endsWith(".ts") ? `^${source.replace(".", "\\.")}$` : `^${source}/`),
  ),
];

/** Project files changed between `base` and the working tree (untracked ones included). */
export function changedFiles(projectRoot: string, base: string): string[] {
  const tracked = git(projectRoot, ["diff", "--name-only", "--relative", base, "--"]).toString();
  const untracked = git(projectRoot, ["ls-files", "--others", "--exclude-standard"]).toString();
  return [...new Set(`${tracked}\n${untracked}`.split("\n").filter(Boolean))].sort();
}

/** A revision's own code that does not run (a syntax error, a crash): the user's to fix, reported without a trace (exit 1). */
export class RevisionCodeError extends ProjectConfigError {}

/** A revision's checkout, whether its code runs compiled (its dist/), and the port of its policy pack when one serves all its plans. */
export interface Revision {
  root: string;
  compiled?: boolean;
  packPort?: string;
}

const typeScriptFiles = (root: string, path: string): string[] => {
  const full = join(root, path);
  if (!existsSync(full)) return [];
  if (path.endsWith(".ts")) return path.endsWith(".d.ts") ? [] : [full];
  return readdirSync(full, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() || entry.name.endsWith(".ts") ? typeScriptFiles(root, join(path, entry.name)) : [],
  );
};

/**
 * Whether the revision in `root` can run compiled: its dist/ is current (a working tree after
 * `npm run build`), or, with `compile`, this function compiles it there as the build lays it out
 * (esbuild, one file per source, no type check; a checkout of a base revision, which is
 * temporary). Under tsx each plan process paid for source-mapped stack traces and every worker for
 * its loader: a program change over 1,000 stacks took 9 minutes (fleet measurement, 2026-12-04).
 * False when the code does not compile: tsx then runs it and reports the error.
 */
export function compiledRevision(root: string, compile: boolean): boolean {
  const entry = join(root, "dist", "src", "cli", "plan.js");
  const current = () => existsSync(entry) && existsSync(join(root, "dist", BUILD_STAMP)) && !newerSource(root);
  if (current() || !compile) return current();
  try {
    buildSync({
      entryPoints: TOOLKIT_SOURCES.flatMap((source) => typeScriptFiles(root, source)),
      outdir: join(root, "dist"),
      outbase: root,
      format: "cjs",
      platform: "node",
      target: "node22",
      logLevel: "silent",
    });
  } catch {
    return false;
  }
  writeFileSync(join(root, "dist", BUILD_STAMP), `${new Date().toISOString()}\n`);
  return current();
}

/** Node's flags for a revision's plan: its package.json's (a larger heap and young generation), none when it sets none. */
function planFlags(root: string): string[] {
  try {
    const scripts = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts?: { plan?: string } })
      .scripts;
    return (scripts?.plan ?? "").split(/\s+/).filter((token) => /^--[a-z-]+=\d+$/.test(token));
  } catch {
    return [];
  }
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
  const program = revision.compiled
    ? [...planFlags(root), join(root, "dist", "src", "cli", "plan.js")]
    : [TSX_CLI, join(root, "src", "cli", "plan.ts")];
  const args = [...program, ...stacks.flatMap((stack) => ["--stack", stack])];
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
