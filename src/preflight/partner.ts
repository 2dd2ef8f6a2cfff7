import type { ArmClient } from "../arm/client";
import { isGuid } from "../azure/guid";
import type { Diagnostic } from "../diagnostics";
import type { ResolvedOffer } from "../offer/model";
import type { YamlSource } from "../yaml/source";

/**
 * Partner Admin Link preflight: a link is made by the linked principal itself and read back only
 * for the caller (Microsoft.ManagementPartner answers for the signed-in object), so this checks
 * the offers whose partner principal is the one preflight signs in as, and says so for the rest.
 */

/** An offer that names a partner, with the file it is read from. */
export interface PartnerReference {
  offer: ResolvedOffer & { partner: NonNullable<ResolvedOffer["partner"]> };
  source: YamlSource;
}

/** The object id (`oid` claim) of a bearer token, when it is a JWT that states a GUID there; the server verified it, not us. */
export function signedInObjectId(token: string): string | undefined {
  const payload = token.split(".")[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { oid?: unknown };
    return typeof claims.oid === "string" && isGuid(claims.oid) ? claims.oid.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/** One diagnostic per partner reference that is not linked, or cannot be checked as this principal. */
export async function partnerLinks(
  client: ArmClient,
  references: PartnerReference[],
  signedIn: string | undefined,
): Promise<Diagnostic[]> {
  const linked = new Map<string, boolean>();
  const diagnostics: Diagnostic[] = [];
  for (const { offer, source } of references) {
    const { partnerId, principalId } = offer.partner;
    const principal = principalId.toLowerCase();
    const at = (rule: string, message: string) =>
      diagnostics.push(source.diagnostic(["partner", "partnerId"], "warning", message, { rule }));
    if (signedIn !== undefined && signedIn !== principal) {
      at(
        "partner-link-unchecked",
        `partner ID ${partnerId}: preflight is signed in as ${signedIn}, not as the linked principal ${principal}; a link can be read only by its principal: run preflight with its token to check it`,
      );
      continue;
    }
    if (!linked.has(partnerId)) linked.set(partnerId, await client.isLinkedToPartner(partnerId));
    if (linked.get(partnerId)) continue;
    at(
      "partner-not-linked",
      `partner ID ${partnerId}: the signed-in principal${signedIn ? ` ${principal}` : ""} is not linked to it, so Microsoft does not recognize this offer's work; link it once, signed in as ${principal}: az managementpartner create --partner-id ${partnerId}`,
    );
  }
  return diagnostics;
}
