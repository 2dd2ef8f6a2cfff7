/**
 * The second step of the build (after tsc): the commands whose cold start is most of their run,
 * each shipped as one file. `validate` runs on every save and every commit, and loading its 198
 * modules one by one (zod's 95, yaml's 72, the toolkit's 31) cost more than checking an offer.
 *
 *   dist/commands/<name>.bundle.js   the command and everything it imports, bundled by esbuild
 *   dist/commands/<name>.js          what `npm run <name>` runs: turns Node's compile cache on, then
 *                                    loads the bundle, so the bundle's compiled code is kept too
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildSync } from "esbuild";
import { BUILD_STAMP } from "../src/project/build";

const ROOT = join(__dirname, "..", "..");
const BUNDLED_COMMANDS = ["validate"];
const OUT = join(ROOT, "dist", "commands");

mkdirSync(OUT, { recursive: true });
for (const name of BUNDLED_COMMANDS) {
  buildSync({
    stdin: {
      contents: `import { command } from "./${name}";\nimport { runAsMain } from "./run";\nexport const run = () => runAsMain(command);\n`,
      resolveDir: join(ROOT, "src", "cli"),
      sourcefile: `${name}-entry.ts`,
      loader: "ts",
    },
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node22",
    outfile: join(OUT, `${name}.bundle.js`),
    logLevel: "warning",
  });
  writeFileSync(
    join(OUT, `${name}.js`),
    `"use strict";\n// Built by scripts/bundle.ts: compile cache first, then the bundle.\nrequire("../src/cli/compileCache.js");\nrequire("./${name}.bundle.js").run();\n`,
  );
}

/**
 * The policy pack as `pulumi policy publish` takes it (a folder it packs whole): one bundled entry
 * with what it needs of src/ inside, the role catalog where that code looks for it (beside the
 * pack's package.json), and package.json naming only what the bundle leaves out: @pulumi/policy
 * and @pulumi/pulumi, which CrossGuard loads as the pack's dependencies.
 */
const PACK = join(ROOT, "dist", "policy-pack");
const PACK_DEPENDENCIES = ["@pulumi/policy", "@pulumi/pulumi"];
rmSync(PACK, { recursive: true, force: true });
mkdirSync(join(PACK, "src", "roles"), { recursive: true });
buildSync({
  entryPoints: [join(ROOT, "policies", "index.ts")],
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node22",
  external: PACK_DEPENDENCIES,
  outfile: join(PACK, "index.js"),
  logLevel: "warning",
});
const toolkit = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  version: string;
  license: string;
  dependencies: Record<string, string>;
};
writeFileSync(
  join(PACK, "package.json"),
  `${JSON.stringify(
    {
      name: "lighthouse-policies",
      version: toolkit.version,
      description: "Azure Lighthouse rules as a CrossGuard policy pack (built from policies/ by npm run build)",
      license: toolkit.license,
      main: "index.js",
      dependencies: Object.fromEntries(PACK_DEPENDENCIES.map((name) => [name, toolkit.dependencies[name]])),
    },
    null,
    2,
  )}\n`,
);
copyFileSync(join(ROOT, "policies", "PulumiPolicy.yaml"), join(PACK, "PulumiPolicy.yaml"));
copyFileSync(join(ROOT, "src", "roles", "builtin-roles.json"), join(PACK, "src", "roles", "builtin-roles.json"));

// Last: the sources as of now are what dist/ holds (src/project/build.ts compares against this).
writeFileSync(join(ROOT, "dist", BUILD_STAMP), `${new Date().toISOString()}\n`);
