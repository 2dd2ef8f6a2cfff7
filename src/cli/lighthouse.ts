#!/usr/bin/env node
import "./compileCache";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TOOLKIT_ROOT } from "../project/paths";
import { didYouMean } from "../suggest";
import { printable } from "../text";
import { COMMANDS, type CommandName } from "./definitions";
import { EXIT, runAsMain, type Command } from "./run";

/**
 * `lighthouse <command> [flags]`: every command behind one entry (package.json `bin`), each loaded
 * only when asked for, so `lighthouse validate` starts as fast as `npm run validate`. The overview
 * and each command's help come from src/cli/definitions.ts; `npm run <command>` runs the same
 * command modules.
 */
const LOADERS: Record<CommandName, () => Promise<{ command: Command }>> = {
  validate: () => import("./validate"),
  plan: () => import("./plan"),
  diff: () => import("./diff"),
  matrix: () => import("./matrix"),
  affected: () => import("./affected"),
  inventory: () => import("./inventory"),
  adopt: () => import("./adopt"),
  export: () => import("./export"),
  import: () => import("./import"),
  preflight: () => import("./preflight"),
  events: () => import("./events"),
  offboard: () => import("./offboard"),
  roles: () => import("./roles"),
  "oidc-token": () => import("./oidc-token"),
  "fake-arm": () => import("../../scripts/fake-arm"),
};

const NAMES = Object.keys(COMMANDS) as CommandName[];

/** `lighthouse --help`: every command with its one line. */
export function overview(): string {
  const width = Math.max(...NAMES.map((name) => name.length));
  return [
    "usage: lighthouse <command> [flags]      (or: npm run <command> -- [flags])",
    "",
    "Azure Lighthouse onboarding as code: validated YAML offers, one Pulumi stack per customer.",
    "",
    "Commands:",
    ...NAMES.map((name) => `  ${name.padEnd(width)}  ${COMMANDS[name].summary}`),
    "",
    "lighthouse <command> --help shows a command's flags and exit codes.",
  ].join("\n");
}

const isCommand = (name: string): name is CommandName => Object.hasOwn(COMMANDS, name);

/** Runs the command `argv` names on the rest of `argv`; the overview, a version or a usage error otherwise. */
export async function lighthouse(argv: string[]): Promise<number | undefined> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${overview()}\n`);
    return EXIT.ok;
  }
  if (name === "--version") {
    const { version } = JSON.parse(readFileSync(join(TOOLKIT_ROOT, "package.json"), "utf8")) as { version: string };
    process.stdout.write(`${version}\n`);
    return EXIT.ok;
  }
  if (!isCommand(name)) {
    process.stderr.write(`error: unknown command '${printable(name)}'${didYouMean(name, NAMES)}\n\n${overview()}\n`);
    return EXIT.usage;
  }
  const { command } = await LOADERS[name]();
  runAsMain(command, rest);
  return undefined;
}

if (require.main === module)
  void lighthouse(process.argv.slice(2)).then((code) => {
    if (code !== undefined) process.exitCode = code;
  });
