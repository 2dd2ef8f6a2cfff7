import { quote } from "../text";

/**
 * Managed identity rules (seed managed-identity-client.md and Azure's documented limits),
 * written once: the stack file schema and the policy pack both apply them.
 */

/** Azure's naming rule for Microsoft.ManagedIdentity/userAssignedIdentities. */
export const IDENTITY_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}$/;
/** The seed's rule for federated credential names (3 to 120 characters). */
export const FEDERATED_CREDENTIAL_NAME_PATTERN = /^[a-zA-Z0-9]{1}[a-zA-Z0-9-_]{2,119}$/;
/** Azure's documented maximum of federated identity credentials on one identity. */
export const MAX_FEDERATED_CREDENTIALS = 20;
export const DEFAULT_AUDIENCE = "api://AzureADTokenExchange";

export const identityNameMessage = (name: unknown) =>
  `identity name ${quote(name)} must be 3 to 128 characters: letters, digits, '-' and '_', starting with a letter or digit`;

export const federatedCredentialNameMessage = (name: unknown) =>
  `federated credential name ${quote(name)} must be 3 to 120 characters: letters, digits, '-' and '_', starting with a letter or digit`;

export const issuerMessage = (issuer: unknown) => `issuer ${quote(issuer)} must be an https URL`;
export const SUBJECT_MESSAGE = "subject must not be empty";
export const AUDIENCES_MESSAGE = "list at least one audience, or omit audiences for api://AzureADTokenExchange";
export const TOO_MANY_CREDENTIALS_MESSAGE = `at most ${MAX_FEDERATED_CREDENTIALS} federated credentials per identity`;
export const duplicateSubjectMessage = (first: number | string) =>
  `issuer and subject are the same as federatedCredentials[${first}]; Azure refuses the duplicate`;

export function isHttpsUrl(text: string): boolean {
  try {
    return new URL(text).protocol === "https:";
  } catch {
    return false;
  }
}

/** Every problem of one federated credential as Azure would receive it. */
export function reviewFederatedCredential(credential: {
  name?: unknown;
  issuer?: unknown;
  subject?: unknown;
  audiences?: unknown;
}): string[] {
  const problems: string[] = [];
  if (typeof credential.name !== "string" || !FEDERATED_CREDENTIAL_NAME_PATTERN.test(credential.name))
    problems.push(federatedCredentialNameMessage(credential.name));
  if (typeof credential.issuer !== "string" || !isHttpsUrl(credential.issuer))
    problems.push(issuerMessage(credential.issuer));
  if (typeof credential.subject !== "string" || credential.subject.length === 0) problems.push(SUBJECT_MESSAGE);
  if (!Array.isArray(credential.audiences) || credential.audiences.length === 0) problems.push(AUDIENCES_MESSAGE);
  return problems;
}
