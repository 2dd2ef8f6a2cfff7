import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { policies, resourcePolicies, stackPolicies } from "../policies/policies";
import type { RegisteredResource } from "../src/offline";
import { dirname, join } from "node:path";
import { PolicyPackError, PolicyPackServer, type PolicyPackConfig } from "../src/crossguard/analyzer";
import { policyPackServer } from "./helpers/pack";
import { REPO_ROOT } from "./helpers/project";
import { RULES } from "../src/rules/table";

const SUB = "0afefe50-734e-4610-8a82-a144a2f49dea";
const MSP = "83ace5cd-bcc3-441a-bd86-e6a75360cecc";
const GUID = "2370eb03-671f-565d-8fcd-c1bc9e0fe4b8";
const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const DELETE_ROLE = "91c1777a-f3dc-4fae-b103-61d183457e46";
const UAA = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9";
const OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
const CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c";

const resource = (
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  extra: Partial<RegisteredResource> = {},
): RegisteredResource => ({
  type,
  name,
  urn: `urn:pulumi:test::lighthouse::${type}::${name}`,
  inputs,
  // What the offline run records as Azure's answer: the inputs (AnalyzeStack sees outputs).
  outputs: inputs,
  custom: true,
  dependencies: [],
  deleteBeforeReplace: false,
  aliases: [],
  aliasSpecs: [],
  propertyDependencies: {},
  replaceWith: [],
  id: "",
  ...extra,
});

const group = (id: string, roleDefinitionId: string, extra: Record<string, unknown> = {}) => ({
  principalId: id,
  principalIdDisplayName: "Group",
  roleDefinitionId,
  ...extra,
});
const cleanAuthorizations = [
  group("f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc", READER),
  group("5d7e9f10-2b3c-4d5e-9f60-718293a4b5c6", DELETE_ROLE),
];

const definition = (
  properties: Record<string, unknown> = {},
  name = "def",
  scope = `/subscriptions/${SUB}`,
  extra: Partial<RegisteredResource> = {},
) =>
  resource(
    "azure-native:managedservices:RegistrationDefinition",
    name,
    {
      scope,
      registrationDefinitionId: GUID,
      properties: {
        registrationDefinitionName: "Offer",
        managedByTenantId: MSP,
        authorizations: cleanAuthorizations,
        ...properties,
      },
    },
    extra,
  );
const assignment = (definitionId: string, scope = `/subscriptions/${SUB}`, name = "assign") =>
  resource("azure-native:managedservices:RegistrationAssignment", name, {
    scope,
    registrationAssignmentId: "x",
    properties: { registrationDefinitionId: definitionId },
  });
const definitionId = (subscription = SUB) =>
  `/subscriptions/${subscription}/providers/Microsoft.ManagedServices/registrationDefinitions/${GUID}`;
const roleAssignment = (inputs: Record<string, unknown>) =>
  resource("azure-native:authorization:RoleAssignment", "ra", {
    scope: `/subscriptions/${SUB}`,
    roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${CONTRIBUTOR}`,
    principalId: "11111111-1111-4111-8111-111111111111",
    principalType: "ServicePrincipal",
    ...inputs,
  });
const credential = (name: string, inputs: Record<string, unknown> = {}) =>
  resource("azure-native:managedidentity:FederatedIdentityCredential", name, {
    resourceGroupName: "rg",
    resourceName: "mi",
    federatedIdentityCredentialResourceName: name,
    issuer: "https://token.actions.githubusercontent.com",
    subject: `repo:o/r:${name}`,
    audiences: ["api://AzureADTokenExchange"],
    ...inputs,
  });

const pack = policyPackServer();

/** What the pack, served by CrossGuard, reports for one policy. */
async function violationsOf(policy: string, resources: RegisteredResource[], config: PolicyPackConfig = {}) {
  expect(
    policies.map((candidate) => candidate.name),
    `policy ${policy} exists`,
  ).toContain(policy);
  return (await (await pack()).analyze(resources, config))
    .filter((violation) => violation.policy === policy)
    .map((violation) => violation.message);
}

const clean = [definition(), assignment(definitionId())];

/** Each policy: resources that violate it (with what the message says), and the clean stack passes. */
const cases: Array<[string, RegisteredResource[], RegExp, PolicyPackConfig?]> = [
  ["lighthouse-authorization-required", [definition({ authorizations: [] })], /at least one permanent authorization/],
  [
    "lighthouse-role-not-supported",
    [definition({ authorizations: [...cleanAuthorizations, group("0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7", OWNER)] })],
    /properties\.authorizations\.2\.roleDefinitionId: Owner cannot be used/,
  ],
  [
    "lighthouse-role-not-built-in",
    [
      definition({
        authorizations: [
          ...cleanAuthorizations,
          group("0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7", "11111111-2222-4333-8444-555555555555"),
        ],
      }),
    ],
    /not an Azure built-in role/,
  ],
  [
    "lighthouse-uaa-requires-delegated-roles",
    [definition({ authorizations: [...cleanAuthorizations, group("0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7", UAA)] })],
    /only with delegatedRoles/,
  ],
  [
    "lighthouse-delegated-role-not-allowed",
    [
      definition({
        authorizations: [
          ...cleanAuthorizations,
          group("0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7", UAA, { delegatedRoleDefinitionIds: [OWNER] }),
        ],
      }),
    ],
    /Owner cannot be a delegated role/,
  ],
  [
    "lighthouse-delegated-roles-only-on-uaa",
    [
      definition({
        authorizations: [
          group("f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc", READER, { delegatedRoleDefinitionIds: [CONTRIBUTOR] }),
          cleanAuthorizations[1],
        ],
      }),
    ],
    /only valid with User Access Administrator/,
  ],
  [
    "lighthouse-eligible-role-not-allowed",
    [definition({ eligibleAuthorizations: [group("f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc", UAA)] })],
    /cannot be an eligible authorization/,
  ],
  // Principal kinds are not API fields: flagged when a resource states them (offer files do).
  [
    "lighthouse-eligible-principal-type",
    [
      definition({
        eligibleAuthorizations: [
          group("f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc", CONTRIBUTOR, {
            principalType: "ServicePrincipal",
            justInTimeAccessPolicy: {},
          }),
        ],
      }),
    ],
    /properties\.eligibleAuthorizations\.0\.principalId: .* is a service principal/,
  ],
  [
    "lighthouse-jit-duration",
    [
      definition({
        eligibleAuthorizations: [
          group("f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc", CONTRIBUTOR, {
            justInTimeAccessPolicy: { multiFactorAuthProvider: "Azure", maximumActivationDuration: "PT12H" },
          }),
        ],
      }),
    ],
    /PT12H is outside PT30M to PT8H/,
  ],
  [
    "lighthouse-jit-approvers",
    [
      definition({
        eligibleAuthorizations: [
          group("f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc", CONTRIBUTOR, {
            justInTimeAccessPolicy: {
              multiFactorAuthProvider: "Azure",
              managedByTenantApprovers: Array.from({ length: 11 }, (_, i) => ({
                principalId: `d9b22cd6-6407-43cc-8c60-07c56df0b5${10 + i}`,
              })),
            },
          }),
        ],
      }),
    ],
    /11 approvers/,
  ],
  [
    "lighthouse-jit-policy-consistent",
    [
      definition({
        eligibleAuthorizations: [
          group("f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc", CONTRIBUTOR, {
            justInTimeAccessPolicy: { multiFactorAuthProvider: "Azure" },
          }),
          group("5d7e9f10-2b3c-4d5e-9f60-718293a4b5c6", CONTRIBUTOR, {
            justInTimeAccessPolicy: { multiFactorAuthProvider: "None" },
          }),
        ],
      }),
    ],
    /must share one justInTimeAccessPolicy/,
  ],
  [
    "lighthouse-managing-tenant-placeholder",
    [definition({ managedByTenantId: "00000000-0000-0000-0000-000000000000" })],
    /^properties\.managedByTenantId: managedByTenantId is the nil GUID/,
  ],
  [
    "lighthouse-delegated-roles-empty",
    [
      definition({
        authorizations: [
          group("f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc", READER, { delegatedRoleDefinitionIds: [] }),
          cleanAuthorizations[1],
        ],
      }),
    ],
    /^properties\.authorizations\.0\.delegatedRoleDefinitionIds: delegatedRoles is empty/,
  ],
  [
    "lighthouse-principal-placeholder",
    [definition({ authorizations: [group("00000000-0000-0000-0000-000000000000", READER), cleanAuthorizations[1]] })],
    /^properties\.authorizations\.0\.principalId: authorization principalId is the nil GUID/,
  ],
  [
    "lighthouse-display-name-recommended",
    [
      definition({
        authorizations: [
          { principalId: "f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc", roleDefinitionId: READER },
          cleanAuthorizations[1],
        ],
      }),
    ],
    /^properties\.authorizations\.0\.principalId: authorization f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc has no principalIdDisplayName/,
  ],
  [
    "lighthouse-approver-is-eligible-principal",
    [
      definition({
        eligibleAuthorizations: [
          group("f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc", CONTRIBUTOR, {
            justInTimeAccessPolicy: {
              multiFactorAuthProvider: "Azure",
              managedByTenantApprovers: [
                { principalId: "F98D86A2-4CC4-4E9D-AD47-B3E80A1BCDFC", principalIdDisplayName: "Self" },
              ],
            },
          }),
        ],
      }),
    ],
    /^properties\.eligibleAuthorizations\.0\.justInTimeAccessPolicy\.managedByTenantApprovers\.0\.principalId: approver 'Self' \(F98D86A2-4CC4-4E9D-AD47-B3E80A1BCDFC\) is the eligible principal itself/,
  ],
  [
    "lighthouse-duplicate-authorization",
    [definition({ authorizations: [...cleanAuthorizations, cleanAuthorizations[0]] })],
    /already has Reader/,
  ],
  [
    "lighthouse-marketplace-plan-limit",
    [
      resource("azure-native:managedservices:RegistrationDefinition", "def", {
        ...definition().inputs,
        plan: { name: "p" },
        properties: {
          managedByTenantId: MSP,
          authorizations: Array.from({ length: 21 }, (_, i) =>
            group(`f98d86a2-4cc4-4e9d-ad47-b3e80a1bcd${10 + i}`, READER),
          ),
        },
      }),
    ],
    /at most 20 authorizations/,
  ],
  ["lighthouse-recommend-delete-role", [definition({ authorizations: [cleanAuthorizations[0]] })], /Delete Role/],
  [
    "lighthouse-eligible-without-permanent",
    [
      definition({
        eligibleAuthorizations: [
          group("0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7", CONTRIBUTOR, {
            justInTimeAccessPolicy: { multiFactorAuthProvider: "None" },
          }),
        ],
      }),
    ],
    /has no permanent authorization/,
  ],
  [
    "lighthouse-managing-tenant-is-customer",
    [
      // A provider is registered before the resources that use it.
      resource("pulumi:providers:azure-native", "p", { tenantId: MSP, subscriptionId: SUB }),
      definition({}, "def", `/subscriptions/${SUB}`, { providerName: "p" }),
    ],
    /is the customer's own tenant/,
  ],
  ["lighthouse-prefer-groups", [roleAssignment({ principalType: "User" })], /individual user/],
  [
    "lighthouse-delegated-role-assignment-role",
    [
      roleAssignment({
        delegatedManagedIdentityResourceId: "/subscriptions/x/mi",
        roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${OWNER}`,
      }),
    ],
    /Owner cannot be a delegated role/,
  ],
  [
    "lighthouse-identity-name",
    [
      resource("azure-native:managedidentity:UserAssignedIdentity", "mi", {
        resourceName: "x",
        resourceGroupName: "rg",
        location: "westeurope",
      }),
    ],
    /identity name 'x'/,
  ],
  [
    "lighthouse-federated-credential",
    [credential("fic", { issuer: "http://insecure.example" })],
    /must be an https URL/,
  ],
  [
    "lighthouse-assignment-definition-same-subscription",
    [definition(), assignment(definitionId("6c8b2e14-9d3f-4a5b-8c7d-1e2f3a4b5c6d"))],
    /references a definition in subscription 6c8b2e14/,
  ],
  [
    "lighthouse-unique-definition-guid",
    [definition({}, "def-a"), definition({ registrationDefinitionName: "Other" }, "def-b")],
    /share GUID/,
  ],
  [
    "lighthouse-shared-grant",
    [
      definition({}, "def-a"),
      definition(
        {
          registrationDefinitionName: "Other",
          authorizations: [group("3e0ed8c6-e902-4fc5-863c-e3ddbb2ae2a2", READER), cleanAuthorizations[1]],
        },
        "def-b",
      ),
    ],
    /^'Group' \(5d7e9f10-2b3c-4d5e-9f60-718293a4b5c6\) holds Managed Services Registration assignment Delete Role through offers 'Offer' and 'Other' in subscription 0afefe50-734e-4610-8a82-a144a2f49dea: removing either delegation removes it from the other too, and pulumi up does not restore it; after removing one, re-create the other's assignment \(pulumi up --replace <its assignment's URN>\)$/,
  ],
  [
    "lighthouse-role-not-delegated",
    [
      definition({
        authorizations: [
          ...cleanAuthorizations,
          group("0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7", UAA, { delegatedRoleDefinitionIds: [READER] }),
        ],
      }),
      assignment(definitionId()),
      roleAssignment({ delegatedManagedIdentityResourceId: "/subscriptions/x/mi" }),
    ],
    /Contributor cannot be assigned through Lighthouse .* allows Reader/,
  ],
  [
    "lighthouse-federated-credentials-per-identity",
    [credential("one"), credential("two", { subject: "repo:o/r:one" })],
    /same as federatedCredentials\[one\]/,
  ],
  [
    "lighthouse-allowed-roles",
    clean,
    /Managed Services Registration assignment Delete Role is not in this MSP's allowedRoles/,
    { "lighthouse-allowed-roles": { allowedRoles: ["Reader"] } },
  ],
  [
    "lighthouse-allowed-managing-tenants",
    clean,
    /managing tenant 83ace5cd.* is not in this MSP's allowedManagingTenantIds/,
    { "lighthouse-allowed-managing-tenants": { allowedManagingTenantIds: ["de83f4a9-a76a-4025-a91a-91171923eac7"] } },
  ],
];

describe("policy pack", () => {
  it("is the rules table's pack rules, each with its enforcement (the list README's policy table gives)", async () => {
    const advisory = [
      "lighthouse-delegated-roles-empty",
      "lighthouse-approver-is-eligible-principal",
      "lighthouse-principal-placeholder",
      "lighthouse-display-name-recommended",
      "lighthouse-recommend-delete-role",
      "lighthouse-eligible-without-permanent",
      "lighthouse-prefer-groups",
      "lighthouse-shared-grant",
    ];
    const mandatory = [
      "lighthouse-authorization-required",
      "lighthouse-managing-tenant-placeholder",
      "lighthouse-role-not-built-in",
      "lighthouse-role-not-supported",
      "lighthouse-uaa-requires-delegated-roles",
      "lighthouse-delegated-role-not-allowed",
      "lighthouse-delegated-roles-only-on-uaa",
      "lighthouse-eligible-role-not-allowed",
      "lighthouse-eligible-principal-type",
      "lighthouse-jit-policy-consistent",
      "lighthouse-jit-duration",
      "lighthouse-jit-approvers",
      "lighthouse-duplicate-authorization",
      "lighthouse-marketplace-plan-limit",
      "lighthouse-managing-tenant-is-customer",
      "lighthouse-role-not-delegated",
      "lighthouse-delegated-role-assignment-role",
      "lighthouse-identity-name",
      "lighthouse-federated-credential",
      "lighthouse-assignment-definition-same-subscription",
      "lighthouse-unique-definition-guid",
      "lighthouse-federated-credentials-per-identity",
      "lighthouse-allowed-roles",
      "lighthouse-allowed-managing-tenants",
    ];
    expect(Object.fromEntries(policies.map((policy) => [policy.name, policy.enforcementLevel]))).toEqual(
      Object.fromEntries([
        ...advisory.map((name) => [name, "advisory"]),
        ...mandatory.map((name) => [name, "mandatory"]),
      ]),
    );
    expect(policies).toHaveLength(advisory.length + mandatory.length);
    // The pack as CrossGuard serves it (GetAnalyzerInfo) describes the same policies.
    expect((await (await pack()).policies()).map((policy) => policy.name).sort()).toEqual(
      [...advisory, ...mandatory].sort(),
    );
    for (const policy of policies)
      expect(policy.description, policy.name).toBe(RULES[policy.name.slice(11) as keyof typeof RULES].description);
  });

  it("every policy is covered by a case below", () => {
    expect(cases.map(([name]) => name).sort()).toEqual(
      [...resourcePolicies, ...stackPolicies].map((policy) => policy.name).sort(),
    );
  });

  it.each(cases)("%s: flags the violating resource", async (policy, resources, expected, config) => {
    const messages = await violationsOf(policy, resources, config);
    // The whole answer: one violation, the expected one (a policy firing twice fails here).
    expect(messages).toEqual([expect.stringMatching(expected)]);
  });

  it.each(cases.map(([policy, , , config]) => [policy, config] as const))(
    "%s: passes a clean stack",
    async (policy, config) => {
      const allowAll: PolicyPackConfig = {
        "lighthouse-allowed-roles": {
          allowedRoles: ["Reader", "Managed Services Registration assignment Delete Role"],
        },
        "lighthouse-allowed-managing-tenants": { allowedManagingTenantIds: [MSP] },
      };
      expect(
        await violationsOf(policy, [...clean, roleAssignment({}), credential("one")], config ? allowAll : {}),
      ).toEqual([]);
    },
  );

  it("federated credentials: name, subject and audiences are each checked", async () => {
    expect(
      await violationsOf("lighthouse-federated-credential", [
        credential("fic", { federatedIdentityCredentialResourceName: "-bad name", subject: "", audiences: [] }),
      ]),
    ).toEqual([
      "federated credential name '-bad name' must be 3 to 120 characters: letters, digits, '-' and '_', starting with a letter or digit",
      "list at least one audience, or omit audiences for api://AzureADTokenExchange",
      "subject must not be empty",
    ]);
    // Fields a resource leaves out are named (Azure would refuse them too).
    expect(
      await violationsOf("lighthouse-federated-credential", [
        credential("fic", { issuer: undefined, audiences: undefined }),
      ]),
    ).toEqual([
      "audiences: Invalid input: expected array, received undefined",
      "issuer: Invalid input: expected string, received undefined",
    ]);
  });

  it("at most 20 federated credentials per identity: 20 pass, 21 are one violation", async () => {
    const many = (count: number) => Array.from({ length: count }, (_, i) => credential(`c${i}`));
    expect(await violationsOf("lighthouse-federated-credentials-per-identity", many(20))).toEqual([]);
    expect(await violationsOf("lighthouse-federated-credentials-per-identity", many(21))).toEqual([
      expect.stringMatching(/^identity rg\/mi: .*20/),
    ]);
  });

  it("the managing-tenant allow-list compares tenant ids case-insensitively", async () => {
    const config = { "lighthouse-allowed-managing-tenants": { allowedManagingTenantIds: [MSP.toUpperCase()] } };
    expect(await violationsOf("lighthouse-allowed-managing-tenants", clean, config)).toEqual([]);
  });

  it("a role is authorized only by offers delegated where it is assigned", async () => {
    const OTHER_GUID = "5f0b1d2e-3c4a-5b6d-8e7f-9a0b1c2d3e4f";
    const at = (group: string) => `/subscriptions/${SUB}/resourceGroups/${group}`;
    // Offer A lets its UAA assign Contributor, but is delegated on rg-a only; offer B covers the subscription and allows Reader.
    const offerA = resource("azure-native:managedservices:RegistrationDefinition", "def-a", {
      scope: `/subscriptions/${SUB}`,
      registrationDefinitionId: OTHER_GUID,
      properties: {
        registrationDefinitionName: "A",
        managedByTenantId: MSP,
        authorizations: [
          ...cleanAuthorizations,
          group("0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7", UAA, { delegatedRoleDefinitionIds: [CONTRIBUTOR] }),
        ],
      },
    });
    const offerB = definition({
      registrationDefinitionName: "B",
      authorizations: [
        ...cleanAuthorizations,
        group("0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7", UAA, { delegatedRoleDefinitionIds: [READER] }),
      ],
    });
    const stack = (scope: string) => [
      offerA,
      assignment(
        `/subscriptions/${SUB}/providers/Microsoft.ManagedServices/registrationDefinitions/${OTHER_GUID}`,
        at("rg-a"),
        "assign-a",
      ),
      offerB,
      assignment(definitionId(), `/subscriptions/${SUB}`, "assign-b"),
      roleAssignment({ scope, delegatedManagedIdentityResourceId: "/subscriptions/x/mi" }),
    ];
    expect(await violationsOf("lighthouse-role-not-delegated", stack(at("rg-a")))).toEqual([]);
    expect(await violationsOf("lighthouse-role-not-delegated", stack(at("rg-b")))).toEqual([
      `Contributor cannot be assigned through Lighthouse at ${at("rg-b")}: offer 'B' allows Reader`,
    ]);
  });

  it("a policy can be disabled or downgraded through config", async () => {
    const owner = [
      definition({ authorizations: [...cleanAuthorizations, group("0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7", OWNER)] }),
    ];
    const server = await pack();
    const levels = async (config: PolicyPackConfig) =>
      (await server.analyze(owner, config))
        .filter((violation) => violation.policy === "lighthouse-role-not-supported")
        .map((violation) => violation.enforcementLevel);
    expect(await levels({})).toEqual(["mandatory"]);
    expect(await levels({ "lighthouse-role-not-supported": "disabled" })).toEqual([]);
    expect(await levels({ "lighthouse-role-not-supported": "advisory" })).toEqual(["advisory"]);
  });

  it("validators can also be called directly, as CrossGuard does", () => {
    const reported: string[] = [];
    const policy = resourcePolicies.find((candidate) => candidate.name === "lighthouse-identity-name")!;
    const validate = [policy.validateResource!].flat()[0];
    validate(
      { type: "azure-native:managedidentity:UserAssignedIdentity", props: { resourceName: "-bad" } } as never,
      (message) => reported.push(message),
    );
    expect(reported).toEqual([expect.stringMatching(/identity name '-bad'/)]);
  });
});

describe("the pack's process", () => {
  it("a pack that cannot start is an error that says why, never a hang or a trace", async () => {
    const start = PolicyPackServer.start({ directory: join(__dirname, "..", "policies"), entry: "missing-entry.js" });
    await expect(start).rejects.toThrow(PolicyPackError);
    await expect(start).rejects.toThrow(/the policy pack stopped before serving \(exit 1\): .*missing-entry\.js/s);
  });
});

/**
 * The pack as `pulumi policy publish` would upload it: dist/policy-pack (npm run build) packed by
 * npm, unpacked elsewhere beside only the dependencies its package.json declares, and served from
 * there. Every case of the table above gets the same violations from it as from policies/.
 */
describe("the publishable pack (dist/policy-pack)", () => {
  let published: Promise<PolicyPackServer> | undefined;
  const publishedPack = () =>
    (published ??= (async () => {
      const root = mkdtempSync(join(tmpdir(), "lighthouse-policy-pack-"));
      const tarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", root], {
        cwd: join(REPO_ROOT, "dist", "policy-pack"),
        encoding: "utf8",
      }).trim();
      const directory = join(root, "pack");
      mkdirSync(directory);
      execFileSync("tar", ["-xzf", join(root, tarball), "-C", directory, "--strip-components=1"]);
      const manifest = JSON.parse(readFileSync(join(directory, "package.json"), "utf8")) as {
        main: string;
        dependencies: Record<string, string>;
      };
      for (const dependency of Object.keys(manifest.dependencies)) {
        mkdirSync(dirname(join(directory, "node_modules", dependency)), { recursive: true });
        symlinkSync(join(REPO_ROOT, "node_modules", dependency), join(directory, "node_modules", dependency), "dir");
      }
      return PolicyPackServer.start({ directory, entry: join(directory, manifest.main) });
    })());
  afterAll(async () => {
    if (published) (await published).close();
  });

  it("holds the bundle, the role catalog and its manifest, and depends on @pulumi/policy and @pulumi/pulumi alone", () => {
    const listed = readdirSync(join(REPO_ROOT, "dist", "policy-pack"), { recursive: true })
      .map(String)
      .sort();
    expect(listed).toEqual([
      "PulumiPolicy.yaml",
      "index.js",
      "package.json",
      "src",
      "src/roles",
      "src/roles/builtin-roles.json",
    ]);
    expect(
      JSON.parse(readFileSync(join(REPO_ROOT, "dist", "policy-pack", "package.json"), "utf8")).dependencies,
    ).toEqual({
      "@pulumi/policy": expect.any(String),
      "@pulumi/pulumi": expect.any(String),
    });
  });

  it("describes the same policies", async () => {
    expect(await (await publishedPack()).policies()).toEqual(await (await pack()).policies());
  }, 60_000);

  it.each(cases)("%s: the same violations as policies/", async (_policy, resources, _expected, config) => {
    const fromSource = await (await pack()).analyze(resources, config);
    expect(fromSource.length).toBeGreaterThan(0);
    expect(await (await publishedPack()).analyze(resources, config)).toEqual(fromSource);
  });
});
