import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";

export const REPO_ROOT = join(__dirname, "..", "..");

/** A throwaway copy of the project's offers, stacks and Pulumi.yaml, to break on purpose. */
export function tempProject(files: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), "lighthouse-"));
  for (const item of ["Pulumi.yaml", "offers", "stacks"]) cpSync(join(REPO_ROOT, item), join(root, item), { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** Runs one of the project's commands (src/cli/<name>.ts) as npm would, in `cwd`. */
export function runCli(name: string, args: string[], cwd = REPO_ROOT) {
  const tsx = join(REPO_ROOT, "node_modules", ".bin", "tsx");
  const result = spawnSync(tsx, [join(REPO_ROOT, "src", "cli", `${name}.ts`), ...args], {
    cwd,
    encoding: "utf8",
    // The Node running the tests (22+) runs the command too, wherever the test runs it from.
    env: { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}` },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
