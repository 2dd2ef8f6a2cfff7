/**
 * Text from files, servers and git, made safe to print: every string a user or a server supplied
 * passes through here before it reaches a terminal, a Markdown page or a GitHub annotation.
 */

/** Longest piece of a user's input quoted back in a message. */
export const MAX_QUOTED_LENGTH = 80;

// C0 and C1 controls, DEL, line and paragraph separators, bidirectional overrides and isolates:
// matching control characters is the point here.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

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
