import { execFile, execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";

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

// The commands as npm runs them: compiled JavaScript in dist/ (test/global-setup.ts builds it first).
const commandLine = (name: string, args: string[]) => [join(REPO_ROOT, "dist", "src", "cli", `${name}.js`), ...args];
// The Node running the tests (22+) runs the command too, wherever the test runs it from.
const commandEnv = (env: Record<string, string>) => ({
  ...process.env,
  PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}`,
  ...env,
});

/** Runs one of the project's commands (src/cli/<name>.ts, compiled) as npm would, in `cwd`. */
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
