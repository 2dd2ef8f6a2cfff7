import { existsSync, lstatSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { TOOLKIT_SOURCES } from "./paths";

/**
 * Whether the compiled toolkit (dist/) is older than its sources. `pulumi up` runs the TypeScript
 * sources (Pulumi.yaml's main, through ts-node), while the commands run dist/: a checkout that
 * pulled new code without `npm run build` would plan one program and deploy another. The build's
 * last step (scripts/bundle.ts) writes {@link BUILD_STAMP}; a source newer than it is a stale build.
 */

/** Written by the build, in dist/. */
export const BUILD_STAMP = "build-stamp";

/** The first source newer than the build in `toolkitRoot` (relative to it), or undefined; undefined too when there is no build or no source. */
export function newerSource(toolkitRoot: string): string | undefined {
  const stamp = join(toolkitRoot, "dist", BUILD_STAMP);
  if (!existsSync(stamp)) return undefined;
  const built = statSync(stamp).mtimeMs;
  // lstat: a link is not followed, so a link loop cannot make the walk endless.
  const walk = (path: string): string | undefined => {
    if (!existsSync(path)) return undefined;
    const stat = lstatSync(path);
    if (!stat.isDirectory()) return /\.(ts|json)$/.test(path) && stat.mtimeMs > built ? path : undefined;
    for (const entry of readdirSync(path).sort()) {
      const found = walk(join(path, entry));
      if (found) return found;
    }
    return undefined;
  };
  for (const source of TOOLKIT_SOURCES) {
    const found = walk(join(toolkitRoot, source));
    if (found) return relative(toolkitRoot, found);
  }
  return undefined;
}
