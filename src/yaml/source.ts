import { readFileSync, statSync } from "node:fs";
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node, type Pair } from "yaml";
import { fileDiagnostic, type Diagnostic } from "../diagnostics";

/** A path into a YAML document: map keys and list indices, as zod reports them. */
export type NodePath = readonly PropertyKey[];

/** Offer and stack files are small; anything larger is a mistake (or an attack), not an offer. */
export const MAX_SOURCE_BYTES = 1024 * 1024;
/** Aliases may share a block (a JIT policy, say) but never multiply a file into gigabytes. */
const MAX_ALIAS_COUNT = 100;

/** The file's text, or one located diagnostic saying why it cannot be read as YAML text. */
export function readSourceFile(file: string): { text: string } | { diagnostic: Diagnostic } {
  let bytes: Buffer;
  try {
    const stats = statSync(file);
    if (!stats.isFile()) return { diagnostic: fileDiagnostic(file, "not a regular file") };
    if (stats.size > MAX_SOURCE_BYTES) {
      return {
        diagnostic: fileDiagnostic(file, `file is ${(stats.size / 1024 / 1024).toFixed(1)} MiB; YAML files here are limited to 1 MiB`),
      };
    }
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : String(code ?? error);
    return { diagnostic: fileDiagnostic(file, `cannot read file: ${reason}`) };
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return { diagnostic: fileDiagnostic(file, "file is not UTF-8 text (binary file?)") };
  }
  if (text.includes("\u0000")) return { diagnostic: fileDiagnostic(file, "file is not text: it contains NUL bytes") };
  return { text };
}

/** One parsed YAML file: its plain value plus a way back from any path to the node's position. */
export class YamlSource {
  private constructor(
    readonly file: string,
    private readonly document: Document,
    private readonly lines: LineCounter,
    /** The document as plain data (maps → objects, lists → arrays). */
    readonly value: unknown,
  ) {}

  /**
   * Parses `text` strictly: exactly one document, unique keys, no `__proto__` keys, bounded
   * aliases. Every problem becomes a located diagnostic; `source` is set only when there is none.
   */
  static parse(file: string, text: string): { source?: YamlSource; diagnostics: Diagnostic[] } {
    // YAML reads a lone CR as a line break, but every later message would then be misplaced.
    const loneCarriageReturn = /\r(?!\n)/.exec(text);
    if (loneCarriageReturn) {
      const line = text.slice(0, loneCarriageReturn.index).split("\n").length;
      return {
        diagnostics: [
          { file, line, column: 1, severity: "error", message: "line ends with a lone carriage return (CR-only line endings): save the file with LF or CRLF line endings" },
        ],
      };
    }
    const lines = new LineCounter();
    const documents = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, version: "1.2" });
    const at = (offset: number, message: string): Diagnostic => {
      const { line, col } = lines.linePos(offset);
      return { file, line, column: col, severity: "error", message };
    };
    if (!Array.isArray(documents) || documents.length === 0 || documents[0].contents === null) {
      return { diagnostics: [fileDiagnostic(file, "file is empty: expected a YAML map")] };
    }
    const diagnostics: Diagnostic[] = [];
    for (const extra of documents.slice(1)) {
      diagnostics.push(at(extra.range[0], "only one YAML document per file is allowed (found '---' starting another)"));
    }
    const [document] = documents;
    for (const problem of [...document.errors, ...document.warnings]) {
      diagnostics.push(at(problem.pos[0], firstLine(problem.message)));
    }
    if (diagnostics.length > 0) return { diagnostics };

    diagnostics.push(...forbiddenKeys(document.contents).map((key) => at(key.range?.[0] ?? 0, "key '__proto__' is not allowed")));
    if (diagnostics.length > 0) return { diagnostics };

    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      return { diagnostics: [fileDiagnostic(file, `YAML aliases expand too far (${firstLine(String((error as Error).message))})`)] };
    }
    return { source: new YamlSource(file, document, lines, value), diagnostics: [] };
  }

  /** The node at `path`, or the deepest node on the way there when the path leaves the file. */
  private nodeAt(path: NodePath, onKey: boolean): Node {
    let node = this.document.contents as Node;
    for (const segment of path) {
      const current = this.resolveAlias(node);
      if (isMap(current)) {
        const pair = current.items.find((item: Pair) => isScalar(item.key) && String(item.key.value) === String(segment));
        if (!pair) return node;
        const last = segment === path[path.length - 1];
        // A whole list or map is reported at its key: that is the line a reader looks for.
        if (!pair.value || (last && (onKey || isMap(pair.value) || isSeq(pair.value)))) return pair.key as Node;
        node = pair.value as Node;
      } else if (isSeq(current) && typeof segment === "number" && current.items[segment]) {
        node = current.items[segment] as Node;
      } else {
        return node;
      }
    }
    return node;
  }

  private resolveAlias(node: Node): Node {
    return isAlias(node) ? ((node.resolve(this.document) as Node | undefined) ?? node) : node;
  }

  /**
   * A diagnostic at the node `path` names (at its key with `onKey`, for "unknown key" messages).
   * A path that leaves the file (a missing key) lands on the nearest existing parent.
   */
  diagnostic(path: NodePath, severity: Diagnostic["severity"], message: string, options: { onKey?: boolean; rule?: string } = {}): Diagnostic {
    const node = this.nodeAt(path, options.onKey ?? false);
    const { line, col } = this.lines.linePos(node.range?.[0] ?? 0);
    return { file: this.file, line, column: col, severity, message, ...(options.rule ? { rule: options.rule } : {}) };
  }
}

function firstLine(message: string): string {
  return message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
}

/** `__proto__` keys anywhere in the tree: never meaningful, and a prototype-pollution vector. */
function forbiddenKeys(root: unknown): Node[] {
  const found: Node[] = [];
  const visit = (node: unknown): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (isScalar(pair.key) && pair.key.value === "__proto__") found.push(pair.key);
        visit(pair.value);
      }
    } else if (isSeq(node)) {
      node.items.forEach(visit);
    }
  };
  visit(root);
  return found;
}
