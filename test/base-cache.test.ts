import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BaseAccessCache, codeFingerprint } from "../src/plan/baseCache";
import type { StackState } from "../src/plan/plan";

const BASE = "0123456789abcdef0123456789abcdef01234567";
const access: StackState = { customer: "Fabrikam", state: [] };
const project = () => mkdtempSync(join(tmpdir(), "base-cache-"));
const entries = (root: string) => readdirSync(join(root, "node_modules", ".cache", "lighthouse-diff"));

describe("the base revision's access cache", () => {
  it("keeps one file per base commit and stack under node_modules/.cache/lighthouse-diff, and gives back what was set", () => {
    const root = project();
    const cache = new BaseAccessCache(root, BASE);
    expect(cache.get("fabrikam")).toBeUndefined();
    cache.set("fabrikam", access);
    expect(entries(root)).toEqual([expect.stringMatching(/^[0-9a-f]{64}\.json$/)]);
    expect(
      JSON.parse(readFileSync(join(root, "node_modules", ".cache", "lighthouse-diff", entries(root)[0]), "utf8")),
    ).toEqual(access);
    expect(cache.get("fabrikam")).toEqual(access);
    expect(new BaseAccessCache(root, BASE).get("fabrikam")).toEqual(access);
  });

  it("misses for another stack or another base commit, each its own entry", () => {
    const root = project();
    new BaseAccessCache(root, BASE).set("fabrikam", access);
    expect(new BaseAccessCache(root, BASE).get("northwind")).toBeUndefined();
    expect(new BaseAccessCache(root, "f".repeat(40)).get("fabrikam")).toBeUndefined();
    new BaseAccessCache(root, BASE).set("northwind", { state: [] });
    new BaseAccessCache(root, "f".repeat(40)).set("fabrikam", access);
    expect(entries(root)).toHaveLength(3);
    expect(new BaseAccessCache(root, BASE).get("northwind")).toEqual({ state: [] });
  });

  it("plans again when an entry is unreadable, and only costs time when it cannot write", () => {
    const root = project();
    const cache = new BaseAccessCache(root, BASE);
    cache.set("fabrikam", access);
    writeFileSync(join(root, "node_modules", ".cache", "lighthouse-diff", entries(root)[0]), "{ not json");
    expect(cache.get("fabrikam")).toBeUndefined();
    const blocked = project();
    writeFileSync(join(blocked, "node_modules"), "a file where the cache folder would go");
    expect(() => new BaseAccessCache(blocked, BASE).set("fabrikam", access)).not.toThrow();
    expect(new BaseAccessCache(blocked, BASE).get("fabrikam")).toBeUndefined();
  });
});

/** A toolkit tree of its own: code in src/, components/ and policies/, the role data, the lock file, and prose. */
function toolkit(change: (root: string) => void = () => {}): string {
  const root = mkdtempSync(join(tmpdir(), "toolkit-"));
  const files: Record<string, string> = {
    "src/plan.js": "plan",
    "src/roles/builtin-roles.json": "roles",
    "components/lighthouseDelegation.ts": "component",
    "app/program.ts": "program",
    "policies/policies.js": "policies",
    "package-lock.json": "lock",
    "src/NOTES.md": "prose",
    "README.md": "prose",
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(root, file, ".."), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  change(root);
  return root;
}
const fingerprintOf = (root: string) => codeFingerprint(root, root);
const edit = (file: string, text: string) => (root: string) => writeFileSync(join(root, file), text);

describe("the code fingerprint in the cache key", () => {
  const unchanged = fingerprintOf(toolkit());

  it("is the same for the same code, whatever the prose says", () => {
    expect(fingerprintOf(toolkit())).toBe(unchanged);
    expect(fingerprintOf(toolkit(edit("README.md", "other prose")))).toBe(unchanged);
    expect(fingerprintOf(toolkit(edit("src/NOTES.md", "other prose")))).toBe(unchanged);
  });

  it.each([
    ["a program file", edit("src/plan.js", "plan 2")],
    ["a component", edit("components/lighthouseDelegation.ts", "component 2")],
    ["the stack program", edit("app/program.ts", "program 2")],
    ["a policy", edit("policies/policies.js", "policies 2")],
    ["the role data", edit("src/roles/builtin-roles.json", "roles 2")],
    ["the lock file", edit("package-lock.json", "lock 2")],
    ["a new code file", edit("src/more.ts", "more")],
    ["a renamed code file", (root: string) => renameSync(join(root, "src", "plan.js"), join(root, "src", "plan2.js"))],
  ])("changes with %s", (_what, change) => {
    expect(fingerprintOf(toolkit(change))).not.toBe(unchanged);
  });

  it("keys the cache: another code fingerprint is another entry", () => {
    const root = project();
    new BaseAccessCache(root, BASE, () => "code-1").set("fabrikam", access);
    expect(new BaseAccessCache(root, BASE, () => "code-2").get("fabrikam")).toBeUndefined();
    expect(new BaseAccessCache(root, BASE, () => "code-1").get("fabrikam")).toEqual(access);
  });
});
