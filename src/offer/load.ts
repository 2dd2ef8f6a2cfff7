import { hasErrors, uniqueDiagnostics, type Diagnostic } from "../diagnostics";
import { reviewPartner } from "../rules/partner";
import { reviewRegistrationDefinition, type DefinitionUnderReview } from "../rules/definition";
import type { Finding } from "../rules/table";
import { readSourceFile, YamlSource } from "../yaml/source";
import { salvage, UNREADABLE, validateSource } from "../yaml/validate";
import { resolveOffer, type ResolvedOffer } from "./model";
import { offerSchema } from "./schema";

/** API field names whose offer-file spelling differs: findings point at what the user wrote. */
const offerKeyForApiKey: Record<string, string> = {
  roleDefinitionId: "role",
  delegatedRoleDefinitionIds: "delegatedRoles",
};
const apiKeyForOfferKey = Object.fromEntries(Object.entries(offerKeyForApiKey).map(([api, offer]) => [offer, api]));

export function findingToDiagnostic(source: YamlSource, finding: Finding): Diagnostic {
  const path = finding.path.map((segment) =>
    typeof segment === "string" ? (offerKeyForApiKey[segment] ?? segment) : segment,
  );
  return source.diagnostic(path, finding.severity, finding.message, { rule: finding.rule });
}

export interface OfferLoadResult {
  /** Set when the file has no errors (warnings allowed). */
  offer?: ResolvedOffer;
  diagnostics: Diagnostic[];
}

type Salvaged = Record<string, unknown> & { [UNREADABLE]?: string[] };
type RoleRead = { roleDefinitionId: string } | undefined;

/** An authorization (or approver) as far as it could be read, in the API's vocabulary. */
function salvagedAuthorization({ role, delegatedRoles, [UNREADABLE]: unreadable, ...rest }: Salvaged) {
  return {
    ...rest,
    ...(role !== undefined ? { roleDefinitionId: (role as { roleDefinitionId: string }).roleDefinitionId } : {}),
    ...(delegatedRoles !== undefined
      ? { delegatedRoleDefinitionIds: (delegatedRoles as RoleRead[]).map((read) => read?.roleDefinitionId) }
      : {}),
    unreadable: (unreadable ?? []).map((key) => apiKeyForOfferKey[key] ?? key),
  };
}

/**
 * What the rules can review of an offer the schema refused: every part that could be read
 * (src/yaml/validate.ts `salvage`), in the API's vocabulary, with the rest marked unreadable.
 */
function salvagedDefinition(value: unknown): DefinitionUnderReview | undefined {
  const document = salvage(offerSchema, value) as Salvaged | undefined;
  if (!document) return undefined;
  const list = (key: string) =>
    Array.isArray(document[key]) ? (document[key] as Salvaged[]).map(salvagedAuthorization) : undefined;
  const hasPlan = typeof value === "object" && value !== null && Object.hasOwn(value, "plan");
  return {
    ...(typeof document.managedByTenantId === "string" ? { managedByTenantId: document.managedByTenantId } : {}),
    ...(hasPlan ? { plan: document.plan ?? {} } : {}),
    authorizations: list("authorizations"),
    eligibleAuthorizations: list("eligibleAuthorizations"),
    unreadable: document[UNREADABLE],
  } as DefinitionUnderReview;
}

/**
 * Parses an offer's YAML text: structure, role names and every Lighthouse rule, all reported
 * together. When the structure is broken, the rules still review every part that could be read.
 */
export function parseOffer(file: string, text: string): OfferLoadResult {
  const parsed = YamlSource.parse(file, text);
  const source = parsed.source;
  if (!source) return { diagnostics: parsed.diagnostics };
  const { value, diagnostics } = validateSource(source, offerSchema);
  const offer = value ? resolveOffer(file, value) : undefined;
  const definition = offer ?? salvagedDefinition(source.value);
  const findings = [
    ...(definition ? reviewRegistrationDefinition(definition) : []),
    ...(offer ? reviewPartner(offer.partner, offer.authorizations, offer.eligibleAuthorizations) : []),
  ].map((finding) => findingToDiagnostic(source, finding));
  const all = uniqueDiagnostics([...parsed.diagnostics, ...diagnostics, ...findings]);
  return offer && !hasErrors(all) ? { offer, diagnostics: all } : { diagnostics: all };
}

/** Reads and parses one offer file; any problem (unreadable, binary, too large) is a diagnostic. */
export function loadOffer(file: string): OfferLoadResult {
  const read = readSourceFile(file);
  return "diagnostic" in read ? { diagnostics: [read.diagnostic] } : parseOffer(file, read.text);
}
