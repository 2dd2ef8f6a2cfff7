import { z } from "zod";
import type { Diagnostic } from "../diagnostics";
import { didYouMean } from "../suggest";
import { quote } from "../text";
import type { YamlSource } from "./source";

/** Peels the wrappers zod puts around a schema (optional, default, transform) to reach its shape. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    if (
      current instanceof z.ZodOptional ||
      current instanceof z.ZodDefault ||
      current instanceof z.ZodPrefault ||
      current instanceof z.ZodNullable
    ) {
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
    if (current instanceof z.ZodUnion)
      current = unwrap(
        (current.options as z.ZodType[]).find((option) => unwrap(option) instanceof z.ZodObject) ?? current,
      );
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
  if (typeof value === "string") return `the string ${quote(value)}`;
  return `${typeof value} ${String(value)}`;
}

/** How a message names the value at `path`: its key, or its list and position (`delegatedRoles[1]`). */
function fieldName(path: readonly PropertyKey[]): string {
  const last = path[path.length - 1];
  if (last === undefined) return "the file";
  if (typeof last !== "number") return String(last);
  const list = path[path.length - 2];
  return list === undefined ? `entry ${last}` : `${String(list)}[${last}]`;
}

/** What to write instead, for the mistakes a person makes in YAML: an unquoted number, one value for a list, an empty value. */
function typeFix(schema: z.ZodType, path: readonly PropertyKey[], expected: string, input: unknown): string {
  if (input === null)
    return typeof path[path.length - 1] === "number"
      ? ": write the entry after its '-', or remove the line"
      : ": give a value after the ':' or leave the key out";
  if (expected === "string" && (typeof input === "number" || typeof input === "boolean"))
    return `: YAML reads it as a ${typeof input}; put it in quotes, ${JSON.stringify(String(input))}`;
  if (expected === "array" && (typeof input !== "object" || !Array.isArray(input)))
    return typeof input === "object"
      ? ": write one '- ' line per entry"
      : ": write a list, one '- ' line per entry (or [a, b])";
  if (expected === "object") {
    const keys = knownKeysAt(schema, path);
    return keys.length > 0 ? `; its keys: ${keys.join(", ")}` : "";
  }
  return "";
}

/**
 * "Did you mean" is worked out for the first this many unknown names of a file: enough for a
 * person, and it keeps a file of thousands of misspellings cheap.
 */
const SUGGESTIONS_PER_FILE = 50;

function issueDiagnostics(
  source: YamlSource,
  schema: z.ZodType,
  issue: z.core.$ZodIssue,
  suggest: (input: string, candidates: readonly string[]) => string,
): Diagnostic[] {
  const path = issue.path;
  if (issue.code === "unrecognized_keys") {
    const known = knownKeysAt(schema, path);
    return issue.keys.map((key) =>
      source.diagnostic([...path, key], "error", `unknown key ${quote(key)}${suggest(key, known)}`, { onKey: true }),
    );
  }
  if (issue.code === "invalid_union") {
    // Report the alternative the value was meant for: the one whose type it has.
    const isCollection = typeof issue.input === "object" && issue.input !== null;
    const wrongType = (inner: z.core.$ZodIssue) =>
      inner.path.length === 0 && (inner.code === "invalid_type" || (inner.code === "invalid_value" && isCollection));
    const meant = issue.errors.filter((branch) => !branch.some(wrongType));
    if (meant.length === 1)
      return meant[0].flatMap((inner) =>
        issueDiagnostics(source, schema, { ...inner, path: [...path, ...inner.path] }, suggest),
      );
    return [
      source.diagnostic(
        path,
        "error",
        `${String(path[path.length - 1] ?? "value")} has the wrong form: found ${describeValue(issue.input)}`,
      ),
    ];
  }
  if (issue.code === "invalid_type" && issue.input === undefined) {
    return [source.diagnostic(path, "error", `missing required key '${String(path[path.length - 1])}'`)];
  }
  if (issue.code === "invalid_type") {
    const expected = nouns[issue.expected] ?? issue.expected;
    return [
      source.diagnostic(
        path,
        "error",
        `${fieldName(path)} must be ${expected}, found ${describeValue(issue.input)}${typeFix(schema, path, issue.expected, issue.input)}`,
      ),
    ];
  }
  // zod's own wording ("Too small: ...") for an empty string; schemas' own messages stay.
  if (
    issue.code === "too_small" &&
    issue.origin === "string" &&
    Number(issue.minimum) === 1 &&
    issue.message.startsWith("Too small")
  ) {
    return [
      source.diagnostic(
        path,
        "error",
        `${String(path[path.length - 1] ?? "value")} is empty: give a value or leave the key out`,
      ),
    ];
  }
  if (issue.code === "invalid_value") {
    const field = String(path[path.length - 1] ?? "value");
    const choices = issue.values.map(String);
    const listed = choices.length === 2 ? choices.join(" or ") : `one of ${choices.join(", ")}`;
    const hint = choices.find((choice) => choice.toLowerCase() === String(issue.input).toLowerCase());
    return [
      source.diagnostic(
        path,
        "error",
        `${field} must be ${listed}, found ${typeof issue.input === "string" ? quote(issue.input) : describeValue(issue.input)}${hint ? `; did you mean '${hint}'?` : ""}`,
      ),
    ];
  }
  // Custom issues may ask to point at the key itself (an unknown config key, say), or for a suggestion.
  const params =
    issue.code === "custom" ? ((issue.params ?? {}) as { onKey?: boolean; suggestFrom?: readonly string[] }) : {};
  const suggestion = params.suggestFrom ? suggest(String(issue.input), params.suggestFrom) : "";
  return [source.diagnostic(path, "error", `${issue.message}${suggestion}`, { onKey: params.onKey === true })];
}

/** Validates a parsed YAML file against a zod schema; every issue becomes a located diagnostic. */
export function validateSource<Schema extends z.ZodType>(
  source: YamlSource,
  schema: Schema,
): { value?: z.output<Schema>; diagnostics: Diagnostic[] } {
  const result = schema.safeParse(source.value, { reportInput: true });
  if (result.success) return { value: result.data, diagnostics: [] };
  let suggestionsLeft = SUGGESTIONS_PER_FILE;
  const suggest = (input: string, candidates: readonly string[]) =>
    suggestionsLeft-- > 0 ? didYouMean(input, candidates) : "";
  return { diagnostics: result.error.issues.flatMap((issue) => issueDiagnostics(source, schema, issue, suggest)) };
}

/** Fields of an object that the file has but that do not pass their schema, or required ones it lacks. */
export const UNREADABLE = "unreadable";

/** True when a value read by `salvage` lost nothing: no object at any depth has unreadable fields. */
export function fullyRead(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(fullyRead);
  if (typeof value !== "object" || value === null) return value !== undefined;
  return !(UNREADABLE in value) && Object.values(value).every((field) => field === undefined || fullyRead(field));
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * What can be read of a value that failed `schema`: every field that passes its own schema, and
 * list elements one by one, so one broken entry never hides the rest of a document from the
 * rules. An object keeps its readable fields plus `unreadable`, the names of fields that are
 * present but invalid or required but missing: the schema reported those, and a rule that needs
 * one must wait. A list element that cannot be read at all becomes an object with every field
 * unreadable in a list of objects, `undefined` in a list of scalars, so indices (and so
 * locations) stay put.
 */
export function salvage(schema: z.ZodType, value: unknown): unknown {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const shape = unwrap(schema);
  if (shape instanceof z.ZodObject) {
    if (!isPlainObject(value)) return undefined;
    const read: Record<string, unknown> = {};
    const unreadable: string[] = [];
    for (const [key, field] of Object.entries(shape.shape as Record<string, z.ZodType>)) {
      if (!Object.hasOwn(value, key)) {
        const absent = field.safeParse(undefined);
        if (!absent.success) unreadable.push(key);
        else if (absent.data !== undefined) read[key] = absent.data;
        continue;
      }
      const fieldValue = salvage(field, value[key]);
      if (fieldValue === undefined) unreadable.push(key);
      else read[key] = fieldValue;
    }
    return { ...read, [UNREADABLE]: unreadable };
  }
  if (shape instanceof z.ZodArray) {
    if (!Array.isArray(value)) return undefined;
    const element = shape.element as z.ZodType;
    const elementShape = unwrap(element);
    // An entry that is no map at all: every field of it is unknown.
    const unreadableEntry = () =>
      elementShape instanceof z.ZodObject ? { [UNREADABLE]: Object.keys(elementShape.shape) } : undefined;
    return value.map((item) => salvage(element, item) ?? unreadableEntry());
  }
  return undefined;
}
