import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { policies } from "../policies/policies";
import { policyPackServer } from "./helpers/pack";
import { formatDiagnostic, formatGithubAnnotation } from "../src/diagnostics";
import { OfferCache } from "../src/offer/cache";
import { parseOffer } from "../src/offer/load";
import { planStack, planText } from "../src/plan/plan";
import { loadPolicyConfig } from "../src/crossguard/config";
import { loadStack } from "../src/stack/load";
import { markdownCodeSpan, markdownText, MAX_QUOTED_LENGTH, printable, printableLines } from "../src/text";
import { validatePaths } from "../src/validate";
import { readAtMost, readSourceFile, YAML_LIMITS } from "../src/yaml/source";
import { HOSTILE_OFFERS } from "../scripts/hostile-inputs";
import { REPO_ROOT, runCli, tempProject } from "./helpers/project";

const pack = policyPackServer();

/**
 * Files from people an MSP does not fully trust: bounded work, paths confined to the project,
 * output that no value can forge. Timings are the bench's job (`npm run bench`); these tests
 * assert the bounds, the messages and the exit codes.
 */
const at = (text: string) =>
  parseOffer("offer.yaml", text).diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.rule ?? d.message}`);
const FABRIKAM = readFileSync(join(__dirname, "..", "stacks", "Pulumi.fabrikam.yaml"), "utf8");
const loadIn = (root: string, stack = "fabrikam") =>
  loadStack(join(root, "stacks", `Pulumi.${stack}.yaml`), new OfferCache()).diagnostics.map(
    (d) => `${d.line}:${d.column} ${d.severity} ${d.message}`,
  );

describe("bounded work on 1 MiB adversarial files", () => {
  const results = Object.fromEntries(
    Object.entries(HOSTILE_OFFERS).map(([name, make]) => [name, parseOffer("hostile.yaml", make())]),
  );

  it.each(Object.keys(HOSTILE_OFFERS))("%s: refused, with short messages", (name) => {
    const { offer, diagnostics } = results[name];
    expect(offer).toBeUndefined();
    expect(diagnostics.length).toBeGreaterThan(0);
    // No message echoes a long input: quoted values are cut at 200 characters.
    expect(Math.max(...diagnostics.map((d) => d.message.length))).toBeLessThan(400);
  });

  it("the limits are named in the messages", () => {
    const first = (name: string) => results[name].diagnostics[0].message;
    const tooManyTokens = `the file has more than ${YAML_LIMITS.tokens} YAML tokens (keys, values, indentation); files here are far smaller`;
    expect(first("100,000 keys in one map")).toBe(tooManyTokens);
    expect(first("a list of 200,000 scalars")).toBe(tooManyTokens);
    expect(first("unknown keys in thousands of maps")).toBe(tooManyTokens);
    expect(first("nesting 100,000 deep")).toBe("lists and maps are nested far more than 64 deep");
    expect(first("an alias bomb")).toMatch(/^YAML aliases expand too far/);
  });

  it("values per document, keys per map and nesting depth are capped below the token limit", () => {
    const values = `name: x\nmanagedByTenantId: 83ace5cd-bcc3-441a-bd86-e6a75360cecc\nauthorizations: [${"1,".repeat(YAML_LIMITS.nodes)}1]\n`;
    expect(at(values)).toEqual([
      `1:1 error the document has more than ${YAML_LIMITS.nodes} values; files here are far smaller`,
    ]);
    const wide = `name: x\nmanagedByTenantId: 83ace5cd-bcc3-441a-bd86-e6a75360cecc\nauthorizations:\n  - {${Array.from({ length: 1001 }, (_, i) => `k${i}: 1`).join(", ")}}\n`;
    expect(at(wide)).toEqual(["4:5 error this map has 1001 keys; at most 1000 are allowed"]);
    const deep = `name: x\nmanagedByTenantId: 83ace5cd-bcc3-441a-bd86-e6a75360cecc\nauthorizations: ${"[".repeat(70)}${"]".repeat(70)}\n`;
    expect(at(deep)).toEqual(["3:80 error lists and maps are nested more than 64 deep"]);
  });

  it("a 300,000-character role name is quoted in 200 characters and gets no suggestion", () => {
    const message = results["a 300,000-character role name"].diagnostics.find((d) =>
      d.message.startsWith("unknown role"),
    )!.message;
    expect(message).toBe(
      `unknown role '${"Contributor".repeat(20).slice(0, MAX_QUOTED_LENGTH)}…': not an Azure built-in role name`,
    );
  });

  it("thousands of misspelt roles: suggestions are worked out for the first 50 only", () => {
    const unknown = results["thousands of distinct misspelt roles"].diagnostics.filter((d) =>
      d.message.startsWith("unknown role"),
    );
    expect(unknown.length).toBeGreaterThan(10_000);
    expect(unknown.slice(0, 50).filter((d) => d.message.includes("did you mean")).length).toBeGreaterThan(10);
    expect(unknown.slice(50).filter((d) => d.message.includes("did you mean"))).toEqual([]);
  });

  it("reads at most the limit whatever stat says (0 for /proc files): an endless source stops there", () => {
    expect(readAtMost("/dev/zero", YAML_LIMITS.bytes + 1)).toHaveLength(YAML_LIMITS.bytes + 1);
    expect(readSourceFile("/proc/self/pagemap")).toEqual({
      diagnostic: {
        file: "/proc/self/pagemap",
        line: 1,
        column: 1,
        severity: "error",
        message: "cannot read file: EINVAL",
      },
    });
    expect(readSourceFile("/dev/zero")).toEqual({
      diagnostic: { file: "/dev/zero", line: 1, column: 1, severity: "error", message: "not a regular file" },
    });
  });

  it("a source that reports no size is read chunk by chunk, every byte kept, up to the limit (a FIFO fed 200,000 bytes)", () => {
    const fifo = join(mkdtempSync(join(tmpdir(), "lighthouse-fifo-")), "offer.yaml");
    execFileSync("mkfifo", [fifo]);
    // Bytes 0..250 repeating: no 64 KiB chunk equals the next, so a chunk kept by reference shows.
    const pattern = (length: number) => Buffer.from(Array.from({ length }, (_, i) => i % 251));
    const feed = `require("fs").writeFileSync(process.argv[1], Buffer.from(Array.from({ length: 200000 }, (_, i) => i % 251)))`;
    const writer = spawn(process.execPath, ["-e", feed, fifo], { stdio: "ignore" });
    // The reader is a process of its own, with a timeout: opening a FIFO waits for its writer.
    const read = `process.stdout.write(require(process.argv[1]).readAtMost(process.argv[2], 150001))`;
    const reader = spawnSync(process.execPath, ["-e", read, join(REPO_ROOT, "dist/src/yaml/source.js"), fifo], {
      timeout: 30_000,
    });
    writer.kill();
    expect(reader.status).toBe(0);
    expect(reader.stdout.equals(pattern(150_001))).toBe(true);
  });

  it("npm run validate answers a hostile file with exit 1 and one line per problem", () => {
    const root = tempProject({ "offers/hostile.yaml": HOSTILE_OFFERS["100,000 keys in one map"]() });
    const result = runCli("validate", ["offers/hostile.yaml"], root);
    expect(result.stdout).toBe(
      `offers/hostile.yaml:1:1: error: the file has more than ${YAML_LIMITS.tokens} YAML tokens (keys, values, indentation); files here are far smaller\n`,
    );
    expect(result.status).toBe(1);
  });
});

describe("paths stay inside the project", () => {
  it("an offer path with '..', an absolute one, or a link out of the project is refused, quoting nothing of the target", () => {
    const root = tempProject();
    const outside = join(tmpdir(), `outside-${process.pid}.yaml`);
    writeFileSync(outside, "name: SECRET-CONTENT\n");
    symlinkSync(outside, join(root, "offers", "linked.yaml"));
    const stack = FABRIKAM.replace("offers/contoso-escalation.yaml", "../../../../etc/passwd");
    writeFileSync(join(root, "stacks", "Pulumi.a.yaml"), stack);
    writeFileSync(join(root, "stacks", "Pulumi.b.yaml"), FABRIKAM.replace("offers/contoso-escalation.yaml", outside));
    writeFileSync(
      join(root, "stacks", "Pulumi.c.yaml"),
      FABRIKAM.replace("offers/contoso-escalation.yaml", "offers/linked.yaml"),
    );
    expect(loadIn(root, "a")).toEqual([
      "12:14 error '../../../../etc/passwd' leads outside the project (through '..', an absolute path or a symbolic link); files must be inside it",
    ]);
    expect(loadIn(root, "b")).toEqual([
      `12:14 error '${outside}' is an absolute path: name files relative to the project root`,
    ]);
    expect(loadIn(root, "c")).toEqual([
      "12:14 error 'offers/linked.yaml' leads outside the project (through '..', an absolute path or a symbolic link); files must be inside it",
    ]);
  });

  it("one offer file named twice (directly and through a link inside the project) is one offer", () => {
    const root = tempProject();
    symlinkSync(join(root, "offers", "contoso-operations.yaml"), join(root, "offers", "alias.yaml"));
    writeFileSync(
      join(root, "stacks", "Pulumi.fabrikam.yaml"),
      FABRIKAM.replace("offers/contoso-escalation.yaml", "offers/alias.yaml"),
    );
    expect(loadIn(root)).toEqual([
      "12:14 error offer 'offers/alias.yaml' is the same file as entry 0; list all its subscriptions there",
    ]);
  });

  it("directory scans follow links inside the project and report the ones they refuse", () => {
    const root = tempProject();
    const outside = join(tmpdir(), `outside-scan-${process.pid}.yaml`);
    writeFileSync(outside, "name: x\n");
    symlinkSync(outside, join(root, "offers", "out.yaml"));
    symlinkSync(join(root, "offers", "contoso-operations.yaml"), join(root, "offers", "in.yaml"));
    mkdirSync(join(root, "offers", "dir"));
    symlinkSync(join(root, "offers", "dir"), join(root, "offers", "dir.yaml"));
    const cwd = process.cwd();
    process.chdir(root);
    try {
      const report = validatePaths(root, ["offers", "/etc/hostname"]);
      expect(report.diagnostics.map(formatDiagnostic)).toEqual([
        "/etc/hostname:1:1: error: '/etc/hostname' leads outside the project (through '..', an absolute path or a symbolic link); files must be inside it",
        "offers/dir.yaml:1:1: error: symbolic link refused: it does not lead to a file",
        "offers/out.yaml:1:1: error: symbolic link refused: 'offers/out.yaml' leads outside the project (through '..', an absolute path or a symbolic link); files must be inside it",
      ]);
      expect(report.files).toEqual([
        "offers/contoso-escalation.yaml",
        "offers/contoso-operations.yaml",
        "offers/in.yaml",
      ]);
    } finally {
      process.chdir(cwd);
    }
  });

  it.each([
    ["plan", ["--stack", "x/../../elsewhere/victim"]],
    ["adopt", ["--stack", "..", "--write"]],
    ["inventory", ["--stack", "a/b"]],
    ["diff", ["--stack", "../x", "--base", "main"]],
  ])("%s refuses a stack name that is not one file name: exit 2", (command, args) => {
    const result = runCli(command, args);
    expect(result.stderr).toMatch(
      /^error: --stack '.*' is not a stack name \(letters, digits, '\.', '_' and '-'; the file is stacks\/Pulumi\.<name>\.yaml\)\n/,
    );
    expect(result.status).toBe(2);
  });
});

describe("output no value can forge", () => {
  const FORGED = "Tier 1\n::error file=README.md::forged \u001b[31mred";

  it("a line whose first text is a value from outside never starts a workflow command (the runner trims its indentation)", () => {
    expect(
      printableLines([
        "Delegation events since 2026-12-01T00:00:00.000Z: 1 (0 alerts)",
        "  ::warning::forged  added    /subscriptions/x",
        "::add-mask::x",
        "a line with :: inside",
      ]),
    ).toBe(
      [
        "Delegation events since 2026-12-01T00:00:00.000Z: 1 (0 alerts)",
        "›   ::warning::forged  added    /subscriptions/x",
        "› ::add-mask::x",
        "a line with :: inside",
      ].join("\n"),
    );
  });

  it("control characters are shown as escapes in text, and GitHub commands cannot be started", () => {
    expect(printable(FORGED)).toBe("Tier 1\\n::error file=README.md::forged \\u001b[31mred");
    const diagnostic = {
      file: "offers/x.yaml",
      line: 3,
      column: 5,
      severity: "error" as const,
      message: `name ${FORGED}`,
    };
    expect(formatDiagnostic(diagnostic)).toBe(
      "offers/x.yaml:3:5: error: name Tier 1\\n::error file=README.md::forged \\u001b[31mred",
    );
    expect(formatGithubAnnotation(diagnostic)).toBe(
      "::error file=offers/x.yaml,line=3,col=5::name Tier 1\\n::error file=README.md::forged \\u001b[31mred",
    );
  });

  it("Markdown gets values as text, never formatting or HTML", () => {
    expect(markdownText("**Admins** | <img src=x onerror=alert(1)> [link](https://x)")).toBe(
      "\\*\\*Admins\\*\\* \\| \\<img src=x onerror=alert(1)\\> \\[link\\](https://x)",
    );
  });

  it("a git ref in a Markdown heading stays one code span, whatever backticks it holds", () => {
    expect(markdownCodeSpan("origin/main")).toBe("`origin/main`");
    expect(markdownCodeSpan("a`b")).toBe("``a`b``");
    expect(markdownCodeSpan("`x``")).toBe("``` `x`` ```");
  });

  it("the plan prints a display name with an escaped newline on one line", async () => {
    const root = tempProject();
    const offer = join(root, "offers", "contoso-operations.yaml");
    writeFileSync(
      offer,
      readFileSync(offer, "utf8").replace(
        "principalIdDisplayName: Tier 1 Support",
        `principalIdDisplayName: "Tier 1\\n::error file=README.md::forged \\e[31m"`,
      ),
    );
    const text = planText(await planStack(root, "fabrikam", { pack: pack() }));
    expect(text.split("\n").filter((line) => line.includes("forged"))).toEqual([
      "    permanent  Tier 1\\n::error file=README.md::forged \\u001b[31m (f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc): Reader",
      "    permanent  Tier 1\\n::error file=README.md::forged \\u001b[31m (f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc): Reader",
    ]);
  });

  it("raw control characters in YAML are errors (YAML 1.2 forbids them)", () => {
    expect(at("name: a\u001b[31mb\n")).toEqual([
      "1:8 error raw control character U+001B is not allowed in YAML; remove it",
    ]);
    // NEL (U+0085) is one of YAML's own line breaks, not a forbidden character.
    expect(at("name: a\u0085b\n").filter((line) => line.includes("control character"))).toEqual([]);
    expect(at("name: a\u007fb\n")).toEqual([
      "1:8 error raw control character U+007F is not allowed in YAML; remove it",
    ]);
  });
});

describe("config files", () => {
  const policyConfig = (text: string) => {
    const root = tempProject({ "config.json": text });
    return loadPolicyConfig(join(root, "config.json"), policies).diagnostics.map(
      (d) => `${d.line}:${d.column} ${d.message}`,
    );
  };

  it.each([
    [
      "null",
      "null",
      ["1:1 the file must be a map of keys, found an empty value: give a value after the ':' or leave the key out"],
    ],
    [
      "a string allow-list",
      `{"lighthouse-allowed-roles": {"allowedRoles": "Reader"}}`,
      [
        "1:47 allowedRoles must be a list, found the string 'Reader': write a list, one '- ' line per entry (or [a, b])",
      ],
    ],
    [
      "an enforcement level in another case",
      `{"lighthouse-allowed-roles": {"enforcementLevel": "Mandatory"}}`,
      [
        "1:51 enforcementLevel must be one of advisory, mandatory, remediate, disabled, found 'Mandatory'; did you mean 'mandatory'?",
      ],
    ],
    [
      "a misspelt policy",
      `{"lighthouse-allowed-role": {"allowedRoles": ["Reader"]}}`,
      ["1:2 unknown policy 'lighthouse-allowed-role'; did you mean 'lighthouse-allowed-roles'?"],
    ],
    [
      "a misspelt key",
      `{"lighthouse-allowed-roles": {"allowedroles": ["Reader"]}}`,
      ["1:31 unknown key 'allowedroles'; did you mean 'allowedRoles'?"],
    ],
    [
      "an unknown role",
      `{"lighthouse-allowed-roles": {"allowedRoles": ["Reeder"]}}`,
      ["1:48 unknown role 'Reeder': not an Azure built-in role name; did you mean 'Reader'?"],
    ],
    [
      "a tenant that is no GUID",
      `{"lighthouse-allowed-managing-tenants": {"allowedManagingTenantIds": ["contoso"]}}`,
      ["1:71 'contoso' is not a GUID (expected 8-4-4-4-12 hex digits)"],
    ],
  ])("%s is a located error", (_name, text, expected) => {
    expect(policyConfig(text)).toEqual(expected);
  });

  it("the shipped allow-lists are valid", () => {
    expect(loadPolicyConfig(join(__dirname, "..", "policies", "policy-config.json"), policies)).toMatchObject({
      diagnostics: [],
    });
  });

  it("npm run plan exits 2 on a broken policy config, printing where", () => {
    const root = tempProject({ "config.json": `{"lighthouse-allowed-roles": {"enforcementLevel": "Mandatory"}}` });
    const result = runCli("plan", ["--stack", "fabrikam", "--policy-config", "config.json"], root);
    expect(result.stderr).toBe(
      "config.json:1:51: error: enforcementLevel must be one of advisory, mandatory, remediate, disabled, found 'Mandatory'; did you mean 'mandatory'?\n",
    );
    expect(result.status).toBe(2);
  });
});

describe("smaller holes", () => {
  it("__proto__ cannot arrive through an alias key", () => {
    expect(at("a: &k __proto__\n*k : {polluted: true}\n")).toEqual([
      "2:1 error a key must be a plain value, not an alias, a list or a map",
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("a lighthouse key in another case is an error, not ignored", () => {
    const root = tempProject({
      "stacks/Pulumi.fabrikam.yaml": FABRIKAM.replace("lighthouse:identities:", "Lighthouse:identities:"),
    });
    expect(loadIn(root)).toEqual([
      "16:3 error unknown config key 'Lighthouse:identities'; did you mean 'lighthouse:identities'?",
    ]);
  });

  it("a scope with '..' segments is refused before any containment check", () => {
    const root = tempProject({
      "stacks/Pulumi.fabrikam.yaml": FABRIKAM.replace(
        "scope: /subscriptions/0afefe50-734e-4610-8a82-a144a2f49dea/resourceGroups/rg-app",
        "scope: /subscriptions/0afefe50-734e-4610-8a82-a144a2f49dea/resourceGroups/rg-app/../rg-other",
      ),
    });
    expect(loadIn(root)).toEqual([
      "30:18 error '/subscriptions/0afefe50-734e-4610-8a82-a144a2f49dea/resourceGroups/rg-app/../rg-other' has '.' or '..' segments: write the scope as a plain ARM id",
    ]);
  });

  it("export --out below /proc fails at once with a plain message", () => {
    const result = runCli("export", ["arm", "--offer", "offers/contoso-operations.yaml", "--out", "/proc/nope"]);
    expect(result).toMatchObject({ status: 1, stderr: "error: cannot mkdir /proc/nope: ENOENT\n" });
  });
});
