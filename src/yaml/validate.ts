import { z } from "zod";
import type { Diagnostic } from "../diagnostics";
import { didYouMean } from "../suggest";
import type { YamlSource } from "./source";

/** Peels the wrappers zod puts around a schema (optional, default, transform) to reach its shape. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodDefault || current instanceof z.ZodNullable) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      current = current.in as z.ZodType;
    } else {
      return current;
    }
  }
}

/** The keys a map at `path` may have, for "did you mean" on an unknown key. */
function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current = unwrap(schema);
  for (const segment of path) {
    if (current instanceof z.ZodObject) current = unwrap(current.shape[String(segment)] as z.ZodType);
    else if (current instanceof z.ZodArray) current = unwrap(current.element as z.ZodType);
    else if (current instanceof z.ZodRecord) current = unwrap(current.valueType as z.ZodType);
    else return [];
    if (!current) return [];
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}

const nouns: Record<string, string> = {
  object: "a map of keys",
  array: "a list",
  string: "a string",
  number: "a number",
  boolean: "true or false",
};

function describeValue(value: unknown): string {
  if (value === null) return "an empty value";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  if (typeof value === "string") return `the string '${value.length > 40 ? `${value.slice(0, 40)}...` : value}'`;
  return `${typeof value} ${String(value)}`;
}

function issueDiagnostics(source: YamlSource, schema: z.ZodType, issue: z.core.$ZodIssue): Diagnostic[] {
  const path = issue.path;
  if (issue.code === "unrecognized_keys") {
    const known = knownKeysAt(schema, path);
    return issue.keys.map((key) =>
      source.diagnostic([...path, key], "error", `unknown key '${key}'${didYouMean(key, known)}`, { onKey: true }),
    );
  }
  if (issue.code === "invalid_type" && issue.input === undefined) {
    return [source.diagnostic(path, "error", `missing required key '${String(path[path.length - 1])}'`)];
  }
  if (issue.code === "invalid_type") {
    const expected = nouns[issue.expected] ?? issue.expected;
    return [source.diagnostic(path, "error", `expected ${expected}, found ${describeValue(issue.input)}`)];
  }
  // Custom issues may ask to point at the key itself (an unknown config key, say).
  const onKey = issue.code === "custom" && (issue.params as { onKey?: boolean } | undefined)?.onKey === true;
  return [source.diagnostic(path, "error", issue.message, { onKey })];
}

/** Validates a parsed YAML file against a zod schema; every issue becomes a located diagnostic. */
export function validateSource<Schema extends z.ZodType>(
  source: YamlSource,
  schema: Schema,
): { value?: z.output<Schema>; diagnostics: Diagnostic[] } {
  const result = schema.safeParse(source.value, { reportInput: true });
  if (result.success) return { value: result.data, diagnostics: [] };
  return { diagnostics: result.error.issues.flatMap((issue) => issueDiagnostics(source, schema, issue)) };
}
