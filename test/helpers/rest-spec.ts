import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The Microsoft.ManagedServices 2022-10-01 REST spec (copied by scripts/import-reference.ts). */
const spec = JSON.parse(readFileSync(join(__dirname, "..", "fixtures", "managedservices-2022-10-01.json"), "utf8")) as {
  definitions: Record<string, SchemaObject>;
};
interface SchemaObject {
  $ref?: string;
  type?: string;
  required?: string[];
  enum?: string[];
  readOnly?: boolean;
  properties?: Record<string, SchemaObject>;
  items?: SchemaObject;
}

/**
 * Problems of `value` against a spec definition: missing required fields, wrong types, values
 * outside enums, read-only fields sent, and fields the spec does not know (a typo never passes).
 */
export function specProblems(definition: string, value: unknown, path = definition): string[] {
  const resolve = (schema: SchemaObject): SchemaObject =>
    schema.$ref ? resolve(spec.definitions[schema.$ref.split("/").pop()!]) : schema;
  const check = (schema: SchemaObject, item: unknown, at: string): string[] => {
    const resolved = resolve(schema);
    if (resolved.readOnly) return [`${at}: read-only, must not be sent`];
    if (resolved.enum && !resolved.enum.includes(String(item)))
      return [`${at}: '${String(item)}' is not one of ${resolved.enum.join(", ")}`];
    if (resolved.type === "string" && typeof item !== "string") return [`${at}: expected a string`];
    if (resolved.type === "array") {
      if (!Array.isArray(item)) return [`${at}: expected an array`];
      return item.flatMap((entry, index) => check(resolved.items ?? {}, entry, `${at}[${index}]`));
    }
    if (resolved.properties) {
      if (!item || typeof item !== "object") return [`${at}: expected an object`];
      const problems = (resolved.required ?? []).filter((key) => !(key in item)).map((key) => `${at}.${key}: required`);
      for (const [key, entry] of Object.entries(item)) {
        const property = resolved.properties[key];
        problems.push(...(property ? check(property, entry, `${at}.${key}`) : [`${at}.${key}: not in the spec`]));
      }
      return problems;
    }
    return [];
  };
  return check({ $ref: `#/definitions/${definition}` }, value, path);
}
