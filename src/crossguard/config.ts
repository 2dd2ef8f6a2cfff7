import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { z } from "zod";
import { hasErrors, uniqueDiagnostics, type Diagnostic } from "../diagnostics";
import { guid, roleReferenceInput } from "../offer/schema";
import { roleById, roleByName, unknownRoleMessage, builtInRoleNames } from "../roles/catalog";
import { GUID_PATTERN } from "../azure/guid";
import { didYouMean } from "../suggest";
import { quote } from "../text";
import { readSourceFile, YamlSource } from "../yaml/source";
import { validateSource } from "../yaml/validate";
import type { PolicyPackConfig } from "./analyzer";

/** Pulumi's enforcement levels, spelt exactly as the engine takes them. */
export const ENFORCEMENT_LEVELS = ["advisory", "mandatory", "remediate", "disabled"] as const;

const enforcementLevel = z.enum(ENFORCEMENT_LEVELS);

/** A role an allow-list names: any built-in role, by name or GUID. */
const knownRole = roleReferenceInput.superRefine((value, context) => {
  if ((GUID_PATTERN.test(value) ? roleById(value) : roleByName(value)) !== undefined) return;
  context.addIssue({
    code: "custom",
    message: unknownRoleMessage(value),
    input: value,
    params: { suggestFrom: builtInRoleNames },
  });
});

/** Settings whose values this toolkit checks; any other setting a policy declares passes as is. */
const SETTING_SCHEMAS: Record<string, z.ZodType> = {
  allowedRoles: z.array(knownRole),
  allowedManagingTenantIds: z.array(guid),
};

/**
 * The `--policy-config` file, derived from the pack itself: one key per policy (a misspelt one is
 * an error, not a silently disabled check), each an enforcement level or an object of that
 * policy's own settings.
 */
export function policyConfigSchema(policies: ReadonlyArray<ResourceValidationPolicy | StackValidationPolicy>) {
  const names = policies.map((policy) => policy.name);
  const entries = Object.fromEntries(
    policies.map((policy) => {
      const settings = Object.fromEntries(
        Object.keys(policy.configSchema?.properties ?? {}).map((key) => [
          key,
          (SETTING_SCHEMAS[key] ?? z.unknown()).optional(),
        ]),
      );
      return [
        policy.name,
        z
          .union([enforcementLevel, z.strictObject({ enforcementLevel: enforcementLevel.optional(), ...settings })])
          .optional(),
      ];
    }),
  );
  return z.looseObject(entries).superRefine(
    (config, context) => {
      if (typeof config !== "object" || config === null) return;
      for (const key of Object.keys(config)) {
        if (names.includes(key)) continue;
        context.addIssue({
          code: "custom",
          path: [key],
          params: { onKey: true },
          message: `unknown policy ${quote(key)}${didYouMean(key, names)}`,
        });
      }
    },
    // Also when a policy's entry is broken: a misspelt name hides nothing.
    { when: () => true },
  );
}

/** Reads a policy config file (JSON, or YAML): every problem located, nothing silently ignored. */
export function loadPolicyConfig(
  file: string,
  policies: ReadonlyArray<ResourceValidationPolicy | StackValidationPolicy>,
): { config?: PolicyPackConfig; diagnostics: Diagnostic[] } {
  const read = readSourceFile(file);
  if ("diagnostic" in read) return { diagnostics: [read.diagnostic] };
  const parsed = YamlSource.parse(file, read.text);
  if (!parsed.source) return { diagnostics: parsed.diagnostics };
  const validated = validateSource(parsed.source, policyConfigSchema(policies));
  const diagnostics = uniqueDiagnostics([...parsed.diagnostics, ...validated.diagnostics]);
  return validated.value && !hasErrors(diagnostics)
    ? { config: validated.value as PolicyPackConfig, diagnostics }
    : { diagnostics };
}
