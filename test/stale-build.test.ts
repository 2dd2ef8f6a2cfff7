import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { newerSource } from "../src/project/build";
import { REPO_ROOT } from "./helpers/project";

/**
 * The commands run dist/, pulumi up runs the TypeScript sources: a build older than a source
 * would plan one program and deploy another, so every command refuses it.
 */
const at = (seconds: number) => new Date(seconds * 1000);

describe("a stale build", () => {
  it("is the first source newer than dist/build-stamp; none without a stamp", () => {
    const root = mkdtempSync(join(tmpdir(), "stale-"));
    mkdirSync(join(root, "app"));
    mkdirSync(join(root, "src", "roles"), { recursive: true });
    writeFileSync(join(root, "app", "program.ts"), "");
    writeFileSync(join(root, "src", "roles", "builtin-roles.json"), "{}");
    expect(newerSource(root)).toBeUndefined();
    mkdirSync(join(root, "dist"));
    writeFileSync(join(root, "dist", "build-stamp"), "");
    utimesSync(join(root, "dist", "build-stamp"), at(2000), at(2000));
    utimesSync(join(root, "app", "program.ts"), at(1000), at(1000));
    utimesSync(join(root, "src", "roles", "builtin-roles.json"), at(1000), at(1000));
    expect(newerSource(root)).toBeUndefined();
    utimesSync(join(root, "src", "roles", "builtin-roles.json"), at(3000), at(3000));
    expect(newerSource(root)).toBe(join("src", "roles", "builtin-roles.json"));
  });

  it("makes a command refuse with what to run, before doing anything (exit 2)", () => {
    const root = mkdtempSync(join(tmpdir(), "stale-toolkit-"));
    for (const item of [
      "package.json",
      "dist",
      "src",
      "app",
      "components",
      "policies",
      "index.ts",
      "Pulumi.yaml",
      "offers",
      "stacks",
    ])
      cpSync(join(REPO_ROOT, item), join(root, item), { recursive: true, preserveTimestamps: true });
    symlinkSync(join(REPO_ROOT, "node_modules"), join(root, "node_modules"), "dir");
    const plan = () =>
      spawnSync(process.execPath, [join(root, "dist", "src", "cli", "plan.js"), "--stack", "northwind"], {
        cwd: root,
        encoding: "utf8",
      });
    expect(plan().status).toBe(0);
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(root, "app", "program.ts"), later, later);
    expect(plan()).toMatchObject({
      status: 2,
      stdout: "",
      stderr: "error: the toolkit's compiled code (dist/) is older than app/program.ts: run npm run build\n",
    });
  });
});
