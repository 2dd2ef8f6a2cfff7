import { hasErrors, type Diagnostic } from "../diagnostics";
import { reviewRegistrationDefinition, type Finding } from "../rules/lighthouse";
import { readSourceFile, YamlSource } from "../yaml/source";
import { validateSource } from "../yaml/validate";
import { resolveOffer, type ResolvedOffer } from "./model";
import { offerSchema } from "./schema";

/** API field names whose offer-file spelling differs: findings point at what the user wrote. */
const offerKeyForApiKey: Record<string, string> = {
  roleDefinitionId: "role",
  delegatedRoleDefinitionIds: "delegatedRoles",
};

export function findingToDiagnostic(source: YamlSource, finding: Finding): Diagnostic {
  const path = finding.path.map((segment) => (typeof segment === "string" ? (offerKeyForApiKey[segment] ?? segment) : segment));
  return source.diagnostic(path, finding.severity, finding.message, { rule: finding.rule });
}

export interface OfferLoadResult {
  /** Set when the file has no errors (warnings allowed). */
  offer?: ResolvedOffer;
  diagnostics: Diagnostic[];
}

/** Parses an offer's YAML text: structure, role names, then every Lighthouse rule. */
export function parseOffer(file: string, text: string): OfferLoadResult {
  const parsed = YamlSource.parse(file, text);
  if (!parsed.source) return { diagnostics: parsed.diagnostics };
  const { value, diagnostics } = validateSource(parsed.source, offerSchema);
  if (!value) return { diagnostics };
  const offer = resolveOffer(file, value);
  const findings = reviewRegistrationDefinition(offer).map((finding) => findingToDiagnostic(parsed.source!, finding));
  return hasErrors(findings) ? { diagnostics: findings } : { offer, diagnostics: findings };
}

/** Reads and parses one offer file; any problem (unreadable, binary, too large) is a diagnostic. */
export function loadOffer(file: string): OfferLoadResult {
  const read = readSourceFile(file);
  return "diagnostic" in read ? { diagnostics: [read.diagnostic] } : parseOffer(file, read.text);
}
