/**
 * The bench's fleet shape: an MSP's hundreds to thousands of customer stacks of 1 to 5
 * subscriptions each (the fleet measurement of 2026-12-04): the operations offer on every
 * subscription; 30 % of stacks the escalation offer on their first subscription; 20 % the
 * escalation offer on a resource group of their last; 10 % an identity with a federated credential
 * and a Reader role. Each fleet is a copy of the toolkit (its tracked files, its dist/, node_modules
 * linked) with the generated stacks instead of the examples, committed: every command runs from
 * that copy, as a pipeline runs it in the MSP's repository.
 *   validate (every file)               vs the validate floor on the same files
 *   plan --stack all                    vs the plan floor: the same resources under Pulumi's mocks, stack after stack
 *   matrix                              vs the plan floor
 *   diff --stack all, an offer changed  no cache vs the plan floor ×2 (both revisions); base cached vs ×1
 *   affected, a components/ change      vs the plan floor ×2
 * 100 and 1,000 stacks: three runs each, project and floor alternating, medians; 5,000: one run.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { DIST, git, measure, medianPair, NODE_FLAGS, ROOT, row, type Measure } from "./bench-measure";
import { npmRun } from "./npm-run";
import { compiledRevision } from "../src/project/revisionCode";
import { BUILD_STAMP } from "../src/project/build";

const SIZES = [
  { stacks: 100, runs: 3 },
  { stacks: 1000, runs: 3 },
  { stacks: 5000, runs: 1 },
];

/** A small seeded generator (mulberry32): the same fleet on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A version-4 GUID from the generator. */
const guidFrom = (next: () => number) => {
  const hex = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16));
  hex[12] = "4";
  hex[16] = "89ab"[Math.floor(next() * 4)];
  const text = hex.join("");
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
};

function stackFile(index: number, next: () => number): string {
  const subscriptions = Array.from({ length: 1 + Math.floor(next() * 5) }, () => guidFrom(next));
  const kind = index % 10;
  const lines = [
    "config:",
    "  lighthouse:customer:",
    `    name: Customer ${index}`,
    `    tenantId: ${guidFrom(next)}`,
    "  lighthouse:delegations:",
    "    - offer: offers/contoso-operations.yaml",
    "      subscriptions:",
    ...subscriptions.map((id) => `        - subscriptionId: ${id}`),
  ];
  if (kind < 3)
    lines.push(
      "    - offer: offers/contoso-escalation.yaml",
      "      subscriptions:",
      `        - subscriptionId: ${subscriptions[0]}`,
    );
  else if (kind < 5)
    lines.push(
      "    - offer: offers/contoso-escalation.yaml",
      "      subscriptions:",
      `        - subscriptionId: ${subscriptions.at(-1)}`,
      "          resourceGroups: [rg-app]",
    );
  else if (kind === 5)
    lines.push(
      "  lighthouse:identities:",
      "    - name: id-automation",
      `      subscriptionId: ${subscriptions[0]}`,
      "      resourceGroup: rg-automation",
      "      location: westeurope",
      "      federatedCredentials:",
      "        - {name: github-production, issuer: https://token.actions.githubusercontent.com, subject: 'repo:contoso/ops:environment:production'}",
      "      roleAssignments:",
      `        - {role: Reader, scope: /subscriptions/${subscriptions[0]}}`,
    );
  return `${lines.join("\n")}\n`;
}

/** The toolkit with `count` generated stacks, committed on main; its dist/ current. */
function writeFleetRepository(directory: string, count: number): void {
  const tracked = execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" }).split("\0");
  for (const file of tracked.filter((file) => file && !file.startsWith("stacks/"))) {
    mkdirSync(dirname(join(directory, file)), { recursive: true });
    cpSync(join(ROOT, file), join(directory, file));
  }
  cpSync(DIST, join(directory, "dist"), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(directory, "node_modules"), "dir");
  mkdirSync(join(directory, "stacks"));
  const next = random(42);
  for (let index = 0; index < count; index++)
    writeFileSync(
      join(directory, "stacks", `Pulumi.customer-${String(index).padStart(5, "0")}.yaml`),
      stackFile(index, next),
    );
  // Copied after the sources: the build is current.
  writeFileSync(join(directory, "dist", BUILD_STAMP), `${new Date().toISOString()}\n`);
  git(directory, "init", "-q", "-b", "main");
  git(directory, "add", "-A");
  git(directory, "commit", "-qm", "fleet");
}

/** `npm run <name>` of the fleet's own copy. */
const fleetRun = (fleet: string, name: string) => npmRun(name).map((token) => token.replace(ROOT, fleet));
const twice = (floor: Measure): Measure => ({ ...floor, seconds: floor.seconds * 2 });
const edit = (file: string, from: string, to: string) => {
  const text = readFileSync(file, "utf8");
  if (!text.includes(from)) throw new Error(`${file} has no ${from}`);
  writeFileSync(file, text.replace(from, to));
};

export function benchFleets(workspace: string): void {
  console.log("\nfleets of customer stacks (1–5 subscriptions each), every stack in one run of each command:");
  const plans: Record<number, { project: Measure; floor: Measure }> = {};
  for (const { stacks, runs } of SIZES) {
    const fleet = join(workspace, `fleet-${stacks}`);
    writeFleetRepository(fleet, stacks);
    const files = [
      join(fleet, "offers", "contoso-operations.yaml"),
      join(fleet, "offers", "contoso-escalation.yaml"),
      ...Array.from({ length: stacks }, (_, index) =>
        join(fleet, "stacks", `Pulumi.customer-${String(index).padStart(5, "0")}.yaml`),
      ),
    ];
    const validate = medianPair(
      () => measure(fleetRun(fleet, "validate"), fleet),
      () => measure([join(DIST, "scripts", "bench-floor.js"), "validate", ...files], fleet),
      runs,
    );
    row("validate", `${stacks} stacks`, validate.project, validate.floor);

    const planFile = join(workspace, `fleet-${stacks}.json`);
    const plan = medianPair(
      () => measure([...fleetRun(fleet, "plan"), "--stack", "all", "--format", "json"], fleet, planFile),
      () => measure([...NODE_FLAGS, join(DIST, "scripts", "bench-floor.js"), "plan", planFile], fleet),
      runs,
    );
    const resources = (JSON.parse(readFileSync(planFile, "utf8")) as Array<{ resources: unknown[] }>).reduce(
      (sum, entry) => sum + entry.resources.length,
      0,
    );
    plans[stacks] = plan;
    row("plan", `${stacks} stacks, ${resources} res`, plan.project, plan.floor);

    const matrix = medianPair(
      () => measure([...fleetRun(fleet, "matrix"), "--out", join(workspace, "matrix")], fleet),
      () => plan.floor,
      runs,
    );
    row("matrix", `${stacks} stacks`, matrix.project, plan.floor);

    // An offer change every stack uses: Identity admins may assign Backup Contributor.
    edit(
      join(fleet, "offers", "contoso-operations.yaml"),
      "delegatedRoles: [Contributor, Monitoring Contributor]",
      "delegatedRoles: [Contributor, Monitoring Contributor, Backup Contributor]",
    );
    const diffArgs = [...fleetRun(fleet, "diff"), "--stack", "all", "--base", "main"];
    const cache = join(fleet, "node_modules", ".cache", "lighthouse-diff");
    const uncached = medianPair(
      () => {
        rmSync(cache, { recursive: true, force: true });
        return measure(diffArgs, fleet, join(workspace, "review.md"));
      },
      () => plan.floor,
      runs,
    );
    row("diff", `${stacks} stacks, no cache`, uncached.project, twice(plan.floor));
    const cached = medianPair(
      () => measure(diffArgs, fleet, join(workspace, "review.md")),
      () => plan.floor,
      runs,
    );
    row("diff", `${stacks} stacks, cached`, cached.project, plan.floor);
    rmSync(cache, { recursive: true, force: true });
    git(fleet, "checkout", "-q", "--", "offers");

    // A components/ change that alters the 10 % of stacks with an identity; the working tree built, as CI builds it.
    edit(
      join(fleet, "components", "managedIdentity.ts"),
      "{ resourceName: identityName, resourceGroupName, location, ...(tags ? { tags } : {}) }",
      '{ resourceName: identityName, resourceGroupName, location, tags: { ...tags, "managed-by": "lighthouse" } }',
    );
    if (!compiledRevision(fleet, true)) throw new Error("the fleet's changed program does not compile");
    const affectedFile = join(workspace, "affected.json");
    const affected = medianPair(
      () => measure([...fleetRun(fleet, "affected"), "--base", "main", "--format", "json"], fleet, affectedFile),
      () => plan.floor,
      runs,
    );
    const listed = (JSON.parse(readFileSync(affectedFile, "utf8")) as unknown[]).length;
    if (listed !== stacks / 10)
      throw new Error(`affected listed ${listed} stacks, not the ${stacks / 10} with an identity`);
    row("affected", `${stacks} stacks, program`, affected.project, twice(plan.floor));
    rmSync(fleet, { recursive: true, force: true });
  }
  const growth = (side: "project" | "floor") => (plans[5000][side].seconds / plans[1000][side].seconds).toFixed(2);
  console.log(
    `plan growth 1,000 → 5,000 stacks: project ×${growth("project")}, floor ×${growth("floor")} (linear: ×5)`,
  );
}
