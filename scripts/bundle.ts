/**
 * The second step of the build (after tsc): the commands whose cold start is most of their run,
 * each shipped as one file. `validate` runs on every save and every commit, and loading its 198
 * modules one by one (zod's 95, yaml's 72, the toolkit's 31) cost more than checking an offer.
 *
 *   dist/commands/<name>.bundle.js   the command and everything it imports, bundled by esbuild
 *   dist/commands/<name>.js          what `npm run <name>` runs: turns Node's compile cache on, then
 *                                    loads the bundle, so the bundle's compiled code is kept too
 */
import { mkdirSync, writeFileSync } from "node:fs";
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

// Last: the sources as of now are what dist/ holds (src/project/build.ts compares against this).
writeFileSync(join(ROOT, "dist", BUILD_STAMP), `${new Date().toISOString()}\n`);
