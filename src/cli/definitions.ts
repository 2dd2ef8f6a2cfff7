import { AZURE_AUDIENCE } from "../pipeline/oidcToken";
import { GITHUB_MATRIX_LIMIT } from "../pipeline/batches";

/**
 * Every command of the toolkit, once: its name (the npm script and the `lighthouse` subcommand),
 * one line for the overview, the ways to call it, what it does and what each exit code means.
 * Each command's help, the `lighthouse` overview and the exit-code reference (docs/reference.md,
 * checked by test/cli.test.ts) are generated from these; each command parses its own flags with
 * node:util's parseArgs (src/cli/run.ts).
 */
/** How the commands that take several stacks (src/cli/stacks.ts) are told which. */
const STACK_USAGE = `--stack all is every stack of stacks/; --stacks-from <file> reads the stacks of a list saved by
'affected --format json' (thousands of names do not fit on a command line).`;

export interface CommandDefinition {
  summary: string;
  /** Each way to call it, after `npm run <name> --` (or `lighthouse <name>`). */
  synopsis: string[];
  description: string;
  exitCodes: Partial<Record<0 | 1 | 2 | 3, string>>;
}

export const COMMANDS = {
  validate: {
    summary: "checks offer and stack files, every problem at its file:line:column",
    synopsis: [`[paths...] [--format text|json|github]`],
    description: `Validates offer files and stack files (stacks/Pulumi.<stack>.yaml); a directory is searched
for *.yaml and *.yml. Default: offers/ and stacks/ of this project.`,
    exitCodes: { 0: "valid (warnings allowed)", 1: "errors found", 2: "usage error" },
  },
  plan: {
    summary: "runs a stack's program offline, with the policy pack's checks, and shows who gets which access",
    synopsis: [
      `--stack <name>|all [--stack <name>...] [--format text|json|state] [--policy-config <file>]`,
      `--stacks-from <file> [--format ...] [--policy-config <file>]`,
    ],
    description: `Runs the stack program offline (an in-process engine, no cloud, no credentials), has the policy pack
(policies/, served by CrossGuard as in a preview) analyze every resource it would register, and
prints who gets which access where.
Several --stack are planned one after another in this process (one pack for all); --format json
then prints a list, one entry per stack in the order given: its plan, or {stack, error} when it
could not be planned (the error is on stderr too). So do --stack all and --stacks-from.
${STACK_USAGE}
--format state prints, without the policy pack, a list of {stack, customer, state} (state: every
resource as the engine would record it: urn, type, inputs, outputs, dependencies, aliases,
replaceWith, id), or {stack, error}: what the access review reads of a revision, produced by that
revision's own code.
--policy-config takes Pulumi's policy config JSON (see policies/policy-config.json).`,
    exitCodes: {
      0: "no mandatory violation",
      1: "mandatory violation or invalid stack (in any stack)",
      2: "usage error (including a policy config file with errors)",
    },
  },
  diff: {
    summary: "the access review against a git revision: access gained, lost or interrupted, and the steps",
    synopsis: [
      `--stack <name>|all [--stack <name>]... --base <git-ref> [--format markdown|json]`,
      `--stacks-from <file> --base <git-ref> [--format markdown|json]`,
    ],
    description: `The access review: runs the stack program(s) at the base revision and in the working tree (offline;
the base's resources are cached in node_modules/.cache by base commit and toolkit code; when the
program's code changed, each revision runs its own),
and lists the access changes a reviewer cares about, as Markdown for a pull-request comment:
first access that pulumi up would lose or interrupt (predicted from the steps the Pulumi engine
and azure-native would take from the base's resources to the working tree's), steps that would
fail or cannot be predicted, and weakened controls (MFA Azure -> None, a longer JIT duration,
approval dropped, a new role a User Access Administrator may assign, a new managing tenant); then
the other changes and the numbered steps.
--format json: {"base", "records": [{stack, change, subscription, scope, scopeKind, offer,
principal, identity, role, eligible, before, after, weakening}], "stacks": [{stack, customer,
changes, records, steps: [{op, urn, type, id, reason, fails?, unknown?}], continuity: [{kind,
subscription, scope, offer, principal, roleId, eligible, from, until?, cause}], stopsAt?, errors}]}.
--stack all is every stack of either revision (a removed one too); --stacks-from <file> reads the
stacks of a list saved by 'affected --format json' (thousands of names do not fit on a command line).`,
    exitCodes: { 0: "reviewed", 1: "a stack is invalid on either side", 2: "usage error (or unknown ref)" },
  },
  matrix: {
    summary: "writes the access matrix, principals x customers, as one self-contained HTML page",
    synopsis: [`[--stack <name>|all]... [--stacks-from <file>] [--out <dir>]`],
    description: `The access matrix: plans every stack (or the named ones) offline and writes <dir>/index.html
(default access-matrix/), a self-contained page of principals and managed identities × customers
with their roles per scope, permanent and eligible marked, filterable; it makes no network request.
${STACK_USAGE}`,
    exitCodes: { 0: "written", 1: "a stack is invalid (nothing written)", 2: "usage error" },
  },
  affected: {
    summary: "lists the stacks a change affects, in batches for a CI matrix",
    synopsis: [
      `--base <git-ref> [--format text|json|azure-matrix] [--mode onboarding|managing] [--batch-size <n> [--max-batches <n>]] [--files-only]`,
      `--from <file> [--format json|azure-matrix] [--mode ...] [--batch-size <n> ...]`,
      `--all [--format ...] [--mode ...] [--batch-size <n> ...]`,
    ],
    description: `The stacks whose deployment changes between <git-ref> and the working tree: a stack file changed,
or an offer a stack uses changed (file rules). When the program or policy code changed, every
other stack's program runs offline at both revisions, and the stack is affected only if what it
would register (types, names, inputs, options) or its policy results differ; --files-only skips
those runs and counts every stack. A dependency change (package.json, package-lock.json) affects
every stack. Each reason names the rule that applied.
--format json: a list for a CI matrix, [{"stack": "fabrikam", "mode": "onboarding"}, ...]
--format azure-matrix: an Azure Pipelines matrix object, {"fabrikam": {"stack": ..., "mode": ...}}
  (leg names are the stack names, with characters Azure refuses replaced by _)
--batch-size <n>: shard into balanced batches of at most n stacks, for a two-level fan-out:
  json: [{"name": "batch 1 of 3", "stacks": [{"stack", "mode"}, ...]}, ...]
  azure-matrix: {"batch_1": {"batch": "1", "stacks": "fabrikam northwind"}, ...}
  --max-batches (default ${GITHUB_MATRIX_LIMIT}, GitHub's jobs per matrix) refuses more batches than that.
--mode keeps only the stacks of that deployment mode (each signs in as a different identity).
--from reads a list saved from --format json (inside the project) instead of computing it again:
  one computation, several matrices (Azure DevOps: onboarding and managing).
--all lists every stack: the deploy pipelines' first run, or a last successful deploy no longer in
  the history.
Removed stacks are reported (text, and on stderr), never deployed.`,
    exitCodes: {
      0: "listed",
      1: "more batches than --max-batches",
      2: "usage error (an unknown ref, a saved list that is not one)",
    },
  },
  inventory: {
    summary: "reads what Azure holds (delegations, identities) and compares it with the stacks",
    synopsis: [
      `(--stack <name> | --scope <scope>) [--managed-by <tenant>]... [--drift] [--format text|json] [--endpoint <url>]`,
      `--stack <name> --identities [--drift] [--format text|json] [--endpoint <url>]`,
      `--all [--managed-by <tenant>]... [--drift] [--format text|json] [--endpoint <url>]`,
    ],
    description: `Lists what is delegated in Azure: per subscription and resource group, each registration
definition (offer, managing tenant, authorizations, eligible authorizations, state), where it is
assigned, and who created and changed it. --drift (with --stack) compares it with the stack's offers.
--identities reads the stack's managed identities instead: each declared user-assigned identity and
every other one in its resource groups (location, tags, isolationScope, principal and client ids),
their federated credentials and role assignments, and referenced resources' system-assigned
identities; --drift reports what is missing, extra (first: access nobody reviewed) or changed.
--all reads every delegation the caller can see in one Azure Resource Graph query (from the
managing tenant: every customer's) and, with --drift, compares every stack at once and lists
delegations to the stacks' managing tenants that no stack claims.
Credentials: AZURE_ACCESS_TOKEN, or DefaultAzureCredential (az login, OIDC, managed identity);
read access to the customer scopes is enough. --endpoint: another cloud (https), or a local fake.`,
    exitCodes: {
      0: "read (and in sync)",
      1: "drift found",
      2: "usage error or invalid stack",
      3: "could not read Azure",
    },
  },
  adopt: {
    summary: "brings existing delegations under a stack instead of recreating them",
    synopsis: [`--stack <name> [--write] [--format text|json] [--endpoint <url>]`],
    description: `Finds the delegations that already exist in Azure for the stack's offers (at the toolkit's GUIDs,
or by managing tenant and offer name, e.g. onboarded with Microsoft's templates) and, with
--write, sets 'adopt' on them in stacks/Pulumi.<stack>.yaml so that the next pulumi up imports
them instead of creating duplicates. Without --write it only reports.`,
    exitCodes: {
      0: "everything adoptable or absent",
      1: "a delegation differs from its offer or is incomplete (nothing is written for it)",
      2: "usage error or invalid stack",
      3: "could not read Azure",
    },
  },
  export: {
    summary: "writes an offer as Microsoft's Lighthouse ARM template and parameters",
    synopsis: [
      `arm --offer <file> [--resource-groups rg1,rg2] [--names toolkit|samples] [--out <dir>] [--format json]`,
      `arm --offer <file> --management-group <id> --location <region> [--no-remediation] [--out <dir>]`,
    ],
    description: `Writes the offer as an Azure Lighthouse onboarding template for a customer to deploy
(az deployment sub create --location <region> --template-file <name>.json --parameters <name>.parameters.json):
<out>/<offer>.json (subscriptionDeploymentTemplate) and <out>/<offer>.parameters.json. Default --out: export/.
--names samples names the delegation exactly as Microsoft's onboarding templates do (guid(mspOfferName),
guid(rgName)), with their parameter shapes, so that redeploying over a customer onboarded with them
updates that delegation instead of adding a parallel one. Default: the toolkit's names, as pulumi up uses.
With --management-group, writes <out>/<offer>.mg-<id>.json, a managementGroupDeploymentTemplate
(az deployment mg create --management-group-id <id> --location <region> --template-file ...): an Azure
Policy that deploys the same delegation to every subscription of the management group, present and
future, its assignment with a managed identity holding Owner there, and a remediation for the
subscriptions already in it (unless --no-remediation).
Only ARM JSON is produced: Bicep output is refused rather than shipped unverified (no Bicep compiler here).`,
    exitCodes: { 0: "written", 1: "the offer has errors", 2: "usage error" },
  },
  import: {
    summary: "converts Microsoft's onboarding parameters file into an offer file",
    synopsis: [`arm-parameters <file.parameters.json> [--template <file.json>] [--out offers/<name>.yaml]`],
    description: `Converts a Microsoft onboarding parameters file (Azure-Lighthouse-samples: subscription, rgName,
resourceGroups, eligible authorizations with approvers, Marketplace) into an offer file: role ids
become role names, and every decision is a comment on top. --template supplies the defaults of
parameters the file leaves out. The offer is validated as it is written: each error (a
placeholder such as '<insert ...>', a role Lighthouse refuses) is marked by a '# error:' comment
above its line, to fix in place. Without --out it is printed.`,
    exitCodes: {
      0: "converted",
      1: "the offer has errors (written, marked) or the parameters cannot be converted (nothing written)",
      2: "usage error",
    },
  },
  preflight: {
    summary: "checks every principal of the offers in the managing tenant's directory",
    synopsis: [
      `[--stack <name> | <offer files...>] [--format text|json] [--endpoint <graph url>] [--arm-endpoint <url>]`,
    ],
    description: `Resolves every principal id of the offers (default: every offer in offers/) in the managing
tenant's directory through Microsoft Graph (POST /v1.0/directoryObjects/getByIds, batched) and
reports, at file:line:column: ids not found; application object ids or app ids where the service
principal's object id belongs (naming it); groups that are not security groups; service principals
in eligible authorizations or as approvers; display names that differ from the directory (warning).
Token: AZURE_GRAPH_ACCESS_TOKEN, or DefaultAzureCredential for https://graph.microsoft.com
(Directory.Read.All or an equivalent in the managing tenant).
An offer with a partner block also gets its Partner Admin Link checked through ARM (--arm-endpoint,
token AZURE_ACCESS_TOKEN): a link is read only by its own principal, so this checks the link when
preflight signs in as the partner principal, and warns that it cannot when it signs in as another.`,
    exitCodes: {
      0: "no error",
      1: "errors found",
      2: "usage error or invalid offer",
      3: "could not read Graph (or ARM, for a partner link)",
    },
  },
  events: {
    summary: "lists delegations added and removed across customers, alerting on removals a stack declares",
    synopsis: [`--since <7d|24h|30m|ISO time> [--format text|json] [--endpoint <url>]`],
    description: `Lists delegations added to and removed from the managing tenant, across all customers, from its
tenant-level Activity Log (Microsoft.ManagedServices registration assignment writes and deletes,
every page), with who and when, and compares them with every stack: a removal of a delegation a
stack still declares is an alert. Needs Monitoring Reader at root scope (/) in the managing tenant.`,
    exitCodes: { 0: "no alert", 1: "alert", 2: "usage error or invalid stack", 3: "could not read the Activity Log" },
  },
  offboard: {
    summary: "plans removing a customer's delegations, in a safe order, deleting nothing",
    synopsis: [`--stack <name> [--offer <file>] [--format text|json]`],
    description: `Plans removing a customer's delegations (all, or one offer's): the access that ends, where that
also ends access another delegation grants to the same principal and role at the same scope, and
the exact commands in a safe order (pulumi destroy --target, or az rest deletes). Deletes nothing.`,
    exitCodes: { 0: "planned", 2: "usage error, invalid stack or nothing to offboard" },
  },
  roles: {
    summary: "refreshes or checks the built-in role catalog",
    synopsis: [`refresh|check [--from <file>] [--endpoint <url>] [--format text|json] [--force]`],
    description: `Azure's built-in roles change (a role can gain a DataAction and stop being usable with Azure
Lighthouse). Both read every built-in role definition with its permissions, live from ARM
(/providers/Microsoft.Authorization/roleDefinitions, $filter=type eq 'BuiltInRole', every page)
or, with --from, from a file of 'az role definition list' output; recompute each role's
Lighthouse verdict; and print what changed against the committed catalog (src/roles/builtin-roles.json):
roles added, removed, renamed, and roles whose verdict flipped, with the offers and stacks using them.
  refresh  writes the new catalog (atomically), with its source and date; a source that removes
           more than 10 roles (a partial one) is refused, exit 1, unless --force; a source listing a
           role twice, or a name with control or bidirectional characters, is refused (exit 3)
  check    writes nothing; exit 1 when the catalog differs (for a scheduled pipeline job)
Credentials as for inventory: AZURE_ACCESS_TOKEN, or DefaultAzureCredential. --catalog <file>
compares with (and refresh writes) another catalog file.`,
    exitCodes: {
      0: "written or no difference",
      1: "(check) the catalog differs, or (refresh) a source removing more than 10 roles without --force",
      2: "usage error",
      3: "Azure or the file could not be read (or is no catalog source)",
    },
  },
  "oidc-token": {
    summary: "writes a pipeline's OIDC token, refreshed while a command runs",
    synopsis: [
      `--file <path> [--audience <aud>] [--service-connection-id <id>] [--every <seconds>] [-- <command> [<args>...]]`,
    ],
    description: `Writes the pipeline job's federated (OIDC) token to <path> (mode 0600, replaced at once). With a
command: runs it, writing a fresh token every --every seconds (default 240) until it ends, and exits
with its exit code; Azure Identity's workload identity credential (AZURE_FEDERATED_TOKEN_FILE) reads
the file again, so a pulumi up longer than the token's life keeps signing in. The token is never printed.
Sources: GitHub Actions (ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN, a job with id-token: write) or Azure
Pipelines (SYSTEM_OIDCREQUESTURI, SYSTEM_ACCESSTOKEN and --service-connection-id).
--audience defaults to ${AZURE_AUDIENCE} (Azure); Pulumi Cloud's is urn:pulumi:org:<organization>.`,
    exitCodes: {
      0: "written (with a command: that command's exit code)",
      1: "no token (the first request failed)",
      2: "usage error",
    },
  },
  "fake-arm": {
    summary: "serves a local fake of Azure for a stack, to try the Azure-facing commands",
    synopsis: [`--stack <name> [--port 8080]`],
    description: `Serves on 127.0.0.1 what Azure Resource Manager would answer once the stack is deployed (its
delegations, plus another provider's, also through Resource Graph; its managed identities,
credentials and role assignments; the onboarding in the tenant-level Activity Log), 11 real
built-in role definitions, and Microsoft Graph's view of the offers' principals. Token: fake-token
(AZURE_ACCESS_TOKEN, and AZURE_GRAPH_ACCESS_TOKEN for preflight).
  AZURE_ACCESS_TOKEN=fake-token npm run inventory -- --stack <name> [--identities] --endpoint http://127.0.0.1:8080`,
    exitCodes: { 1: "the port is taken", 2: "usage error or invalid stack (it runs until stopped)" },
  },
} satisfies Record<string, CommandDefinition>;

export type CommandName = keyof typeof COMMANDS;

/** The exit-code reference (docs/reference.md): one row per command, one column per code. */
export function exitCodeTable(): string {
  const codes = [0, 1, 2, 3] as const;
  return [
    "| command | 0 | 1 | 2 | 3 |",
    "| --- | --- | --- | --- | --- |",
    ...(Object.entries(COMMANDS) as Array<[string, CommandDefinition]>).map(
      ([name, definition]) =>
        `| \`${name}\` | ${codes.map((code) => (definition.exitCodes[code] ?? "").replace(/\|/g, "\\|")).join(" | ")} |`,
    ),
  ].join("\n");
}

/** The command table of the README: each command and its one line. */
export function commandTable(): string {
  return [
    "| command | what it does |",
    "| --- | --- |",
    ...(Object.entries(COMMANDS) as Array<[string, CommandDefinition]>).map(
      ([name, definition]) => `| \`${name}\` | ${definition.summary} |`,
    ),
  ].join("\n");
}
