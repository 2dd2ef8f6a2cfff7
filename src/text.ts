/**
 * Text from files, servers and git, made safe to print: every string a user or a server supplied
 * passes through here before it reaches a terminal, a Markdown page or a GitHub annotation.
 */

/**
 * Ordinal order (UTF-16 code units), for sorting what the toolkit prints: the same on every machine,
 * where localeCompare follows the machine's locale, and with no collation tables to load.
 */
export const compareOrdinal = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Longest piece of a user's input quoted back in a message. */
export const MAX_QUOTED_LENGTH = 200;

// C0 and C1 controls, DEL, line and paragraph separators, bidirectional overrides and isolates:
// matching control characters is the point here.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** True when `text` holds a control, separator or bidirectional character (one {@link printable} would escape). */
export const hasUnprintable = (text: string): boolean => new RegExp(UNPRINTABLE.source).test(text);

/** `text` with every control character shown as an escape (`\n`, `\u001b`): one line, no terminal codes. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (char) => NAMED[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** At most `max` characters of `text`, with "…" where it was cut. */
export function truncate(text: string, max = MAX_QUOTED_LENGTH): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** A user's input quoted in a message: `'Reeder'`, cut to a readable length, control characters escaped. */
export function quote(input: unknown): string {
  return `'${printable(truncate(String(input)))}'`;
}

/** Lines for a terminal: each line made printable on its own, so no value can start a line of its own. */
export function printableLines(lines: readonly string[]): string {
  return lines.map((line) => commandSafe(printable(line))).join("\n");
}

/**
 * A line that would start a GitHub Actions workflow command (`::warning::…`; the runner trims
 * leading whitespace before it looks) gets "› " in front: a value from Azure or a file at the start
 * of an indented line, shown in a CI log, must not annotate, mask or set anything.
 */
const commandSafe = (line: string) => (line.trimStart().startsWith("::") ? `› ${line}` : line);

// Characters that Markdown (GitHub's, in pull request comments) gives a meaning wherever they
// stand: emphasis, code, links (which need '['), HTML, headings, tables, strike-through.
const MARKDOWN_SPECIAL = /[\\`*_[\]<>#|~]/g;

/** A value from a file or a server inside Markdown: shown as written, never as formatting or HTML. */
export function markdownText(text: string): string {
  return printable(text).replace(MARKDOWN_SPECIAL, (char) => `\\${char}`);
}

/** A value shown verbatim inline in Markdown: a code span whose delimiter no backtick in it can close. */
export function markdownCodeSpan(text: string): string {
  const shown = printable(text);
  const longestRun = Math.max(0, ...(shown.match(/`+/g) ?? []).map((run) => run.length));
  const delimiter = "`".repeat(longestRun + 1);
  // CommonMark strips one space on each side: padding keeps a leading or trailing backtick apart.
  const padded = /^`|`$/.test(shown) ? ` ${shown} ` : shown;
  return `${delimiter}${padded}${delimiter}`;
}

/** Lines shown verbatim in Markdown: a fenced block whose fence no line can close. */
export function markdownCodeBlock(text: string): string[] {
  const lines = text.split("\n").map(printable);
  const longestRun = Math.max(0, ...lines.flatMap((line) => (line.match(/`+/g) ?? []).map((run) => run.length)));
  const fence = "`".repeat(Math.max(3, longestRun + 1));
  return [fence, ...lines, fence];
}

/**
 * How every message names a principal: `Name (id)`, or the id alone. `name` shows the display
 * name (quoted in rule findings, escaped in Markdown).
 */
export function principalLabel(id: string, displayName: string | undefined, name: (text: string) => string = String) {
  return displayName ? `${name(displayName)} (${id})` : id;
}
