import "./compileCache";
import { renameSync, writeFileSync } from "node:fs";
import { z } from "zod";
import { basename, dirname, join, relative } from "node:path";
import { ArmClient, ArmError, DEFAULT_ENDPOINT } from "../arm/client";
import { armTokenSource } from "../arm/credentials";
import { OfferCache } from "../offer/cache";
import { displayPath, commandLineFile, stackConfigDir, findProjectRoot, stackNameOf } from "../project/paths";
import { ROLE_CATALOG_PATH, builtInRoles, roleCatalogSource, type BuiltInRole } from "../roles/catalog";
import {
  azRoleListModel,
  buildCatalog,
  CatalogSourceError,
  catalogText,
  compareCatalogs,
  hasChanges,
  rolesFromArm,
  rolesFromAzList,
  type CatalogChanges,
  type SourceRole,
} from "../roles/refresh";
import { loadStack } from "../stack/load";
import { printable, printableLines, quote } from "../text";
import { projectYamlFiles } from "../validate";
import { readAtMost } from "../yaml/source";
import { endpointOption } from "./endpoint";
import { EXIT, oneOf, parseCommandLine, runCommand, UsageError } from "./run";

/** Azure retires built-in roles rarely: more than this many gone at once is taken for a partial source. */
const MAX_ROLES_REMOVED = 10;

/** A catalog file as `refresh` writes it (src/roles/builtin-roles.json). */
const catalogFileModel = z.object({
  source: z.string(),
  roles: z.array(
    z.looseObject({
      id: z.string(),
      name: z.string(),
      lighthouse: z.looseObject({ usable: z.enum(["yes", "delegation-only", "no"]) }),
      // Catalogs written before partner recognition was computed say nothing of it.
      partnerCredit: z.boolean().default(false),
    }),
  ),
});

/** `az role definition list` prints about 5 MiB; anything far larger is no role list. */
const MAX_ROLE_LIST_BYTES = 64 * 1024 * 1024;

const EXIT_UNREADABLE = 3;

class SourceUnreadable extends Error {}

/** Built-in roles from a file of `az role definition list` output, inside the project. */
function rolesFromFile(projectRoot: string, file: string): SourceRole[] {
  const located = commandLineFile(projectRoot, file);
  if ("problem" in located) throw new UsageError(`--from: ${located.problem}`);
  let value: unknown;
  try {
    const bytes = readAtMost(located.file, MAX_ROLE_LIST_BYTES + 1);
    if (bytes.length > MAX_ROLE_LIST_BYTES)
      throw new SourceUnreadable(`${file} is larger than 64 MiB: not a role list`);
    value = JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    if (error instanceof SourceUnreadable) throw error;
    const reason = (error as NodeJS.ErrnoException).code ?? "not JSON";
    throw new SourceUnreadable(`cannot read ${file}: ${reason}`);
  }
  const parsed = azRoleListModel.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SourceUnreadable(
      `${file} is not 'az role definition list' output: ${issue.path.join(".") || "(top)"}: ${issue.message}`,
    );
  }
  return rolesFromAzList(parsed.data);
}

/** Another catalog file (--catalog), inside the project. */
function catalogFrom(projectRoot: string, file: string): { roles: BuiltInRole[]; source: string } {
  const located = commandLineFile(projectRoot, file);
  if ("problem" in located) throw new UsageError(`--catalog: ${located.problem}`);
  let value: unknown;
  try {
    value = JSON.parse(readAtMost(located.file, MAX_ROLE_LIST_BYTES).toString("utf8"));
  } catch (error) {
    throw new UsageError(`--catalog: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? "not JSON"}`);
  }
  const parsed = catalogFileModel.safeParse(value);
  if (!parsed.success)
    throw new UsageError(
      `--catalog: ${file} is not a role catalog (${parsed.error.issues[0].path.join(".") || "top"}: ${parsed.error.issues[0].message})`,
    );
  return parsed.data as { roles: BuiltInRole[]; source: string };
}

/** Role id → the offer and stack files of the project that use it (roles resolved by today's catalog). */
function roleUses(projectRoot: string): Map<string, string[]> {
  const uses = new Map<string, Set<string>>();
  const use = (roleId: string, file: string) =>
    uses.set(roleId, (uses.get(roleId) ?? new Set()).add(displayPath(file)));
  // Links that lead out of the project are refused here as by npm run validate (and reported there).
  const yamlIn = (folder: string) => projectYamlFiles(projectRoot, folder).files;
  const offers = new OfferCache();
  for (const file of yamlIn("offers")) {
    const { offer } = offers.load(file);
    for (const authorization of [...(offer?.authorizations ?? []), ...(offer?.eligibleAuthorizations ?? [])]) {
      for (const id of [authorization.roleDefinitionId, ...(authorization.delegatedRoleDefinitionIds ?? [])])
        use(id, file);
    }
  }
  for (const file of yamlIn(relative(projectRoot, stackConfigDir(projectRoot)) || ".").filter(
    (name) => stackNameOf(name) !== undefined,
  )) {
    const { stack } = loadStack(file, offers);
    for (const identity of [...(stack?.identities ?? []), ...(stack?.systemAssignedIdentities ?? [])]) {
      for (const assignment of identity.roleAssignments) use(assignment.roleDefinitionId, file);
    }
  }
  return new Map([...uses].map(([id, files]) => [id, [...files].sort()]));
}

const VERDICT = { yes: "usable", "delegation-only": "delegation only", no: "not usable" } as const;
const describe = (role: BuiltInRole) => `${role.name} (${role.id})`;

function changesText(changes: CatalogChanges, uses: Map<string, string[]>): string[] {
  const usedBy = (role: BuiltInRole) => (uses.has(role.id) ? `; used by ${uses.get(role.id)!.join(", ")}` : "");
  const reason = (role: BuiltInRole) => ("reason" in role.lighthouse ? ` (${role.lighthouse.reason})` : "");
  return [
    ...changes.flipped.map(
      ({ before, after }) =>
        `verdict changed  ${describe(after)}: ${VERDICT[before.lighthouse.usable]} → ${VERDICT[after.lighthouse.usable]}${reason(after)}${usedBy(after)}`,
    ),
    ...changes.removed.map((role) => `removed          ${describe(role)}${usedBy(role)}`),
    ...changes.renamed.map(
      ({ before, after }) => `renamed          ${before.name} → ${after.name} (${after.id})${usedBy(after)}`,
    ),
    ...changes.added.map((role) => `added            ${describe(role)}: ${VERDICT[role.lighthouse.usable]}`),
  ];
}

export const command = runCommand(
  "roles",
  async (argv) => {
    const { values, positionals } = parseCommandLine(argv, {
      from: { type: "string" },
      endpoint: { type: "string" },
      catalog: { type: "string" },
      format: { type: "string" },
      force: { type: "boolean" },
    });
    const action = positionals[0];
    if ((action !== "refresh" && action !== "check") || positionals.length !== 1)
      throw new UsageError("say refresh or check");
    if (values.from && values.endpoint) throw new UsageError("give --from or --endpoint, not both");
    const format = oneOf("format", values.format, ["text", "json"] as const, "text");
    const projectRoot = findProjectRoot(process.cwd());
    const catalogFile = values.catalog ?? ROLE_CATALOG_PATH;
    const endpoint = endpointOption(values.endpoint, DEFAULT_ENDPOINT);

    const today = new Date().toISOString().slice(0, 10);
    let next;
    try {
      const roles = values.from
        ? rolesFromFile(projectRoot, values.from)
        : rolesFromArm(await new ArmClient({ endpoint, token: armTokenSource(endpoint) }).listBuiltInRoleDefinitions());
      const source = values.from
        ? `az role definition list output (${basename(values.from)}), read ${today}`
        : `ARM role definitions (${new URL(endpoint).origin}), read ${today}`;
      next = buildCatalog(roles, source);
    } catch (error) {
      if (!(error instanceof ArmError || error instanceof SourceUnreadable || error instanceof CatalogSourceError))
        throw error;
      process.stderr.write(`could not read the role definitions: ${printable(error.message)}\n`);
      return EXIT_UNREADABLE;
    }

    const current = values.catalog
      ? catalogFrom(projectRoot, values.catalog)
      : { roles: [...builtInRoles], source: roleCatalogSource };
    const changes = compareCatalogs(current.roles, next.roles);
    const uses = roleUses(projectRoot);
    if (format === "json") {
      process.stdout.write(
        `${JSON.stringify({ source: next.source, before: current.source, roles: next.roles.length, ...changes, uses: Object.fromEntries(uses) }, null, 2)}\n`,
      );
    } else {
      const lines = [`${current.roles.length} roles (${current.source}) → ${next.roles.length} roles (${next.source})`];
      lines.push(...(hasChanges(changes) ? changesText(changes, uses) : ["no change"]));
      process.stdout.write(`${printableLines(lines)}\n`);
    }
    if (action === "check") return hasChanges(changes) ? EXIT.failed : EXIT.ok;

    // Azure retires built-in roles one at a time: a source that drops many is a partial one (a
    // fake, a filtered list), and writing it would turn offers that name those roles invalid.
    if (changes.removed.length > MAX_ROLES_REMOVED && !values.force) {
      process.stderr.write(
        `${printable(`the source removes ${changes.removed.length} of ${current.roles.length} roles (more than ${MAX_ROLES_REMOVED}): a partial source? nothing written; --force writes it`)}\n`,
      );
      return EXIT.failed;
    }

    // Atomically: a crash leaves the old catalog, never half of the new one.
    const temporary = join(dirname(catalogFile), `.${basename(catalogFile)}.${process.pid}.tmp`);
    writeFileSync(temporary, catalogText(next));
    renameSync(temporary, catalogFile);
    process.stderr.write(`${printable(`written ${displayPath(catalogFile)}: ${quote(next.source)}`)}\n`);
    return EXIT.ok;
  },
  __filename,
);
