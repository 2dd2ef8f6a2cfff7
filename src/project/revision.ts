import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { stackConfigDir, STACK_NAME_PATTERN, stackNameOf } from "./paths";

/** A git failure the user can fix (a ref that does not exist, no repository): exit 2, not a crash. */
export class RevisionError extends Error {}

export function git(cwd: string, args: string[], input?: Buffer): Buffer {
  try {
    return execFileSync("git", args, { cwd, input, stdio: ["pipe", "pipe", "pipe"], maxBuffer: 512 * 1024 * 1024 });
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? "").trim();
    throw new RevisionError(`git ${args[0]} failed: ${stderr || (error as Error).message}`);
  }
}

/**
 * The project's files (offers, stacks, Pulumi.yaml) as they were at `ref`, in a temporary
 * directory. The review runs today's code over them: only the data is historical.
 */
export function checkoutProjectAt(projectRoot: string, ref: string): string {
  const top = git(projectRoot, ["rev-parse", "--show-toplevel"]).toString().trim();
  const prefix = relative(top, projectRoot);
  try {
    git(projectRoot, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  } catch {
    throw new RevisionError(`'${ref}' is not a commit of the repository at ${top}`);
  }
  const target = mkdtempSync(join(tmpdir(), "lighthouse-base-"));
  const tree = `${ref}:${prefix}`;
  const tar = git(projectRoot, ["archive", "--format=tar", tree]);
  execFileSync("tar", ["-x", "-C", target], { input: tar });
  return target;
}

/** Runs `use` over the project as it was at `ref`, and removes the temporary checkout afterwards. */
export async function withProjectAt<T>(
  projectRoot: string,
  ref: string,
  use: (checkout: string) => T | Promise<T>,
): Promise<T> {
  let checkout: string | undefined;
  const remove = () => {
    if (checkout) rmSync(checkout, { recursive: true, force: true });
  };
  // A command stopped by a signal (a cancelled CI job: SIGTERM; Ctrl-C: SIGINT) never reaches the
  // `finally`: the checkout goes first, then the process ends as the signal would have ended it.
  // Listening before the checkout is made: a signal during it is handled once it is made.
  const stopped = (signal: NodeJS.Signals) => {
    remove();
    process.kill(process.pid, signal);
  };
  const onTerm = () => stopped("SIGTERM");
  const onInt = () => stopped("SIGINT");
  process.once("SIGTERM", onTerm).once("SIGINT", onInt);
  try {
    checkout = checkoutProjectAt(projectRoot, ref);
    return await use(checkout);
  } finally {
    process.removeListener("SIGTERM", onTerm).removeListener("SIGINT", onInt);
    remove();
  }
}

/** The stack names of a project checkout (Pulumi.<stack>.yaml in Pulumi.yaml's stackConfigDir). */
export function stackNames(projectRoot: string): string[] {
  const directory = stackConfigDir(projectRoot);
  if (!existsSync(directory)) return [];
  return (
    readdirSync(directory)
      .map((file) => stackNameOf(file))
      // A file whose name is no valid stack name cannot be a stack (`--stack` refuses it too).
      .filter((name): name is string => name !== undefined && STACK_NAME_PATTERN.test(name))
      .sort()
  );
}
