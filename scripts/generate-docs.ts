/**
 * npm run docs: rewrites the generated parts of README.md and docs/ (the command table, every
 * command's help, the exit codes) from the commands' definitions (src/cli/definitions.ts). A test
 * fails while a committed page differs.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { documentationFiles } from "../src/cli/docs";
import { TOOLKIT_ROOT } from "../src/project/paths";

for (const { file, expected, actual } of documentationFiles()) {
  if (expected === actual) continue;
  writeFileSync(join(TOOLKIT_ROOT, file), expected);
  console.log(file);
}
