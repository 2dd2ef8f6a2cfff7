/**
 * npm run bench
 *
 * Each measurement is a fresh process of the compiled commands, as users run them, beside a floor
 * that does the same work with none of the project's code (scripts/bench-floor.ts):
 * - validate 1, 500 and 2,000 offers: `npm run validate` cold vs yaml's parseDocument of the same files;
 * - plan one customer stack of 100, 1,000 and 3,000 subscriptions: `npm run plan` vs the plan's
 *   azure-native resources (same names and inputs) registered under Pulumi's mocks;
 * - diff of the 1,000-subscription stack (one offer changed): `npm run diff` with no cache, then
 *   with the base cached, against the plan floor.
 * Validate runs five times, plan three times (project and floor alternating), diff three times;
 * the medians are shown. Prints wall time and peak RSS of project and floor, their ratios, and the plan's growth from
 * 1,000 to 3,000 subscriptions (linear: 3). Then fleets of 100, 1,000 and 5,000 customer stacks
 * (scripts/bench-fleet.ts), then the validator's worst cases (scripts/hostile-inputs.ts).
 * Temporary files are removed at the end.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchFleets } from "./bench-fleet";
import { DIST, git, measure, median, medianPair, NODE_FLAGS, ROOT, row, type Measure } from "./bench-measure";
import { HOSTILE_OFFERS } from "./hostile-inputs";
import { npmRun } from "./npm-run";

/** Validate runs last a second or less, where one busy moment moves a run by a fifth: five of each. */
const VALIDATE_RUNS = 5;

const guid = (kind: number, index: number) =>
  `${kind.toString(16).padStart(8, "0")}-${(index >> 12).toString(16).padStart(4, "0")}-4${(index & 0xfff).toString(16).padStart(3, "0")}-8000-000000000000`;

/** `count` distinct offers, shaped like the operations example. */
function writeOffers(directory: string, count: number): string[] {
  mkdirSync(directory, { recursive: true });
  const template = readFileSync(join(ROOT, "offers", "contoso-operations.yaml"), "utf8");
  return Array.from({ length: count }, (_, index) => {
    const file = join(directory, `offer-${index}.yaml`);
    writeFileSync(file, template.replace("name: Contoso Managed Operations", `name: Contoso Operations ${index}`));
    return file;
  });
}

/** A project with one customer stack `big` of `subscriptions` subscriptions: operations everywhere, escalation on every fifth, one identity. */
function writeFleet(directory: string, subscriptions: number): void {
  mkdirSync(join(directory, "stacks"), { recursive: true });
  cpSync(join(ROOT, "offers"), join(directory, "offers"), { recursive: true });
  cpSync(join(ROOT, "Pulumi.yaml"), join(directory, "Pulumi.yaml"));
  const ids = Array.from({ length: subscriptions }, (_, index) => guid(0xa, index));
  const lines = [
    "config:",
    "  lighthouse:customer:",
    "    name: Big Customer",
    `    tenantId: ${guid(0xc, 0)}`,
    "  lighthouse:delegations:",
    "    - offer: offers/contoso-operations.yaml",
    "      subscriptions:",
    ...ids.map((id) => `        - subscriptionId: ${id}`),
    "    - offer: offers/contoso-escalation.yaml",
    "      subscriptions:",
    ...ids.filter((_, index) => index % 5 === 0).map((id) => `        - subscriptionId: ${id}`),
    "  lighthouse:identities:",
    "    - name: id-automation",
    `      subscriptionId: ${ids[0]}`,
    "      resourceGroup: rg-automation",
    "      location: westeurope",
    "      federatedCredentials:",
    "        - {name: github-main, issuer: https://token.actions.githubusercontent.com, subject: 'repo:contoso/ops:environment:production'}",
    "      roleAssignments:",
    `        - {role: Reader, scope: /subscriptions/${ids[0]}}`,
  ];
  writeFileSync(join(directory, "stacks", "Pulumi.big.yaml"), `${lines.join("\n")}\n`);
}

function main(): void {
  const workspace = mkdtempSync(join(tmpdir(), "lighthouse-bench-"));
  try {
    console.log(
      `Node ${process.version}, compiled commands (dist/), plan/diff with ${NODE_FLAGS.join(" ")} (floors too); project vs floor`,
    );
    console.log(
      `${"work".padEnd(10)}${"size".padStart(20)}  ${"project".padStart(9)} ${"floor".padStart(9)}  ratio  ${"peak RSS".padStart(10)} ${"floor".padStart(10)}  ratio`,
    );
    for (const count of [1, 500, 2000]) {
      const files = writeOffers(join(workspace, `validate-${count}`, "offers"), count);
      cpSync(join(ROOT, "Pulumi.yaml"), join(workspace, `validate-${count}`, "Pulumi.yaml"));
      const cwd = join(workspace, `validate-${count}`);
      const { project, floor } = medianPair(
        () => measure([...npmRun("validate"), "offers"], cwd),
        () => measure([join(DIST, "scripts", "bench-floor.js"), "validate", ...files], cwd),
        VALIDATE_RUNS,
      );
      row("validate", `${count} offer${count === 1 ? "" : "s"}`, project, floor);
    }
    const plans: Record<number, { project: Measure; floor: Measure }> = {};
    for (const subscriptions of [100, 1000, 3000]) {
      const fleet = join(workspace, `plan-${subscriptions}`);
      writeFleet(fleet, subscriptions);
      const planFile = join(workspace, `plan-${subscriptions}.json`);
      const { project, floor } = medianPair(
        () => measure([...npmRun("plan"), "--stack", "big", "--format", "json"], fleet, planFile),
        () => measure([...NODE_FLAGS, join(DIST, "scripts", "bench-floor.js"), "plan", planFile], fleet),
      );
      const resources = (JSON.parse(readFileSync(planFile, "utf8")) as { resources: unknown[] }).resources.length;
      plans[subscriptions] = { project, floor };
      row("plan", `${subscriptions} subs, ${resources} res`, project, floor);
    }
    const fleet = join(workspace, "plan-1000");
    git(fleet, "init", "-q", "-b", "main");
    git(fleet, "add", "-A");
    git(fleet, "commit", "-qm", "base");
    const escalation = join(fleet, "offers", "contoso-escalation.yaml");
    writeFileSync(escalation, readFileSync(escalation, "utf8").replace("PT4H", "PT8H"));
    const diffArgs = [...npmRun("diff"), "--stack", "big", "--base", "main"];
    const cache = join(fleet, "node_modules", ".cache", "lighthouse-diff");
    const uncached = () => {
      rmSync(cache, { recursive: true, force: true });
      return measure(diffArgs, fleet);
    };
    row("diff", "1000 subs, no cache", median(uncached), plans[1000].floor);
    row(
      "diff",
      "1000 subs, base cached",
      median(() => measure(diffArgs, fleet)),
      plans[1000].floor,
    );
    const growth = (side: "project" | "floor") => (plans[3000][side].seconds / plans[1000][side].seconds).toFixed(2);
    console.log(
      `plan growth 1,000 → 3,000 subscriptions: project ×${growth("project")}, floor ×${growth("floor")} (linear: ×3)`,
    );
    benchFleets(workspace);
    benchHostileInputs(workspace);
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

function benchHostileInputs(workspace: string): void {
  const folder = join(workspace, "hostile");
  mkdirSync(folder);
  cpSync(join(ROOT, "Pulumi.yaml"), join(folder, "Pulumi.yaml"));
  const inputs: Array<[string, string]> = [
    [
      "an ordinary offer (offers/contoso-escalation.yaml)",
      readFileSync(join(ROOT, "offers", "contoso-escalation.yaml"), "utf8"),
    ],
  ];
  inputs.push(...Object.entries(HOSTILE_OFFERS).map(([name, make]): [string, string] => [name, make()]));
  console.log("\nvalidate, one file each, cold (limit 2 s):");
  inputs.forEach(([name, text], index) => {
    const file = `input-${index}.yaml`;
    writeFileSync(join(folder, file), text);
    const { seconds, peakMiB, findings } = measure([...npmRun("validate"), file], folder);
    const size = `${(Buffer.byteLength(text) / 1024).toFixed(0)} KiB`;
    console.log(
      `  ${seconds.toFixed(2).padStart(5)} s  peak RSS ${peakMiB.toFixed(0).padStart(4)} MiB  ${size.padStart(8)}  ${String(findings).padStart(6)} findings  ${name}`,
    );
  });
}

main();
