import { z } from "zod";
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

/**
 * One federated credential as Azure receives it (every field required): the rule the stack
 * file's schema extends with its default audience, and the policy pack applies to resources.
 */
export const federatedCredentialRule = z.strictObject({
  name: z
    .string()
    .regex(FEDERATED_CREDENTIAL_NAME_PATTERN, { error: (issue) => federatedCredentialNameMessage(issue.input) }),
  issuer: z
    .string()
    .refine(isHttpsUrl, { error: (issue) => issuerMessage(issue.input) })
    .describe("The OIDC issuer, e.g. https://token.actions.githubusercontent.com"),
  subject: z
    .string()
    .min(1, { error: SUBJECT_MESSAGE })
    .describe("The external identity, e.g. repo:org/repo:environment:prod"),
  audiences: z.array(z.string().min(1)).min(1, { error: AUDIENCES_MESSAGE }),
});
