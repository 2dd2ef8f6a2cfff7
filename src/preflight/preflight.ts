import { z } from "zod";
import { ArmError, type ArmClient } from "../arm/client";
import type { Diagnostic } from "../diagnostics";
import { isGuid } from "../azure/guid";
import type { ResolvedOffer } from "../offer/model";
import { quote } from "../text";
import type { YamlSource } from "../yaml/source";

/**
 * Principal preflight: every principal id of the offers, resolved in the managing tenant's
 * directory through Microsoft Graph before anything is deployed. The most common onboarding
 * mistake is an application's object id (or its app id) where the service principal's object id
 * belongs; groups must be security groups; eligible principals and approvers cannot be service
 * principals; and a display name that differs from the directory misleads every reviewer.
 */

/** Where a principal id stands in an offer, and what it is for. */
export interface PrincipalReference {
  offer: ResolvedOffer;
  source: YamlSource;
  path: PropertyKey[];
  principalId: string;
  displayName?: string;
  use: "authorization" | "eligible" | "approver";
}

/** Every principal reference of `offer`, with its path in the offer file. */
export function principalReferences(offer: ResolvedOffer, source: YamlSource): PrincipalReference[] {
  const references: PrincipalReference[] = [];
  const add = (
    path: PropertyKey[],
    principal: { principalId: string; principalIdDisplayName?: string },
    use: PrincipalReference["use"],
  ) =>
    references.push({
      offer,
      source,
      path: [...path, "principalId"],
      principalId: principal.principalId,
      ...(principal.principalIdDisplayName ? { displayName: principal.principalIdDisplayName } : {}),
      use,
    });
  offer.authorizations.forEach((authorization, index) =>
    add(["authorizations", index], authorization, "authorization"),
  );
  offer.eligibleAuthorizations.forEach((authorization, index) => {
    add(["eligibleAuthorizations", index], authorization, "eligible");
    authorization.justInTimeAccessPolicy.managedByTenantApprovers?.forEach((approver, approverIndex) =>
      add(
        ["eligibleAuthorizations", index, "justInTimeAccessPolicy", "managedByTenantApprovers", approverIndex],
        approver,
        "approver",
      ),
    );
  });
  return references;
}

const directoryObjectModel = z.looseObject({
  "@odata.type": z.string(),
  id: z.string(),
  displayName: z.string().nullish(),
  securityEnabled: z.boolean().nullish(),
  appId: z.string().nullish(),
});
type DirectoryObject = z.output<typeof directoryObjectModel>;
const objectListModel = z.looseObject({ value: z.array(directoryObjectModel) });

/** Graph's getByIds takes at most 1,000 ids a call. */
const IDS_PER_CALL = 1000;

/** The directory objects of `ids` (users, groups, service principals, applications), by id. */
async function directoryObjects(client: ArmClient, ids: string[]): Promise<Map<string, DirectoryObject>> {
  const found = new Map<string, DirectoryObject>();
  for (let start = 0; start < ids.length; start += IDS_PER_CALL) {
    const answer = objectListModel.safeParse(
      await client.call(
        "/v1.0/directoryObjects/getByIds",
        {},
        { ids: ids.slice(start, start + IDS_PER_CALL), types: ["user", "group", "servicePrincipal", "application"] },
      ),
    );
    if (!answer.success)
      throw new ArmError(
        `unexpected response from Microsoft Graph getByIds: ${answer.error.issues[0].path.join(".")}: ${answer.error.issues[0].message}`,
        "InvalidResponse",
      );
    for (const object of answer.data.value) found.set(object.id.toLowerCase(), object);
  }
  return found;
}

/** The service principal of an application (client) id, if the tenant has one. */
async function servicePrincipalOf(client: ArmClient, appId: string): Promise<DirectoryObject | undefined> {
  if (!isGuid(appId)) return undefined;
  const answer = objectListModel.safeParse(
    await client.call("/v1.0/servicePrincipals", {
      $filter: `appId eq '${appId.toLowerCase()}'`,
      $select: "id,displayName,appId",
    }),
  );
  if (!answer.success)
    throw new ArmError(
      `unexpected response from Microsoft Graph servicePrincipals: ${answer.error.issues[0].message}`,
      "InvalidResponse",
    );
  return answer.data.value[0];
}

const kindOf = (object: DirectoryObject) => object["@odata.type"].replace(/^#microsoft\.graph\./, "");

/** Every problem of every reference, located in its offer file. */
export async function preflight(client: ArmClient, references: PrincipalReference[]): Promise<Diagnostic[]> {
  const ids = [...new Set(references.map((reference) => reference.principalId.toLowerCase()))];
  const objects = await directoryObjects(client, ids);
  const servicePrincipals = new Map<string, DirectoryObject | undefined>();
  const spOf = async (appId: string) => {
    if (!servicePrincipals.has(appId)) servicePrincipals.set(appId, await servicePrincipalOf(client, appId));
    return servicePrincipals.get(appId);
  };
  const diagnostics: Diagnostic[] = [];
  for (const reference of references) {
    const at = (severity: Diagnostic["severity"], rule: string, message: string) =>
      diagnostics.push(reference.source.diagnostic(reference.path, severity, message, { rule }));
    const id = reference.principalId.toLowerCase();
    const object = objects.get(id);
    if (!object) {
      const servicePrincipal = await spOf(id);
      if (servicePrincipal)
        at(
          "error",
          "principal-is-app-id",
          `${id} is an application (client) id; use its service principal's object id ${servicePrincipal.id}`,
        );
      else at("error", "principal-not-found", `${id} is not in the managing tenant's directory`);
      continue;
    }
    const kind = kindOf(object);
    if (kind === "application") {
      const servicePrincipal = object.appId ? await spOf(object.appId) : undefined;
      at(
        "error",
        "principal-is-application",
        servicePrincipal
          ? `${id} is the application object ${quote(object.displayName ?? "")}, which cannot hold roles; use its service principal's object id ${servicePrincipal.id}`
          : `${id} is the application object ${quote(object.displayName ?? "")}, which cannot hold roles, and the tenant has no service principal for it yet`,
      );
      continue;
    }
    if (kind === "group" && object.securityEnabled === false)
      at(
        "error",
        "group-not-security-enabled",
        `group ${quote(object.displayName ?? id)} is not a security group; Azure roles need a security group`,
      );
    if (kind === "servicePrincipal" && reference.use !== "authorization") {
      at(
        "error",
        "eligible-service-principal",
        `${quote(object.displayName ?? id)} is a service principal; ${reference.use === "approver" ? "approvers" : "eligible authorizations"} are users and groups only`,
      );
    }
    if (reference.displayName && object.displayName && reference.displayName !== object.displayName) {
      at(
        "warning",
        "display-name-differs",
        `the offer calls ${id} ${quote(reference.displayName)}; the directory calls it ${quote(object.displayName)}`,
      );
    }
  }
  return diagnostics;
}
