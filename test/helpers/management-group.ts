import { join } from "node:path";
import { loadOffer } from "../../src/offer/load";
import { REPO_ROOT } from "./project";

// Literal names, computed outside the toolkit (Python uuid5 under ARM's guid() namespace):
/** guid("83ace5cd-…", "Contoso Managed Operations"): the toolkit's definition GUID (reference vectors). */
export const DEFINITION = "2370eb03-671f-565d-8fcd-c1bc9e0fe4b8";
/** "lh-" + 21 hex digits of guid(DEFINITION, "/providers/microsoft.management/managementgroups/mg-woodgrove-prod"). */
export const POLICY_ASSIGNMENT = "lh-182e5b80aaf55fa7bc032";
/** guid(that scope, POLICY_ASSIGNMENT, "owner"). */
export const ROLE_ASSIGNMENT = "a8018c10-3b7e-53d6-99c5-068f475b1ad0";
export const MG = "mg-woodgrove-prod";
export const MG_SCOPE = `/providers/Microsoft.Management/managementGroups/${MG}`;
export const SUB = "0afefe50-734e-4610-8a82-a144a2f49dea";
export const OWNER = "/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635";

/** The shipped operations offer, resolved. */
export const operationsOffer = loadOffer(join(REPO_ROOT, "offers", "contoso-operations.yaml")).offer!;
