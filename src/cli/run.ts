import { parseArgs, type ParseArgsConfig } from "node:util";
import { formatDiagnostic } from "../diagnostics";
import { loadNamedStack, type ResolvedStack } from "../stack/load";
import { STACK_NAME_PATTERN, ProjectConfigError, TOOLKIT_ROOT } from "../project/paths";
import { newerSource } from "../project/build";
import { printable, quote } from "../text";
import { COMMANDS, type CommandDefinition, type CommandName } from "./definitions";

/** Exit codes every command of this toolkit uses. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A mistake in how the command was called: printed with the usage text, exit 2. */
export class UsageError extends Error {}

/** `--help` / `-h`: the usage text on stdout, exit 0. */
class HelpRequested extends Error {}

/**
 * Parses argv strictly: an unknown flag or a missing value is a UsageError, never a stack trace.
 * Every command also takes `--help` (or `-h`) anywhere on its command line.
 */
export function parseCommandLine<Options extends NonNullable<ParseArgsConfig["options"]>>(
  argv: string[],
  options: Options,
) {
  const config = { args: argv, options, allowPositionals: true, strict: true } as const;
  if (argv.includes("--help") || argv.includes("-h")) throw new HelpRequested();
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** A stack by name, or undefined after printing all its problems (file:line:col) to stderr. */
export function stackOrReport(projectRoot: string, stackName: string): ResolvedStack | undefined {
  const { stack, diagnostics } = loadNamedStack(projectRoot, stackName);
  if (!stack) for (const diagnostic of diagnostics) process.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
  return stack;
}

/** The required `--stack` option: a stack name that stays one file name inside stacks/. */
export function stackOption(value: string | undefined): string {
  if (!value) throw new UsageError("--stack is required");
  return checkedStackName(value);
}

export function checkedStackName(value: string): string {
  if (!STACK_NAME_PATTERN.test(value)) {
    throw new UsageError(
      `--stack ${quote(value)} is not a stack name (letters, digits, '.', '_' and '-'; the file is stacks/Pulumi.<name>.yaml)`,
    );
  }
  return value;
}

export function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${flag} must be one of ${allowed.join(", ")}, not ${quote(value)}`);
  }
  return value as T;
}

/** A whole number from 1 to 1,000,000, as a flag's value. */
export function positiveInteger(flag: string, value: string): number {
  if (!/^[1-9][0-9]{0,6}$/.test(value) || Number(value) > 1_000_000)
    throw new UsageError(`--${flag} must be a whole number from 1 to 1000000, not ${quote(value)}`);
  return Number(value);
}

function isFileSystemError(error: unknown): error is NodeJS.ErrnoException & { syscall: string } {
  return (
    error instanceof Error &&
    typeof (error as NodeJS.ErrnoException).code === "string" &&
    typeof (error as NodeJS.ErrnoException).syscall === "string"
  );
}

/** A command: its usage text and its main, which returns the exit code. */
export interface Command {
  usage: string;
  main: (argv: string[]) => number | Promise<number>;
}

/** "0 valid, 1 errors found, 2 usage error": a definition's exit codes in one line. */
export const exitCodesText = (definition: CommandDefinition): string =>
  Object.entries(definition.exitCodes)
    .map(([code, meaning]) => `${code} ${meaning}`)
    .join(", ");

/** A command's help, from its definition (src/cli/definitions.ts). */
export function usageText(name: CommandName): string {
  const definition: CommandDefinition = COMMANDS[name];
  const [first, ...others] = definition.synopsis;
  return [
    `usage: npm run ${name} -- ${first}`,
    ...others.map((synopsis) => `       npm run ${name} -- ${synopsis}`),
    `   or: lighthouse ${name} ${first}`,
    "",
    definition.description,
    `Exit codes: ${exitCodesText(definition)}.`,
  ].join("\n");
}

/**
 * Runs a command's main on `argv` and returns its exit code: usage errors print the usage and
 * exit 2; file-system errors print what failed (exit 1); anything else unexpected is a bug,
 * reported as such (exit 1). User mistakes in files are diagnostics, handled by the command.
 */
export async function executeCommand({ usage, main }: Command, argv: string[]): Promise<number> {
  try {
    return await main(argv);
  } catch (error) {
    if (error instanceof HelpRequested) {
      process.stdout.write(`${usage}\n`);
      return EXIT.ok;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${printable(error.message)}\n\n${usage}\n`);
      return EXIT.usage;
    }
    if (error instanceof ProjectConfigError) {
      process.stderr.write(`error: ${printable(error.message)}\n`);
      return EXIT.failed;
    }
    if (isFileSystemError(error)) {
      // A folder that is not writable, a disk that is full: the user's to fix, not a bug.
      process.stderr.write(`error: cannot ${error.syscall} ${printable(error.path ?? "")}: ${error.code}\n`);
      return EXIT.failed;
    }
    process.stderr.write(
      `internal error (please report): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return EXIT.failed;
  }
}

/**
 * Declares a command. When its file (`entry`, the caller's `__filename`) is what Node runs
 * (`npm run <name>`), runs it on the process's arguments and sets the exit code; imported (by the
 * tests, in-process), it only returns the command.
 */
export function runCommand(name: CommandName, main: Command["main"], entry: string): Command {
  const command = { usage: usageText(name), main };
  if (require.main?.filename === entry) runAsMain(command);
  return command;
}

/** Runs `command` as the process's own: on its arguments (by default the process's), setting its exit code. */
export function runAsMain(command: Command, argv = process.argv.slice(2)): void {
  // A reader that stops early (`| head`) is no error of ours: stop quietly.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
      process.exit(process.exitCode ?? 0);
    });
  }
  // Compiled code older than the sources that pulumi up would run: never plan one program and deploy another.
  const stale = __filename.endsWith(".js") ? newerSource(TOOLKIT_ROOT) : undefined;
  if (stale) {
    process.stderr.write(
      `error: the toolkit's compiled code (dist/) is older than ${printable(stale)}: run npm run build\n`,
    );
    process.exitCode = EXIT.usage;
    return;
  }
  void executeCommand(command, argv).then((code) => {
    process.exitCode = code;
  });
}
