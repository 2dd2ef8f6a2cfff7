import { execFile, execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { executeCommand, type Command } from "../../src/cli/run";
import { npmRun } from "../../scripts/npm-run";

export const REPO_ROOT = join(__dirname, "..", "..");

/** A throwaway copy of the project's offers, stacks and Pulumi.yaml, to break on purpose. */
export function tempProject(files: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), "lighthouse-"));
  for (const item of ["Pulumi.yaml", "offers", "stacks"])
    cpSync(join(REPO_ROOT, item), join(root, item), { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

// The commands as npm runs them, from dist/ (test/global-setup.ts builds it first).
const commandLine = (name: string, args: string[]) => [...npmRun(name), ...args];
// The Node running the tests (22+) runs the command too, wherever the test runs it from.
const commandEnv = (env: Record<string, string>) => ({
  ...process.env,
  PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}`,
  ...env,
});

/** Runs one of the project's commands as `npm run <name>` would, in `cwd`. */
export function runCli(name: string, args: string[], cwd = REPO_ROOT, env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, commandLine(name, args), { cwd, encoding: "utf8", env: commandEnv(env) });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The same without blocking this process: for commands that talk to a server the test runs. */
export function runCliAsync(name: string, args: string[], env: Record<string, string> = {}, cwd = REPO_ROOT) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      commandLine(name, args),
      { cwd, encoding: "utf8", env: commandEnv(env) },
      (error, stdout, stderr) => {
        resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

/**
 * Runs a command's main in this process, as `npm run <name>` would in `cwd` with `env` added: the
 * exit code and what it printed. Fast, and visible to mutation testing; a few tests per command
 * still run the compiled command as users do (runCli, runCliAsync). Commands run one at a time
 * (they share the process's streams, working directory and environment).
 */
export async function runCommandInProcess(
  command: Command,
  args: string[],
  env: Record<string, string> = {},
  cwd = REPO_ROOT,
): Promise<{ status: number; stdout: string; stderr: string }> {
  const printed = { stdout: "", stderr: "" };
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  const capture = (stream: "stdout" | "stderr") =>
    ((chunk: string | Uint8Array) => {
      printed[stream] += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      return true;
    }) as typeof process.stdout.write;
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  const directory = process.cwd();
  try {
    Object.assign(process.env, env);
    process.chdir(cwd);
    process.stdout.write = capture("stdout");
    process.stderr.write = capture("stderr");
    const status = await executeCommand(command, args);
    return { status, ...printed };
  } finally {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
    process.chdir(directory);
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/** git in `cwd`, with a throwaway identity. */
export const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
    cwd,
    stdio: "pipe",
  }).toString();

/** A temporary project, committed as the first commit of a fresh repository on branch main. */
export function committedProject(files: Record<string, string> = {}): string {
  const root = tempProject(files);
  git(root, "init", "-q", "-b", "main");
  git(root, "add", "-A");
  git(root, "commit", "-qm", "base");
  return root;
}

/**
 * A committed copy of the whole toolkit (every file git tracks or would, as in this working tree), its
 * node_modules linked: a repository whose code a test can change, as a pull request would.
 */
export function committedToolkit(): string {
  const root = mkdtempSync(join(tmpdir(), "lighthouse-toolkit-"));
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  }).split("\0");
  for (const file of files.filter((file) => file && existsSync(join(REPO_ROOT, file)))) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    cpSync(join(REPO_ROOT, file), join(root, file));
  }
  symlinkSync(join(REPO_ROOT, "node_modules"), join(root, "node_modules"), "dir");
  git(root, "init", "-q", "-b", "main");
  git(root, "add", "-A");
  git(root, "commit", "-qm", "base");
  return root;
}
