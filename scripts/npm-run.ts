import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TOOLKIT_ROOT } from "../src/project/paths";

const SCRIPTS = (
  JSON.parse(readFileSync(join(TOOLKIT_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
).scripts;

/**
 * Node's arguments for `npm run <name>` (package.json, the one place they are set): the script's
 * flags and its file, for the bench and the tests to run a command exactly as users do.
 */
export function npmRun(name: string): string[] {
  const [node, ...args] = SCRIPTS[name]?.split(/\s+/) ?? [];
  if (node !== "node") throw new Error(`npm run ${name} is not a node command`);
  return args.map((token) => (token.startsWith("--") ? token : join(TOOLKIT_ROOT, token)));
}
