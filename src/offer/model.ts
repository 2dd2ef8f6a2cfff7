import { armGuid } from "../azure/guid";
import type { OfferDocument } from "./schema";

/** A principal of the managing tenant, as the API names it, plus its kind when the offer says. */
export interface ResolvedPrincipal {
  principalId: string;
  principalIdDisplayName?: string;
  principalType?: "User" | "Group" | "ServicePrincipal";
}

export interface ResolvedAuthorization extends ResolvedPrincipal {
  roleDefinitionId: string;
  /** The built-in role's name, for people (plans, reviews, exported templates' comments). */
  roleName: string;
  delegatedRoleDefinitionIds?: string[];
  delegatedRoleNames?: string[];
}

export interface ResolvedJustInTimeAccessPolicy {
  multiFactorAuthProvider: "Azure" | "None";
  maximumActivationDuration: string;
  managedByTenantApprovers?: ResolvedPrincipal[];
}

export interface ResolvedEligibleAuthorization extends ResolvedAuthorization {
  justInTimeAccessPolicy: ResolvedJustInTimeAccessPolicy;
}

export interface MarketplacePlan {
  name: string;
  product: string;
  publisher: string;
  version: string;
}

/** An offer file after validation: role ids resolved, API defaults applied, its GUID derived. */
export interface ResolvedOffer {
  /** The offer file it came from, as the user named it. */
  file: string;
  name: string;
  description?: string;
  managedByTenantId: string;
  plan?: MarketplacePlan;
  /** Partner recognition: not part of the definition Azure stores (src/rules/partner.ts). */
  partner?: { partnerId: string; principalId: string };
  /**
   * {@link registrationDefinitionGuid} of this offer: the same in every subscription it is
   * deployed to (the definition's `registrationDefinitionId` input; its resource id ends with it).
   */
  definitionGuid: string;
  authorizations: ResolvedAuthorization[];
  eligibleAuthorizations: ResolvedEligibleAuthorization[];
}

/**
 * The registration definition's GUID: ARM `guid(managedByTenantId, name)`, with the tenant id in
 * lower case. Stable across runs; a new managing tenant yields a new definition (Lighthouse cannot
 * change `managedByTenantId` in place); an ARM template computes the same value.
 */
export function registrationDefinitionGuid(managedByTenantId: string, offerName: string): string {
  return armGuid(managedByTenantId.toLowerCase(), offerName);
}

type DocumentAuthorization = OfferDocument["authorizations"][number];

function resolveAuthorization(authorization: DocumentAuthorization): ResolvedAuthorization {
  const { role, delegatedRoles, ...principal } = authorization;
  return {
    ...principal,
    roleDefinitionId: role.roleDefinitionId,
    roleName: role.roleName,
    ...(delegatedRoles
      ? {
          delegatedRoleDefinitionIds: delegatedRoles.map((delegated) => delegated.roleDefinitionId),
          delegatedRoleNames: delegatedRoles.map((delegated) => delegated.roleName),
        }
      : {}),
  };
}

export function resolveOffer(file: string, document: OfferDocument): ResolvedOffer {
  return {
    file,
    name: document.name,
    ...(document.description !== undefined ? { description: document.description } : {}),
    managedByTenantId: document.managedByTenantId,
    ...(document.plan ? { plan: document.plan } : {}),
    ...(document.partner ? { partner: document.partner } : {}),
    definitionGuid: registrationDefinitionGuid(document.managedByTenantId, document.name),
    authorizations: document.authorizations.map(resolveAuthorization),
    eligibleAuthorizations: document.eligibleAuthorizations.map(({ justInTimeAccessPolicy, ...authorization }) => ({
      ...resolveAuthorization(authorization),
      justInTimeAccessPolicy,
    })),
  };
}

const apiPrincipal = ({ principalId, principalIdDisplayName }: ResolvedPrincipal) => ({
  principalId,
  ...(principalIdDisplayName !== undefined ? { principalIdDisplayName } : {}),
});

/**
 * RegistrationDefinitionProperties exactly as the REST API (2022-10-01) takes them: what the
 * Pulumi component sends and the ARM export writes. Names and principal kinds stay behind.
 */
export function definitionProperties(offer: ResolvedOffer) {
  return {
    registrationDefinitionName: offer.name,
    ...(offer.description !== undefined ? { description: offer.description } : {}),
    managedByTenantId: offer.managedByTenantId,
    authorizations: offer.authorizations.map((authorization) => ({
      ...apiPrincipal(authorization),
      roleDefinitionId: authorization.roleDefinitionId,
      ...(authorization.delegatedRoleDefinitionIds
        ? { delegatedRoleDefinitionIds: authorization.delegatedRoleDefinitionIds }
        : {}),
    })),
    ...(offer.eligibleAuthorizations.length > 0
      ? {
          eligibleAuthorizations: offer.eligibleAuthorizations.map((authorization) => ({
            ...apiPrincipal(authorization),
            roleDefinitionId: authorization.roleDefinitionId,
            justInTimeAccessPolicy: {
              multiFactorAuthProvider: authorization.justInTimeAccessPolicy.multiFactorAuthProvider,
              maximumActivationDuration: authorization.justInTimeAccessPolicy.maximumActivationDuration,
              ...(authorization.justInTimeAccessPolicy.managedByTenantApprovers
                ? {
                    managedByTenantApprovers:
                      authorization.justInTimeAccessPolicy.managedByTenantApprovers.map(apiPrincipal),
                  }
                : {}),
            },
          })),
        }
      : {}),
  };
}

export type RegistrationDefinitionProperties = ReturnType<typeof definitionProperties>;
