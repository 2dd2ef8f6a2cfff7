import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "./helpers/project";

/**
 * The toolkit as other programs install it: `npm pack` (the files package.json publishes), the
 * tarball unpacked into a separate project's node_modules beside links to the dependencies it
 * declares (and nothing else), a consumer program in TypeScript compiled against the packed
 * declarations, run under Pulumi's own mocks (`pulumi.runtime.setMocks`), as pulumi-awsx tests
 * its components. Literal GUIDs come from the independent generator (test/fixtures/deployed).
 */
const FABRIKAM_SUB = "0afefe50-734e-4610-8a82-a144a2f49dea";
const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";

const CONSUMER = `import * as pulumi from "@pulumi/pulumi";
import { LighthouseDelegation, ManagedIdentity, loadOffer, formatDiagnostic } from "lighthouse-pulumi";

const registered: Array<{ type: string; name: string; inputs: Record<string, unknown> }> = [];
pulumi.runtime.setMocks(
  {
    newResource: (resource) => {
      registered.push({ type: resource.type, name: resource.name, inputs: resource.inputs });
      return { id: resource.name + "-id", state: { ...resource.inputs, principalId: "00000000-0000-4000-8000-00000000000a" } };
    },
    call: (call) => call.inputs,
  },
  "consumer",
  "dev",
);
const importedAlone = registered.length;

const loaded = loadOffer("offer.yaml");
if (!loaded.offer) throw new Error(loaded.diagnostics.map(formatDiagnostic).join("\\n"));
new LighthouseDelegation("operations", { offer: loaded.offer, subscriptionId: "${FABRIKAM_SUB}" });
// Values from elsewhere in the consumer's program: Outputs where the component passes them through.
const region = pulumi.output("westeurope");
new ManagedIdentity("automation", {
  identityName: "id-contoso-automation",
  subscriptionId: "${FABRIKAM_SUB}",
  resourceGroupName: "rg-automation",
  location: region,
  tags: pulumi.output({ owner: pulumi.output("platform") }),
  federatedCredentials: [
    {
      name: "github-production",
      issuer: pulumi.output("https://token.actions.githubusercontent.com"),
      subject: pulumi.interpolate\`repo:contoso/ops:environment:\${pulumi.output("production")}\`,
    },
  ],
  roleAssignments: [{ roleDefinitionId: "${READER}", scope: "/subscriptions/${FABRIKAM_SUB}", description: pulumi.output("reads") }],
});
const refusals: string[] = [];
for (const [argument, value] of [
  ["resourceGroupName", pulumi.output("rg-automation")],
  ["resourceGroupName", \`\${pulumi.output("rg-automation")}\`],
  ["identityName", pulumi.output("id-x")],
] as const) {
  try {
    new ManagedIdentity("refused-" + refusals.length, {
      identityName: "id-y",
      subscriptionId: "${FABRIKAM_SUB}",
      resourceGroupName: "rg-y",
      location: "westeurope",
      [argument]: value as unknown as string,
    });
    refusals.push("accepted");
  } catch (error) {
    refusals.push((error as Error).message);
  }
}
let printed = false;
process.on("beforeExit", () => {
  if (printed) return;
  printed = true;
  process.stdout.write(JSON.stringify({ importedAlone, registered, refusals }));
});
`;

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/** The packed package in a fresh project, its declared dependencies linked from this repository's install. */
function consumerProject(): string {
  const root = mkdtempSync(join(tmpdir(), "lighthouse-consumer-"));
  const tarball = execFileSync("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", root], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  }).trim();
  const installed = join(root, "node_modules", "lighthouse-pulumi");
  mkdirSync(installed, { recursive: true });
  execFileSync("tar", ["-xzf", join(root, tarball), "-C", installed, "--strip-components=1"]);
  const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };
  for (const dependency of Object.keys(manifest.dependencies)) {
    mkdirSync(dirname(join(root, "node_modules", dependency)), { recursive: true });
    symlinkSync(join(REPO_ROOT, "node_modules", dependency), join(root, "node_modules", dependency), "dir");
  }
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: "consumer", private: true }));
  writeFileSync(
    join(root, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "commonjs",
        strict: true,
        outDir: "bin",
        types: [],
        skipLibCheck: true,
      },
      files: ["index.ts"],
    }),
  );
  writeFileSync(join(root, "index.ts"), CONSUMER);
  cpSync(join(REPO_ROOT, "offers", "contoso-operations.yaml"), join(root, "offer.yaml"));
  return root;
}

describe("the package, installed by another program", () => {
  let root: string;
  let result: { importedAlone: number; registered: Registered[]; refusals: string[] };

  beforeAll(() => {
    root = consumerProject();
    // Compiled against the packed declarations: Inputs are accepted where the types say so.
    execFileSync(process.execPath, [join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", root], {
      cwd: root,
      encoding: "utf8",
    });
    const run = spawnSync(process.execPath, [join(root, "bin", "index.js")], { cwd: root, encoding: "utf8" });
    expect(run.stderr).toBe("");
    result = JSON.parse(run.stdout);
  }, 120_000);

  it("publishes compiled code, declarations and data: no TypeScript source, no tests, no example stacks", () => {
    const listed = readdirSync(join(root, "node_modules", "lighthouse-pulumi"), { recursive: true }).map(String);
    expect(
      listed.filter(
        (file) =>
          (file.endsWith(".ts") && !file.endsWith(".d.ts")) ||
          /^(app|test|scripts|stacks|offers|components|src\/(?!roles(\/builtin-roles\.json)?$))/.test(file) ||
          file.endsWith(".tsbuildinfo"),
      ),
    ).toEqual([]);
    expect(listed.filter((file) => file.startsWith("dist/components/")).sort()).toEqual(
      [
        "index",
        "lighthouseDelegation",
        "managedIdentity",
        "managementGroupDelegation",
        "plainArguments",
        "roleAssignments",
        "systemAssignedIdentityAccess",
      ]
        .flatMap((module) => [`dist/components/${module}.d.ts`, `dist/components/${module}.js`])
        .sort(),
    );
    expect(listed).toEqual(
      expect.arrayContaining([
        "src/roles/builtin-roles.json",
        "package.json",
        "README.md",
        "dist/src/cli/lighthouse.js",
      ]),
    );
  });

  it("its lighthouse command runs where it is installed, on the installing project's files", () => {
    writeFileSync(join(root, "Pulumi.yaml"), "name: consumer\nruntime: nodejs\n");
    const lighthouse = join(root, "node_modules", "lighthouse-pulumi", "dist", "src", "cli", "lighthouse.js");
    const run = (args: string[]) => spawnSync(process.execPath, [lighthouse, ...args], { cwd: root, encoding: "utf8" });
    const help = run(["--help"]);
    expect([help.status, help.stdout.split("\n")[0]]).toEqual([
      0,
      "usage: lighthouse <command> [flags]      (or: npm run <command> -- [flags])",
    ]);
    expect(run(["validate", "offer.yaml"])).toMatchObject({
      status: 0,
      stdout: "",
      stderr: "1 file(s) checked: 0 error(s), 0 warning(s)\n",
    });
  });

  it("declares nothing when imported", () => {
    expect(result.importedAlone).toBe(0);
  });

  it("registers the delegation under the toolkit's GUIDs and the identity with its Inputs resolved", () => {
    const inputs = (type: string) =>
      result.registered.filter((resource) => resource.type === type).map((resource) => resource.inputs);
    expect(
      inputs("azure-native:managedservices:RegistrationDefinition").map((definition) => [
        definition.scope,
        definition.registrationDefinitionId,
      ]),
    ).toEqual([[`/subscriptions/${FABRIKAM_SUB}`, "2370eb03-671f-565d-8fcd-c1bc9e0fe4b8"]]);
    expect(
      inputs("azure-native:managedservices:RegistrationAssignment").map(
        (assignment) => assignment.registrationAssignmentId,
      ),
    ).toEqual(["90d73afe-e48b-550b-93fa-a0677ff1cf9d"]);
    expect(inputs("azure-native:managedidentity:UserAssignedIdentity")).toEqual([
      {
        resourceName: "id-contoso-automation",
        resourceGroupName: "rg-automation",
        location: "westeurope",
        tags: { owner: "platform" },
      },
    ]);
    expect(inputs("azure-native:managedidentity:FederatedIdentityCredential")).toEqual([
      {
        resourceGroupName: "rg-automation",
        resourceName: "id-contoso-automation",
        federatedIdentityCredentialResourceName: "github-production",
        issuer: "https://token.actions.githubusercontent.com",
        subject: "repo:contoso/ops:environment:production",
        audiences: ["api://AzureADTokenExchange"],
      },
    ]);
    expect(inputs("azure-native:authorization:RoleAssignment")).toEqual([
      {
        scope: `/subscriptions/${FABRIKAM_SUB}`,
        // The same identity, role and scope as test/identity-program.test.ts: Python's uuid5.
        roleAssignmentName: "73e417ed-3088-50d8-b914-a595d848909a",
        roleDefinitionId: `/subscriptions/${FABRIKAM_SUB}/providers/Microsoft.Authorization/roleDefinitions/${READER}`,
        principalId: "00000000-0000-4000-8000-00000000000a",
        principalType: "ServicePrincipal",
        description: "reads",
      },
    ]);
  });

  it("refuses an Output where a value decides names, naming the argument", () => {
    const refusal = (component: string, argument: string, what: string) =>
      `ManagedIdentity ${component}: ${argument} must be a plain value, not an Output (nor a string made from one): it decides ${what}, which Pulumi must know before deploying`;
    expect(result.refusals).toEqual([
      refusal(
        "refused-0",
        "resourceGroupName",
        "the identity's resource id, from which its role assignments' GUIDs are computed",
      ),
      refusal(
        "refused-1",
        "resourceGroupName",
        "the identity's resource id, from which its role assignments' GUIDs are computed",
      ),
      refusal("refused-2", "identityName", "the identity's name and resource id"),
    ]);
  });
});
