/**
 * Copies into the project what it needs from the gathered reference material, so that neither
 * the program nor its tests ever read ../shared (a user's clone has none).
 *
 *   npm run import-reference -- [--shared <dir>]     (default: ../shared beside the repo)
 *
 * For maintainers with the reference material; users refresh the role catalog from Azure itself
 * with `npm run roles -- refresh`.
 *
 * Sources (see <shared>/reference/README.md):
 * - reference/builtin-roles.json: `az role definition list` built-in roles, snapshot of
 *   2026-08-22 (public dataset easimon/azure-builtin-roles, MIT). Becomes the role catalog
 *   src/roles/builtin-roles.json, each role with its Lighthouse verdict from src/roles/support.ts,
 *   and test/fixtures/role-permissions.json (the real permissions of the roles the tests use).
 * - reference/arm-guid-vectors.txt: ARM guid() vectors from an independent implementation.
 * - reference/managedservices-2022-10-01.json: the Microsoft.ManagedServices REST spec.
 * - seeds/registration-definitions-list-api.txt: its three sample responses, as JSON files.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { azRoleListModel, buildCatalog, catalogText, rolesFromAzList } from "../src/roles/refresh";
import { TOOLKIT_ROOT } from "../src/project/paths";

const root = TOOLKIT_ROOT;
const flag = process.argv.indexOf("--shared");
const shared = flag >= 0 ? resolve(process.argv[flag + 1]) : resolve(root, "..", "shared");
if (!existsSync(join(shared, "reference", "builtin-roles.json"))) {
  console.error(
    `error: no reference material at ${shared} (give --shared <dir>); to refresh the role catalog from Azure, use npm run roles -- refresh`,
  );
  process.exit(2);
}
const fixtures = join(root, "test", "fixtures");

const source = azRoleListModel.parse(JSON.parse(readFileSync(join(shared, "reference", "builtin-roles.json"), "utf8")));
const builtIns = rolesFromAzList(source);
const catalog = buildCatalog(
  builtIns,
  Array.isArray(source) ? "az role definition list (built-in roles)" : String(source.source),
);

/** Every output is computed first, then each file is written whole (temp file + rename). */
const outputs = new Map<string, string | Buffer>([
  [join(root, "src", "roles", "builtin-roles.json"), catalogText(catalog)],
]);

// Real permissions of the roles whose verdicts the tests recompute.
const testedRoles = [
  "Owner",
  "Contributor",
  "Reader",
  "User Access Administrator",
  "Log Analytics Contributor",
  "Locks Contributor",
  "Access Review Operator Service Role",
  "Virtual Machine Contributor",
  "Managed Services Registration assignment Delete Role",
  "Storage Blob Data Reader",
  "Resource Policy Contributor",
];
const rolePermissions = Object.fromEntries(
  testedRoles.map((name) => {
    const role = builtIns.find((candidate) => candidate.name === name);
    if (!role) throw new Error(`built-in role '${name}' is not in the snapshot`);
    return [
      name,
      {
        id: role.id,
        permissions: role.permissions.map(({ actions, notActions, dataActions }) => ({
          actions,
          notActions,
          dataActions,
        })),
      },
    ];
  }),
);
outputs.set(join(fixtures, "role-permissions.json"), JSON.stringify(rolePermissions, null, 1) + "\n");

for (const file of ["arm-guid-vectors.txt", "managedservices-2022-10-01.json"]) {
  outputs.set(join(fixtures, file), readFileSync(join(shared, "reference", file)));
}

// The seed's sample responses: each JSON object that follows a "Sample Response" line.
const seedText = readFileSync(join(shared, "seeds", "registration-definitions-list-api.txt"), "utf8");
const sampleNames = ["list", "list-filter-eq", "list-filter-in"];
let cursor = 0;
for (const sampleName of sampleNames) {
  const heading = seedText.indexOf("Sample Response", cursor);
  const start = seedText.indexOf("{", heading);
  let depth = 0;
  let end = start;
  for (; end < seedText.length; end++) {
    if (seedText[end] === "{") depth++;
    if (seedText[end] === "}" && --depth === 0) break;
  }
  const body = JSON.parse(seedText.slice(start, end + 1));
  outputs.set(
    join(fixtures, "seed", `registration-definitions-${sampleName}.json`),
    JSON.stringify(body, null, 2) + "\n",
  );
  cursor = end;
}
for (const [file, content] of outputs) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, content);
  renameSync(`${file}.tmp`, file);
}
const unusable = catalog.roles.filter((role) => role.lighthouse.usable === "no").length;
console.log(`role catalog: ${catalog.roles.length} built-in roles, ${unusable} not usable with Azure Lighthouse`);
console.log(
  `fixtures: ${testedRoles.length} role permission sets, guid vectors, REST spec, ${sampleNames.length} seed samples`,
);
