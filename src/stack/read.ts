import type { z } from "zod";
import type { Diagnostic } from "../diagnostics";
import { displayPath } from "../project/paths";
import { readSourceFile, YamlSource } from "../yaml/source";
import { salvage, validateSource } from "../yaml/validate";
import { stackFileSchema } from "./schema";

export type StackFile = z.output<typeof stackFileSchema>;
export type StackConfig = StackFile["config"];

/**
 * A stack file read: its text parsed with positions, checked against the schema, and its config
 * as far as it could be read (src/yaml/validate.ts `salvage`) when the schema refused part of it.
 * `value` only when the schema accepted the whole file.
 */
export function readStackFile(file: string): {
  source?: YamlSource;
  value?: StackFile;
  config?: StackConfig;
  diagnostics: Diagnostic[];
} {
  const shownFile = displayPath(file);
  const read = readSourceFile(file);
  if ("diagnostic" in read) return { diagnostics: [{ ...read.diagnostic, file: shownFile }] };
  const parsed = YamlSource.parse(shownFile, read.text);
  if (!parsed.source) return { diagnostics: parsed.diagnostics };
  const source = parsed.source;
  const validated = validateSource(source, stackFileSchema);
  const diagnostics = [...parsed.diagnostics, ...validated.diagnostics];
  const config =
    validated.value?.config ?? (salvage(stackFileSchema, source.value) as { config?: StackConfig } | undefined)?.config;
  return { source, ...(validated.value ? { value: validated.value } : {}), ...(config ? { config } : {}), diagnostics };
}
