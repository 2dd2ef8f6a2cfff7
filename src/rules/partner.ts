import { roleGuid } from "../azure/definitions";
import { roleById, roleLabel } from "../roles/catalog";
import { finding, type Finding } from "./table";

interface Granted {
  principalId: string;
  roleDefinitionId: string;
}

/**
 * Partner recognition (Lighthouse docs, partner-earned-credit.md): Microsoft credits the partner
 * only where the principal linked to its partner ID holds an Azure built-in role that earns credit
 * (`partnerCredit` in the role catalog: write or delete actions) as a permanent authorization;
 * an eligible (just-in-time) one does not count. One located warning when the offer gives none.
 */
export function reviewPartner(
  partner: { partnerId: string; principalId: string } | undefined,
  authorizations: readonly Granted[],
  eligibleAuthorizations: readonly Granted[],
): Finding[] {
  if (!partner) return [];
  const principal = partner.principalId.toLowerCase();
  const of = (list: readonly Granted[]) =>
    list.filter((item) => item.principalId.toLowerCase() === principal).map((item) => roleGuid(item.roleDefinitionId));
  const permanent = of(authorizations);
  if (permanent.some((roleId) => roleById(roleId)?.partnerCredit)) return [];
  const eligibleCrediting = of(eligibleAuthorizations).filter((roleId) => roleById(roleId)?.partnerCredit);
  const clauses = [
    ...(permanent.length ? [`holds ${permanent.map(roleLabel).join(", ")} permanently, which earns no credit`] : []),
    ...(eligibleCrediting.length
      ? [
          `holds ${eligibleCrediting.map(roleLabel).join(", ")} only as an eligible (just-in-time) authorization, which does not count`,
        ]
      : []),
  ];
  const held = clauses.length ? clauses.join(", and ") : "has no authorization in this offer";
  return [
    finding(
      "partner-credit-role",
      ["partner", "principalId"],
      `partner ID ${partner.partnerId}: the linked principal ${principal} ${held}; Microsoft recognizes the partner only through a permanent authorization of a role with write or delete actions (e.g. Contributor), in every subscription delegated`,
    ),
  ];
}
