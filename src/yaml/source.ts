import { closeSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import {
  visit,
  type Alias,
  isAlias,
  isCollection,
  isMap,
  isScalar,
  isSeq,
  Lexer,
  LineCounter,
  parseAllDocuments,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
} from "yaml";
import { fileDiagnostic, type Diagnostic } from "../diagnostics";
import { printable, quote } from "../text";

/** A path into a YAML document: map keys and list indices, as zod reports them. */
export type NodePath = readonly PropertyKey[];

/**
 * Bounds that keep the work linear in a file's size whatever its shape: offer and stack files are
 * small, and anything beyond these is a mistake (or an attack), not an offer. docs/offers.md,
 * "Untrusted input: limits, paths, output".
 */
export const YAML_LIMITS = {
  /** File size; at most this many bytes (plus one, to notice more) are ever read. */
  bytes: 1024 * 1024,
  /** Tokens (keys, values, indicators, indentation): counted before parsing, which costs far more. */
  tokens: 400_000,
  /** Maps, lists and scalars in one document. */
  nodes: 50_000,
  /** Keys in one map (a whole offer has about ten). */
  keysPerMap: 1_000,
  /** Maps and lists inside each other. */
  depth: 64,
  /** Aliases may share a block (a JIT policy, say) but never multiply a file into gigabytes. */
  aliases: 100,
} as const;
export const MAX_SOURCE_BYTES = YAML_LIMITS.bytes;

/** Not streaming, so each decode starts afresh: one decoder serves every file. */
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** The file's text, or one located diagnostic saying why it cannot be read as YAML text. */
export function readSourceFile(file: string): { text: string } | { diagnostic: Diagnostic } {
  let bytes: Buffer;
  try {
    const stats = statSync(file);
    if (!stats.isFile()) return { diagnostic: fileDiagnostic(file, "not a regular file") };
    if (stats.size > MAX_SOURCE_BYTES) {
      return {
        diagnostic: fileDiagnostic(
          file,
          `file is ${(stats.size / 1024 / 1024).toFixed(1)} MiB; YAML files here are limited to 1 MiB`,
        ),
      };
    }
    // stat is 0 for files such as /proc/self/pagemap: read no more than the limit, whatever it said.
    bytes = readAtMost(file, MAX_SOURCE_BYTES + 1);
    if (bytes.length > MAX_SOURCE_BYTES)
      return { diagnostic: fileDiagnostic(file, "file is larger than 1 MiB; YAML files here are limited to 1 MiB") };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : String(code ?? error);
    return { diagnostic: fileDiagnostic(file, `cannot read file: ${reason}`) };
  }
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return { diagnostic: fileDiagnostic(file, "file is not UTF-8 text (binary file?)") };
  }
  if (text.includes("\u0000")) return { diagnostic: fileDiagnostic(file, "file is not text: it contains NUL bytes") };
  return { text };
}

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const FORBIDDEN_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u0084\u0086-\u009f\ufffe\uffff]/;

const READ_AHEAD = Buffer.allocUnsafe(64 * 1024);

/**
 * The first `limit` bytes of a file (fewer if it is shorter): a buffer the size the file says it
 * has, then more only while reads return data (special files report size 0), never past `limit`.
 */
export function readAtMost(file: string, limit: number): Buffer {
  const descriptor = openSync(file, "r");
  try {
    const size = fstatSync(descriptor).size;
    const chunks: Buffer[] = [];
    let length = 0;
    while (length < limit) {
      // The read that finds the end goes to a shared buffer: most files end where their size said.
      const chunk = chunks.length === 0 && size > 0 ? Buffer.allocUnsafe(Math.min(limit, size + 1)) : READ_AHEAD;
      const read = readSync(descriptor, chunk, 0, Math.min(limit - length, chunk.length), null);
      if (read === 0) break;
      chunks.push(chunk === READ_AHEAD ? Buffer.from(chunk.subarray(0, read)) : chunk.subarray(0, read));
      length += read;
    }
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length);
  } finally {
    closeSync(descriptor);
  }
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
   * aliases. Every problem becomes a located diagnostic. `source` is set when the document could
   * be read despite them (a repeated key: the last value counts, as the position lookup agrees),
   * so that the schema and the rules still report everything else.
   */
  static parse(file: string, text: string): { source?: YamlSource; diagnostics: Diagnostic[] } {
    // YAML reads a lone CR as a line break, but every later message would then be misplaced.
    const loneCarriageReturn = /\r(?!\n)/.exec(text);
    if (loneCarriageReturn) {
      const line = text.slice(0, loneCarriageReturn.index).split("\n").length;
      return {
        diagnostics: [
          {
            file,
            line,
            column: 1,
            severity: "error",
            message:
              "line ends with a lone carriage return (CR-only line endings): save the file with LF or CRLF line endings",
          },
        ],
      };
    }
    // YAML 1.2 allows no raw control characters but tab and line breaks (its c-printable set).
    const control = FORBIDDEN_CHARACTER.exec(text);
    if (control) {
      const before = text.slice(0, control.index);
      const line = before.split("\n").length;
      const column = control.index - before.lastIndexOf("\n");
      const code = `U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
      return {
        diagnostics: [
          {
            file,
            line,
            column,
            severity: "error",
            message: `raw control character ${code} is not allowed in YAML; remove it`,
          },
        ],
      };
    }
    // The lexer yields at most one marker per token it reads, and each token it reads takes at
    // least one character: a file of at most tokens/2 characters cannot exceed the limit (measured
    // on adversarial shapes: at most 1.4 tokens per character), so only larger ones are counted.
    if (text.length > YAML_LIMITS.tokens / 2) {
      let tokens = 0;
      for (const token of new Lexer().lex(text)) {
        if (token !== undefined && ++tokens > YAML_LIMITS.tokens) {
          return {
            diagnostics: [
              fileDiagnostic(
                file,
                `the file has more than ${YAML_LIMITS.tokens} YAML tokens (keys, values, indentation); files here are far smaller`,
              ),
            ],
          };
        }
      }
    }
    const lines = new LineCounter();
    // Keys are checked for uniqueness below, in linear time (the library's own check is quadratic).
    const documents = parseAllDocuments(text, {
      lineCounter: lines,
      prettyErrors: false,
      uniqueKeys: false,
      version: "1.2",
    });
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
      const message = firstLine(problem.message);
      const hint = PARSER_HINTS[problem.code];
      diagnostics.push(at(problem.pos[0], hint && message.startsWith(hint.when) ? `${message}${hint.say}` : message));
    }
    if (diagnostics.length > 0) return { diagnostics };

    const structure = structureProblems(document.contents, (node) => lines.linePos(node.range?.[0] ?? 0).line);
    diagnostics.push(...structure.problems.map(({ node, message }) => at(node.range?.[0] ?? 0, message)));
    if (structure.fatal) return { diagnostics };

    let value = plainData(document.contents);
    if (value === HAS_ALIAS) {
      const undefinedAliases = aliasesWithoutAnchor(document);
      if (undefinedAliases.length > 0)
        return {
          diagnostics: [
            ...diagnostics,
            ...undefinedAliases.map((alias) =>
              at(
                alias.range?.[0] ?? 0,
                `alias *${printable(alias.source)} names no anchor: define &${printable(alias.source)} on a value above it, or write the value here`,
              ),
            ),
          ],
        };
      try {
        value = document.toJS({ maxAliasCount: YAML_LIMITS.aliases });
      } catch (error) {
        return {
          diagnostics: [
            ...diagnostics,
            fileDiagnostic(file, `YAML aliases expand too far (${firstLine(String((error as Error).message))})`),
          ],
        };
      }
    }
    return { source: new YamlSource(file, document, lines, value), diagnostics };
  }

  /** The node at `path`, or the deepest node on the way there when the path leaves the file. */
  private nodeAt(path: NodePath, onKey: boolean): Node {
    let node = this.document.contents as Node;
    for (const segment of path) {
      const current = this.resolveAlias(node);
      if (isMap(current)) {
        const pair = this.pairsOf(current).get(String(segment));
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

  private readonly pairIndex = new WeakMap<YAMLMap, Map<string, Pair>>();

  /** A map's pairs by key, built once per map: finding a position is then constant time. */
  private pairsOf(map: YAMLMap): Map<string, Pair> {
    let pairs = this.pairIndex.get(map);
    if (!pairs) {
      pairs = new Map(
        map.items
          .filter((item) => isScalar(item.key))
          .map((item) => [String((item.key as { value: unknown }).value), item]),
      );
      this.pairIndex.set(map, pairs);
    }
    return pairs;
  }

  private resolveAlias(node: Node): Node {
    return isAlias(node) ? ((node.resolve(this.document) as Node | undefined) ?? node) : node;
  }

  /**
   * A diagnostic at the node `path` names (at its key with `onKey`, for "unknown key" messages).
   * A path that leaves the file (a missing key) lands on the nearest existing parent.
   */
  diagnostic(
    path: NodePath,
    severity: Diagnostic["severity"],
    message: string,
    options: { onKey?: boolean; rule?: string } = {},
  ): Diagnostic {
    const node = this.nodeAt(path, options.onKey ?? false);
    const { line, col } = this.lines.linePos(node.range?.[0] ?? 0);
    return { file: this.file, line, column: col, severity, message, ...(options.rule ? { rule: options.rule } : {}) };
  }
}

/** What to do about the parser's commonest complaints, by its error code. */
const PARSER_HINTS: Partial<Record<string, { when: string; say: string }>> = {
  TAB_AS_INDENT: { when: "Tabs", say: ": indent with spaces" },
  BAD_INDENT: { when: "All mapping items", say: ": line up the keys of one map in one column" },
  TAG_RESOLVE_FAILED: { when: "Unresolved tag", say: ": remove the tag, these files take plain values" },
  BLOCK_AS_IMPLICIT_KEY: { when: "Nested mappings", say: ": a value that contains ': ' must be in quotes" },
  MULTILINE_IMPLICIT_KEY: { when: "Implicit keys", say: ": put a space after each ':' (key: value)" },
};

/** The parser's message in one line, without its position (ours is exact) or any quoted text. */
function firstLine(message: string): string {
  const line = message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
  // The parser recurses per level of nesting: a deep enough file exhausts the stack.
  return line.startsWith("Maximum call stack size exceeded")
    ? `lists and maps are nested far more than ${YAML_LIMITS.depth} deep`
    : printable(line);
}

const HAS_ALIAS = Symbol("an alias");

/**
 * A document's content as plain data, as yaml's `toJS` makes it (maps → objects with string keys,
 * "" for a null key, lists → arrays, scalars → their values), in one pass and without its
 * per-node context: `HAS_ALIAS` when an alias is met, for `toJS` and its expansion limit to resolve.
 * Run after `structureProblems`: keys are scalars and nesting is shallow.
 */
function plainData(node: unknown): unknown {
  if (isScalar(node)) return node.value;
  if (isMap(node)) {
    const data: Record<string, unknown> = {};
    for (const pair of node.items) {
      const value = plainData(pair.value);
      if (value === HAS_ALIAS) return HAS_ALIAS;
      const key = isScalar(pair.key) ? pair.key.value : null;
      data[key === null ? "" : String(key)] = value;
    }
    return data;
  }
  if (isSeq(node)) {
    const data: unknown[] = [];
    for (const item of node.items) {
      const value = plainData(item);
      if (value === HAS_ALIAS) return HAS_ALIAS;
      data.push(value);
    }
    return data;
  }
  return node === null ? null : HAS_ALIAS;
}

/**
 * Aliases used before (or without) their anchor, in document order: YAML resolves an alias to
 * the last anchor of its name above it, and the library would only say so when converting, at
 * no position.
 */
function aliasesWithoutAnchor(document: Document): Alias[] {
  const anchors = new Set<string>();
  const unresolved: Alias[] = [];
  visit(document, (_key, node) => {
    if (isAlias(node)) {
      if (!anchors.has(node.source)) unresolved.push(node);
    } else if ((isScalar(node) || isCollection(node)) && node.anchor) {
      anchors.add(node.anchor);
    }
  });
  return unresolved;
}

/**
 * What a parsed document must not hold, found in one pass over its nodes: more nodes, keys per
 * map or nesting than {@link YAML_LIMITS} allow, `__proto__` keys (a prototype-pollution
 * vector), and keys that are aliases, lists or maps; all of them `fatal`, the document is not
 * read. A repeated key is reported at each repetition but the document is still read.
 */
function structureProblems(
  root: unknown,
  lineOf: (node: Node) => number,
): { problems: Array<{ node: Node; message: string }>; fatal: boolean } {
  const problems: Array<{ node: Node; message: string }> = [];
  let fatal = false;
  const pending: Array<{ node: unknown; depth: number }> = [{ node: root, depth: 1 }];
  let nodes = 0;
  while (pending.length > 0) {
    const { node, depth } = pending.pop()!;
    if (!isCollection(node)) continue;
    nodes += node.items.length;
    if (nodes > YAML_LIMITS.nodes)
      return {
        problems: [
          {
            node: root as Node,
            message: `the document has more than ${YAML_LIMITS.nodes} values; files here are far smaller`,
          },
        ],
        fatal: true,
      };
    if (depth > YAML_LIMITS.depth) {
      problems.push({ node, message: `lists and maps are nested more than ${YAML_LIMITS.depth} deep` });
      fatal = true;
      continue;
    }
    if (isSeq(node)) {
      for (const item of node.items) pending.push({ node: item, depth: depth + 1 });
      continue;
    }
    if (node.items.length > YAML_LIMITS.keysPerMap) {
      problems.push({
        node,
        message: `this map has ${node.items.length} keys; at most ${YAML_LIMITS.keysPerMap} are allowed`,
      });
      fatal = true;
      continue;
    }
    const firstLineOf = new Map<string, number>();
    for (const pair of (node as YAMLMap).items) {
      const key = pair.key as Node | null;
      if (isAlias(key) || isCollection(key)) {
        problems.push({ node: key, message: "a key must be a plain value, not an alias, a list or a map" });
        fatal = true;
      } else if (isScalar(key)) {
        const name = String(key.value);
        const first = firstLineOf.get(name);
        if (name === "__proto__") {
          problems.push({ node: key, message: "key '__proto__' is not allowed" });
          fatal = true;
        } else if (first !== undefined) {
          problems.push({
            node: key,
            message: `key ${quote(name)} is repeated (first at line ${first}): a map holds each key once, so remove one; the last one is checked`,
          });
        } else {
          firstLineOf.set(name, lineOf(key));
        }
      }
      pending.push({ node: pair.value, depth: depth + 1 });
    }
  }
  return { problems, fatal };
}
