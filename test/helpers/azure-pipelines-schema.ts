import { z } from "zod";

/**
 * The Azure Pipelines YAML structure the project's pipeline files use (learn.microsoft.com,
 * "YAML schema reference for Azure Pipelines"): strict, so a misspelt key fails. Microsoft's
 * full service schema is fetched from an Azure DevOps organization and is not available here.
 */
const expression = z.string();
const env = z.record(z.string(), z.string());
const stepCommon = {
  displayName: z.string().optional(),
  name: z.string().optional(),
  condition: expression.optional(),
  env: env.optional(),
};
const KNOWN_TASKS = ["NodeTool@0", "AzureCLI@2", "PublishPipelineArtifact@1"];

const step = z.union([
  z.strictObject({ checkout: z.string(), fetchDepth: z.number().optional(), ...stepCommon }),
  z.strictObject({ script: z.string(), ...stepCommon }),
  z.strictObject({ bash: z.string(), ...stepCommon }),
  z.strictObject({
    task: z.enum(KNOWN_TASKS as [string, ...string[]]),
    inputs: z.record(z.string(), z.union([z.string(), z.boolean(), z.number()])),
    ...stepCommon,
  }),
  z.strictObject({ template: z.string(), parameters: z.record(z.string(), z.unknown()).optional() }),
]);

const variables = z.union([
  z.array(z.union([z.strictObject({ name: z.string(), value: z.string() }), z.strictObject({ group: z.string() })])),
  z.record(z.string(), z.string()),
]);

const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/);
/** What every kind of job has. */
const jobCommon = {
  displayName: z.string().optional(),
  dependsOn: z.union([z.string(), z.array(z.string())]).optional(),
  condition: expression.optional(),
  pool: z.strictObject({ vmImage: z.string() }),
};

const job = z.strictObject({
  job: identifier,
  ...jobCommon,
  variables: variables.optional(),
  strategy: z
    .strictObject({
      matrix: z.union([expression, z.record(z.string(), z.record(z.string(), z.string()))]),
      maxParallel: z.number().optional(),
    })
    .optional(),
  steps: z.array(step).min(1),
});

/** A deployment job: it targets an environment, whose approvals and checks run before it. */
const deployment = z.strictObject({
  deployment: identifier,
  ...jobCommon,
  environment: z.string(),
  strategy: z.strictObject({ runOnce: z.strictObject({ deploy: z.strictObject({ steps: z.array(step).min(1) }) }) }),
});

const branches = z.strictObject({ include: z.array(z.string()).optional(), exclude: z.array(z.string()).optional() });

export const pipelineSchema = z.strictObject({
  trigger: z.strictObject({ batch: z.boolean().optional(), branches }).optional(),
  pr: z.strictObject({ branches }).optional(),
  schedules: z
    .array(
      z.strictObject({
        cron: z.string(),
        displayName: z.string().optional(),
        branches,
        always: z.boolean().optional(),
      }),
    )
    .optional(),
  variables: variables.optional(),
  stages: z.array(
    z.strictObject({
      stage: identifier,
      displayName: z.string().optional(),
      dependsOn: z.union([z.string(), z.array(z.string())]).optional(),
      condition: expression.optional(),
      lockBehavior: z.enum(["sequential", "runLatest"]).optional(),
      jobs: z.array(z.union([job, deployment])).min(1),
    }),
  ),
});

export const stepsTemplateSchema = z.strictObject({
  parameters: z.array(
    z.strictObject({
      name: z.string(),
      type: z.enum(["string", "boolean", "number", "object"]),
      default: z.unknown().optional(),
    }),
  ),
  steps: z.array(step).min(1),
});
