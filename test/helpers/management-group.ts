import { join } from "node:path";
import { formatDiagnostic } from "../../src/diagnostics";
import { loadOffer } from "../../src/offer/load";
import { loadNamedStack } from "../../src/stack/load";
import { REPO_ROOT, tempProject } from "./project";

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

/** A stack file of the customer Woodgrove with one delegation entry of the operations offer. */
export const stackFile = (entry: string, extra = "") =>
  [
    "config:",
    "  lighthouse:customer: {name: Woodgrove, tenantId: 3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b}",
    extra,
    "  lighthouse:delegations:",
    "    - offer: offers/contoso-operations.yaml",
    entry,
    "",
  ]
    .filter((line) => line !== "")
    .join("\n");
export const GROUP_ENTRY = `      managementGroups:\n        - managementGroupId: ${MG}\n          location: westeurope`;

/** The stack, in a copy of the project, loaded as the commands load it. */
export function load(text: string, files: Record<string, string> = {}) {
  const root = tempProject({ "stacks/Pulumi.woodgrove.yaml": text, ...files });
  return { root, ...loadNamedStack(root, "woodgrove") };
}
/** Its diagnostics as the commands print them, paths relative to the project. */
export const messages = (text: string) => {
  const { root, diagnostics } = load(text);
  return diagnostics.map((diagnostic) => formatDiagnostic(diagnostic).replace(`${root}/`, ""));
};
