/**
 * The bench's measuring: a fresh process of a compiled command, its wall time from outside and its
 * peak RSS from inside; medians of alternating runs of project and floor; the printed rows.
 */
import { spawnSync } from "node:child_process";
import { closeSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { npmRun } from "./npm-run";
import { TOOLKIT_ROOT } from "../src/project/paths";

export const ROOT = TOOLKIT_ROOT;
export const DIST = join(ROOT, "dist");
/**
 * Node's flags as `npm run plan` passes them: a larger heap for large stacks, and a young
 * generation large enough that Pulumi's many short-lived promises do not push the garbage
 * collector into superlinear work. The floors run with the same.
 */
export const NODE_FLAGS = npmRun("plan").filter((token) => token.startsWith("--"));

export interface Measure {
  seconds: number;
  peakMiB: number;
  /** Findings printed (`file:line:col: error|warning: ...` lines), when stdout was not sent to a file. */
  findings: number;
}

/** Runs node with `args` in `cwd`; wall time from outside, peak RSS reported by the process itself on exit. */
export function measure(args: string[], cwd: string, stdoutFile?: string): Measure {
  const rssFile = join(tmpdir(), `bench-rss-${process.pid}`);
  const stdout = stdoutFile ? openSync(stdoutFile, "w") : "pipe";
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ["--require", join(DIST, "scripts", "bench-rss.js"), ...args], {
    cwd,
    stdio: ["ignore", stdout, "pipe"],
    env: { ...process.env, BENCH_RSS_FILE: rssFile },
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (typeof stdout === "number") closeSync(stdout);
  // validate exits 1 on findings (the hostile inputs have them); anything else is a failed run.
  if (result.status !== 0 && result.status !== 1)
    throw new Error(`${args.join(" ")} failed (${result.status}): ${String(result.stderr).slice(0, 2000)}`);
  const peakMiB = Number(readFileSync(rssFile, "utf8")) / 1024;
  rmSync(rssFile, { force: true });
  return {
    seconds,
    peakMiB,
    findings: String(result.stdout ?? "")
      .split("\n")
      .filter((line) => /:\d+:\d+: (error|warning): /.test(line)).length,
  };
}

const byTime = (a: Measure, b: Measure) => a.seconds - b.seconds;

/** The median run of three (by time). */
export function median(run: () => Measure): Measure {
  return [run(), run(), run()].sort(byTime)[1];
}

/** Project and floor, `times` each, alternating (so that a busy moment hits both): the medians. */
export function medianPair(
  project: () => Measure,
  floor: () => Measure,
  times = 3,
): { project: Measure; floor: Measure } {
  const runs = Array.from({ length: times }, () => ({ project: project(), floor: floor() }));
  const middle = (side: Measure[]) => side.sort(byTime)[Math.floor(times / 2)];
  return { project: middle(runs.map((run) => run.project)), floor: middle(runs.map((run) => run.floor)) };
}

export const git = (cwd: string, ...args: string[]) =>
  spawnSync("git", ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid", ...args], {
    cwd,
    stdio: "ignore",
  });
export const row = (work: string, size: string, project: Measure, floor: Measure) =>
  console.log(
    `${work.padEnd(10)}${size.padStart(20)}  ${project.seconds.toFixed(2).padStart(7)} s ${floor.seconds.toFixed(2).padStart(7)} s  ×${(project.seconds / floor.seconds).toFixed(2).padEnd(5)}` +
      `  ${project.peakMiB.toFixed(0).padStart(6)} MiB ${floor.peakMiB.toFixed(0).padStart(6)} MiB  ×${(project.peakMiB / floor.peakMiB).toFixed(2)}`,
  );
