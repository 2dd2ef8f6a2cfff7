import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { TOOLKIT_SOURCES } from "../src/project/paths";

/**
 * Tests run the commands as users do, compiled (dist/) and bundled (dist/commands/): build them
 * first, as `npm run build` does, so that a test never runs yesterday's JavaScript. Skipped when
 * the build is newer than every source it compiles.
 */
const ROOT = join(__dirname, "..");
const SOURCES = [...TOOLKIT_SOURCES, "scripts", "tsconfig.json", "tsconfig.build.json"];

function newestChange(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newestChange(join(path, entry))));
}

export default function setup(): void {
  const built = join(ROOT, "dist", ".tsbuildinfo");
  const bundled = join(ROOT, "dist", "commands");
  if (
    existsSync(built) &&
    existsSync(bundled) &&
    statSync(built).mtimeMs > Math.max(...SOURCES.map((source) => newestChange(join(ROOT, source))))
  )
    return;
  execFileSync(
    process.execPath,
    [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", join(ROOT, "tsconfig.build.json")],
    { cwd: ROOT, stdio: "inherit" },
  );
  execFileSync(process.execPath, [join(ROOT, "dist", "scripts", "bundle.js")], { cwd: ROOT, stdio: "inherit" });
}
