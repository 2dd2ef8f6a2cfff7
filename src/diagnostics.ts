import { compareOrdinal, printable } from "./text";

/** A problem found in a user's file, located at the YAML node that causes it. */
export interface Diagnostic {
  file: string;
  /** 1-based line and column of the offending node (or of the file's start when no node applies). */
  line: number;
  column: number;
  severity: "error" | "warning";
  message: string;
  /** Id of the Lighthouse rule behind the finding, when it comes from one (see src/rules). */
  rule?: string;
}

export const hasErrors = (diagnostics: readonly Diagnostic[]): boolean =>
  diagnostics.some((diagnostic) => diagnostic.severity === "error");

/** A diagnostic about a whole file (unreadable, too large, not text), placed at 1:1. */
export function fileDiagnostic(file: string, message: string): Diagnostic {
  return { file, line: 1, column: 1, severity: "error", message };
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    compareOrdinal(a.file, b.file) || a.line - b.line || a.column - b.column || compareOrdinal(a.message, b.message)
  );
}

/** Sorted by position; the same message at the same place once. */
export function uniqueDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return [...diagnostics].sort(compareDiagnostics).filter((diagnostic) => {
    const key = `${diagnostic.line}:${diagnostic.column}:${diagnostic.severity}:${diagnostic.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `file:line:col: error: message`, the form compilers use and editors link. */
export function formatDiagnostic(diagnostic: Diagnostic): string {
  const rule = diagnostic.rule ? ` [${diagnostic.rule}]` : "";
  return printable(
    `${diagnostic.file}:${diagnostic.line}:${diagnostic.column}: ${diagnostic.severity}: ${diagnostic.message}${rule}`,
  );
}

/** A GitHub Actions workflow command, shown as an annotation on the pull request's diff. */
export function formatGithubAnnotation(diagnostic: Diagnostic): string {
  // Control characters are escaped first: no value can end the command or start another.
  const escapeData = (text: string) => printable(text).replace(/%/g, "%25");
  const escapeProperty = (text: string) => escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
  const title = diagnostic.rule ? `,title=${escapeProperty(diagnostic.rule)}` : "";
  return `::${diagnostic.severity} file=${escapeProperty(diagnostic.file)},line=${diagnostic.line},col=${diagnostic.column}${title}::${escapeData(diagnostic.message)}`;
}
