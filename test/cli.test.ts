import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { documentationFiles } from "../src/cli/docs";
import { COMMANDS } from "../src/cli/definitions";
import { REPO_ROOT, runCli } from "./helpers/project";

/**
 * One `lighthouse` entry for every command, its help and the documentation's command tables all
 * made from one definition per command (src/cli/definitions.ts).
 */
const scripts = (
  JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
).scripts;

describe("lighthouse", () => {
  it("has a definition for every command npm runs, and none more", () => {
    const commandScripts = Object.entries(scripts)
      .filter(([, line]) => /dist\/(src\/cli\/|commands\/validate|scripts\/fake-arm)/.test(line))
      .map(([name]) => name)
      .filter((name) => name !== "lighthouse");
    expect(Object.keys(COMMANDS).sort()).toEqual(commandScripts.sort());
  });

  it("lists every command with its line, and says how to get more", () => {
    const result = runCli("lighthouse", ["--help"]);
    expect(result.status).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines.slice(0, 5)).toEqual([
      "usage: lighthouse <command> [flags]      (or: npm run <command> -- [flags])",
      "",
      "Azure Lighthouse onboarding as code: validated YAML offers, one Pulumi stack per customer.",
      "",
      "Commands:",
    ]);
    expect(lines.slice(5, -3).map((line) => line.trim().split(/\s{2,}/)[0])).toEqual([
      "validate",
      "plan",
      "diff",
      "matrix",
      "affected",
      "inventory",
      "adopt",
      "export",
      "import",
      "preflight",
      "events",
      "offboard",
      "roles",
      "oidc-token",
      "fake-arm",
    ]);
    expect(lines.slice(-3)).toEqual(["", "lighthouse <command> --help shows a command's flags and exit codes.", ""]);
  });

  it("runs a command with its flags, exit codes and help as npm run does", () => {
    expect(runCli("lighthouse", ["validate", "--help"])).toEqual(runCli("validate", ["--help"]));
    expect(runCli("lighthouse", ["validate", "offers/"])).toEqual(runCli("validate", ["offers/"]));
    const wrong = runCli("lighthouse", ["validate", "--formt", "json"]);
    expect(wrong.status).toBe(2);
    expect(wrong).toEqual(runCli("validate", ["--formt", "json"]));
  });

  it("an unknown command is a usage error with the nearest name", () => {
    const result = runCli("lighthouse", ["valdate"]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.split("\n").slice(0, 3)).toEqual([
      "error: unknown command 'valdate'; did you mean 'validate'?",
      "",
      "usage: lighthouse <command> [flags]      (or: npm run <command> -- [flags])",
    ]);
  });

  it("--version is the package's", () => {
    expect(runCli("lighthouse", ["--version"])).toMatchObject({ status: 0, stdout: "0.1.0\n" });
  });
});

describe("the documentation's command tables", () => {
  it.each(documentationFiles().map((entry) => [entry.file, entry] as const))(
    "%s matches the commands' definitions (npm run docs rewrites it)",
    (_file, { expected, actual }) => {
      expect(actual).toBe(expected);
    },
  );
});
