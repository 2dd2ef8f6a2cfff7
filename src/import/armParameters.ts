import { lastSegment } from "../azure/scopes";
import { stringify } from "yaml";
import { fileDiagnostic, uniqueDiagnostics, type Diagnostic } from "../diagnostics";
import { parseOffer } from "../offer/load";
import { groupBy } from "../repeats";
import { printable } from "../text";
import { isGuid } from "../azure/guid";
import { roleById } from "../roles/catalog";
import { readSourceFile, YamlSource } from "../yaml/source";

/**
 * Microsoft's onboarding parameter files (Azure-Lighthouse-samples `*.parameters.json`, every
 * layout the samples have used: subscription, one resource group (`rgName`), several
 * (`resourceGroups: [{rgName}]`), eligible authorizations with approvers, Marketplace plans) as an
 * offer file: role ids become role names, and every decision is written as a comment on top.
 * Placeholders (`<insert …>`, `<to be filled out by MSP> …`) are located errors.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface ImportedOffer {
  /** The offer file's text, when the parameters could be converted. */
  text?: string;
  /** The resource groups the parameters delegate (they belong in the stack file). */
  resourceGroups: string[];
  /** Problems located in the parameters (or template) file: what could not be converted, placeholders outside the offer. */
  diagnostics: Diagnostic[];
  /** Placeholders carried into the offer, by their path in it: errors to mark in the offer file. */
  placeholders: Array<{ path: PropertyKey[]; parameter: string }>;
}

/** Where a parameter's value lands in the offer; parameters absent here are not part of it. */
const OFFER_PATH: Record<string, PropertyKey[]> = {
  mspOfferName: ["name"],
  mspName: ["name"],
  mspOfferDescription: ["description"],
  managedByTenantId: ["managedByTenantId"],
  authorizations: ["authorizations"],
  eligibleAuthorizations: ["eligibleAuthorizations"],
  marketplacePlanId: ["plan", "name"],
  marketplaceOfferId: ["plan", "product"],
  marketplacePublisherId: ["plan", "publisher"],
  marketplacePlanVersion: ["plan", "version"],
};
/** Authorization fields whose offer-file name differs from the API's. */
const OFFER_KEY: Record<string, string> = { roleDefinitionId: "role", delegatedRoleDefinitionIds: "delegatedRoles" };

/** Parameters the offer takes; every other parameter is named in a comment as not imported. */
const KNOWN = new Set([
  "mspOfferName",
  "mspName",
  "mspOfferDescription",
  "managedByTenantId",
  "authorizations",
  "eligibleAuthorizations",
  "rgName",
  "resourceGroups",
  "marketplaceOffer",
  "marketplacePublisherId",
  "marketplaceOfferId",
  "marketplacePlanId",
  "marketplacePlanVersion",
]);

/** Where each parameter's value is, and its value: from the parameters file, else the template's default. */
function parameterValues(parameters: YamlSource, template: YamlSource | undefined) {
  const values = new Map<string, { value: Json; source: YamlSource; path: PropertyKey[] }>();
  const declared =
    (template?.value as { parameters?: Record<string, { defaultValue?: Json }> } | undefined)?.parameters ?? {};
  for (const [name, declaration] of Object.entries(declared)) {
    if (declaration && "defaultValue" in declaration)
      values.set(name, {
        value: declaration.defaultValue as Json,
        source: template!,
        path: ["parameters", name, "defaultValue"],
      });
  }
  const given = (parameters.value as { parameters?: Record<string, { value?: Json }> }).parameters ?? {};
  for (const [name, parameter] of Object.entries(given))
    values.set(name, {
      value: (parameter?.value ?? null) as Json,
      source: parameters,
      path: ["parameters", name, "value"],
    });
  return values;
}

/** Every string under `value` that is a template placeholder, with its path. */
function placeholders(value: Json, path: PropertyKey[] = []): PropertyKey[][] {
  if (typeof value === "string") return value.trimStart().startsWith("<") ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((item, index) => placeholders(item, [...path, index]));
  if (value && typeof value === "object")
    return Object.entries(value).flatMap(([key, item]) => placeholders(item, [...path, key]));
  return [];
}

const roleOf = (id: Json) => {
  const guid = lastSegment(String(id ?? ""));
  return roleById(guid)?.name ?? guid;
};

function principal(item: Record<string, Json>) {
  return {
    principalId: item.principalId,
    ...(item.principalIdDisplayName !== undefined ? { principalIdDisplayName: item.principalIdDisplayName } : {}),
  };
}

function authorization(item: Json, notes: Set<string>): Json {
  if (!item || typeof item !== "object" || Array.isArray(item)) return item;
  const {
    roleDefinitionId,
    delegatedRoleDefinitionIds,
    justInTimeAccessPolicy,
    principalId: _id,
    principalIdDisplayName: _name,
    ...rest
  } = item;
  const role = roleOf(roleDefinitionId);
  if (isGuid(role))
    notes.add(
      `role definition ${role} is not a built-in role in this toolkit's catalog: kept as an id (the validator says why it is refused)`,
    );
  const delegated = Array.isArray(delegatedRoleDefinitionIds) ? delegatedRoleDefinitionIds.map(roleOf) : undefined;
  if (Array.isArray(delegatedRoleDefinitionIds) && delegatedRoleDefinitionIds.length === 0)
    notes.add("an empty delegatedRoleDefinitionIds list was left out (it means nothing)");
  for (const key of Object.keys(rest)) notes.add(`authorization field ${key} was not imported`);
  return {
    ...principal(item),
    role,
    ...(delegated && delegated.length > 0 ? { delegatedRoles: delegated } : {}),
    ...(justInTimeAccessPolicy !== undefined ? { justInTimeAccessPolicy } : {}),
  };
}

/** Converts the parameters file `file` (and, optionally, the template it goes with). */
export function importArmParameters(file: string, templateFile?: string): ImportedOffer {
  const read = (path: string) => {
    const text = readSourceFile(path);
    if ("diagnostic" in text) return { diagnostics: [text.diagnostic] };
    return YamlSource.parse(path, text.text);
  };
  const parsed = read(file);
  const template = templateFile ? read(templateFile) : undefined;
  const problems = [...parsed.diagnostics, ...(template?.diagnostics ?? [])];
  if (!parsed.source || (template && !template.source))
    return { resourceGroups: [], diagnostics: problems, placeholders: [] };
  const root = parsed.source.value as { parameters?: unknown };
  if (!root || typeof root !== "object" || !root.parameters || typeof root.parameters !== "object") {
    return {
      resourceGroups: [],
      diagnostics: [fileDiagnostic(file, "not an ARM parameters file: no 'parameters' object")],
      placeholders: [],
    };
  }
  const values = parameterValues(parsed.source, template?.source);
  const diagnostics: Diagnostic[] = [];
  const carried: ImportedOffer["placeholders"] = [];
  for (const [name, { value, source, path }] of values) {
    if (!KNOWN.has(name) && name !== "$schema") continue;
    for (const at of placeholders(value)) {
      // In the offer, the placeholder is marked where it lands; elsewhere (resource groups) it is located here.
      const offerPath = OFFER_PATH[name];
      if (offerPath) {
        carried.push({
          path: [...offerPath, ...at.map((key, index) => (index === 1 ? (OFFER_KEY[String(key)] ?? key) : key))],
          parameter: name,
        });
        continue;
      }
      diagnostics.push(
        source.diagnostic(
          [...path, ...at],
          "error",
          `parameter ${name} still holds the template's placeholder: replace it with the real value`,
        ),
      );
    }
  }
  const value = (name: string) => values.get(name)?.value;
  const name = value("mspOfferName") ?? value("mspName");
  if (name === undefined)
    diagnostics.push(
      parsed.source.diagnostic(
        ["parameters"],
        "error",
        "no mspOfferName (or mspName) parameter: the offer needs a name",
      ),
    );
  if (name === undefined) return { resourceGroups: [], diagnostics, placeholders: [] };

  const notes = new Set<string>();
  const resourceGroups = [
    ...(typeof value("rgName") === "string" ? [value("rgName") as string] : []),
    ...(Array.isArray(value("resourceGroups"))
      ? (value("resourceGroups") as Array<{ rgName?: Json }>).map((group) => String(group?.rgName))
      : []),
  ];
  if (value("mspName") !== undefined) notes.add("mspName (the samples' older name for mspOfferName) became name");
  if (resourceGroups.length > 0) {
    notes.add(
      `resource groups ${resourceGroups.join(", ")}: list them under resourceGroups in the stack file; with naming: samples the assignments keep Microsoft's names (guid(rgName))`,
    );
  }
  const marketplace = value("marketplaceOffer");
  const plan =
    marketplace === undefined
      ? undefined
      : String(marketplace).toLowerCase() === "yes"
        ? {
            name: value("marketplacePlanId"),
            product: value("marketplaceOfferId"),
            publisher: value("marketplacePublisherId"),
            version: value("marketplacePlanVersion"),
          }
        : undefined;
  if (marketplace !== undefined && !plan)
    notes.add(`marketplaceOffer is ${JSON.stringify(marketplace)}: no Marketplace plan`);
  for (const other of [...values.keys()].filter((key) => !KNOWN.has(key)))
    notes.add(`parameter ${other} is not part of an offer and was not imported`);

  const offer = {
    name,
    ...(value("mspOfferDescription") !== undefined ? { description: value("mspOfferDescription") } : {}),
    managedByTenantId: value("managedByTenantId"),
    ...(plan ? { plan } : {}),
    authorizations: Array.isArray(value("authorizations"))
      ? (value("authorizations") as Json[]).map((item) => authorization(item, notes))
      : value("authorizations"),
    ...(value("eligibleAuthorizations") !== undefined &&
    !(Array.isArray(value("eligibleAuthorizations")) && (value("eligibleAuthorizations") as Json[]).length === 0)
      ? {
          eligibleAuthorizations: Array.isArray(value("eligibleAuthorizations"))
            ? (value("eligibleAuthorizations") as Json[]).map((item) => authorization(item, notes))
            : value("eligibleAuthorizations"),
        }
      : {}),
  };
  const header = [
    "# yaml-language-server: $schema=../schemas/offer.schema.json",
    `# Imported with npm run import -- arm-parameters from ${file}${templateFile ? ` and ${templateFile}` : ""}.`,
    "# Role ids became role names (the built-in role catalog); review, then commit.",
    ...[...notes].map((note) => `# - ${note}`),
  ];
  return {
    text: `${header.join("\n")}\n${stringify(offer, { lineWidth: 0 })}`,
    resourceGroups,
    diagnostics,
    placeholders: carried,
  };
}

/** The mark put above a line with an error: a comment, so the file stays the offer it was. */
export const ERROR_MARK = "# error:";

/**
 * The imported offer as it is written: validated, with every error marked by a comment above its
 * line (its placeholders among them), so that it can be fixed in place. The diagnostics are
 * those of the marked text, at its lines, under `shownName`.
 */
export function markedOffer(imported: ImportedOffer & { text: string }, shownName: string) {
  const found = offerErrors(imported, shownName, imported.text);
  const errors = found.filter((d) => d.severity === "error");
  if (errors.length === 0) return { text: imported.text, diagnostics: found };
  const marks = groupBy(errors, (error) => String(error.line));
  const lines = imported.text.split("\n");
  const bodyStart = lines.findIndex((line) => !line.startsWith("#"));
  const text = lines
    .flatMap((line, index) => [
      ...(index === bodyStart
        ? [`# Errors are marked '${ERROR_MARK}' above their line: fix each and delete its mark, then npm run validate.`]
        : []),
      ...(marks.get(String(index + 1)) ?? []).map(
        (error) =>
          `${/^\s*/.exec(line)![0]}${ERROR_MARK} ${printable(error.message)}${error.rule ? ` [${error.rule}]` : ""}`,
      ),
      line,
    ])
    .join("\n");
  return { text, diagnostics: offerErrors(imported, shownName, text) };
}

/** What validating `text` reports, plus the placeholders it carries that no other error already marks. */
function offerErrors(imported: ImportedOffer, shownName: string, text: string): Diagnostic[] {
  const checked = parseOffer(shownName, text).diagnostics;
  const source = YamlSource.parse(shownName, text).source;
  if (!source) return checked;
  const located = new Set(checked.map((d) => `${d.line}:${d.column}`));
  const placeholders = imported.placeholders
    .map(({ path, parameter }) =>
      source.diagnostic(
        path,
        "error",
        `parameter ${parameter} still holds the template's placeholder: replace it with the real value`,
      ),
    )
    .filter((d) => !located.has(`${d.line}:${d.column}`));
  return uniqueDiagnostics([...checked, ...placeholders]);
}
