import * as pulumi from "@pulumi/pulumi";
import { printableLines } from "../text";
import { runOffline, runSteps, type RegisteredResource } from "../offline";
import type { PolicyPackConfig, PolicyPackServer, Violation } from "../crossguard/analyzer";
import { AnalysisThread } from "../crossguard/analysisThread";
import { lighthouseProgramSteps } from "../../app/program";
import { PROJECT_NAME } from "../stack/schema";
import { accessView, type AccessView } from "../access/view";
import { accessLines } from "../access/describe";
import { stateOf, type StateResource } from "./steps";

/** What `npm run plan` computes for one stack: resources that would reach Azure, and violations. */
export interface Plan {
  stack: string;
  /** The customer's name, when the program says (the stack program does). */
  customer?: string;
  resources: Array<Pick<RegisteredResource, "type" | "name" | "inputs"> & { options: ResourceOptionsView }>;
  violations: Violation[];
  access: AccessView;
}

/** The resource options a program gave, as the engine receives them (what else changes a deployment). */
export interface ResourceOptionsView {
  parent?: string;
  dependsOn: string[];
  deleteBeforeReplace?: true;
  import?: string;
  provider?: string;
  aliases?: string[];
  /** URNs whose replacement replaces this resource too. */
  replaceWith?: string[];
}

function optionsOf(resource: RegisteredResource): ResourceOptionsView {
  return {
    ...(resource.parentUrn ? { parent: resource.parentUrn } : {}),
    dependsOn: [...resource.dependencies].sort(),
    ...(resource.deleteBeforeReplace ? { deleteBeforeReplace: true as const } : {}),
    ...(resource.importId ? { import: resource.importId } : {}),
    ...(resource.providerName ? { provider: resource.providerName } : {}),
    ...(resource.aliases.length ? { aliases: resource.aliases } : {}),
    ...(resource.replaceWith.length ? { replaceWith: resource.replaceWith } : {}),
  };
}

/** What the plan shows for a value Azure generates at deploy time (a preview shows it unknown too). */
export const UNKNOWN_UNTIL_DEPLOYED = "[unknown until deployed]";

/**
 * Object keys sorted at every depth, so JSON output is byte-stable for machines and diffs; values
 * the offline run only simulated (principal and client ids) are shown as unknown, never as real.
 */
function sortedDeep(value: unknown, simulated: ReadonlySet<string>): unknown {
  if (typeof value === "string") return simulated.has(value) ? UNKNOWN_UNTIL_DEPLOYED : value;
  if (Array.isArray(value)) return value.map((item) => sortedDeep(item, simulated));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortedDeep((value as Record<string, unknown>)[key], simulated)]),
    );
  }
  return value;
}

/**
 * The policy pack a plan runs, served by CrossGuard itself (the plan command starts it; this
 * module does not import policies/), and the user's policy config.
 */
export interface PlanPolicies {
  pack: PolicyPackServer | Promise<PolicyPackServer>;
  config?: PolicyPackConfig;
}

/**
 * Runs any Pulumi program offline and reviews what it registers with the policy pack, as a
 * preview would: each resource's analysis, then the stack's. The promise resolves once the program
 * has run, with the plan still to come: its resources go to the pack's analysis thread in one
 * message, and a caller with more stacks runs the next program while the pack works on this one.
 */
export async function startPlan(
  stack: string,
  program: () => unknown,
  policies: PlanPolicies,
): Promise<{ plan: Promise<Plan> }> {
  const analysis = Promise.resolve(policies.pack).then((pack) => AnalysisThread.begin(pack, policies.config));
  analysis.catch(() => undefined); // awaited below
  let ran: Awaited<ReturnType<typeof runOffline>>;
  try {
    ran = await runOffline(PROJECT_NAME, stack, program);
  } catch (error) {
    // A program that fails leaves no analysis running.
    void analysis.then(
      (started) => started.close(),
      () => undefined,
    );
    throw error;
  }
  const { resources, result, simulated } = ran;
  const violations = analysis.then((started) => started.finish(resources));
  violations.catch(() => undefined); // awaited below
  const customer = (result as { customer?: unknown } | undefined)?.customer;
  const planned = resources
    .filter((resource) => resource.custom)
    .map((resource) => ({
      type: resource.type,
      name: resource.name,
      inputs: sortedDeep(resource.inputs, simulated) as Record<string, unknown>,
      options: optionsOf(resource),
    }))
    .sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name));
  const access = accessView(resources);
  return {
    plan: violations.then((found) => ({
      stack,
      ...(typeof customer === "string" ? { customer } : {}),
      resources: planned,
      violations: found,
      access,
    })),
  };
}

/** {@link startPlan}, waiting for the plan. */
export async function planProgram(stack: string, program: () => unknown, policies: PlanPolicies): Promise<Plan> {
  return (await startPlan(stack, program, policies)).plan;
}

/** The stack program as the offline engine runs it: one subscription at a time, the event loop turning between. */
const stackProgram = (projectRoot: string, stack: string) => () =>
  runSteps(lighthouseProgramSteps({ projectRoot, stackName: stack }));

/**
 * What a stack's program registers, as the engine would record it once deployed: the facts the
 * access review reads (its access view and the steps between two revisions are computed from
 * them by the reviewing code), without the policy pack.
 */
export interface StackState {
  customer?: string;
  /** Subscription id → display name, for those the stack file names. */
  subscriptionNames?: Record<string, string>;
  state: StateResource[];
}

/** A stack's state: the program on the offline engine, nothing else (no policies, no sorted copies). */
export async function stackState(projectRoot: string, stack: string): Promise<StackState> {
  const { resources, result } = await runOffline(PROJECT_NAME, stack, stackProgram(projectRoot, stack));
  const { customer, subscriptionNames } = (result ?? {}) as { customer?: unknown; subscriptionNames?: unknown };
  return {
    ...(typeof customer === "string" ? { customer } : {}),
    ...(subscriptionNames && typeof subscriptionNames === "object"
      ? { subscriptionNames: subscriptionNames as Record<string, string> }
      : {}),
    state: stateOf(resources),
  };
}

/** Plans one stack of the project: the real stack program, on the offline engine. */
export function planStack(projectRoot: string, stack: string, pack: PlanPolicies): Promise<Plan> {
  return planProgram(stack, stackProgram(projectRoot, stack), pack);
}

/** {@link startPlan} of one stack of the project. */
export function startStackPlan(
  projectRoot: string,
  stack: string,
  pack: PlanPolicies,
): Promise<{ plan: Promise<Plan> }> {
  return startPlan(stack, stackProgram(projectRoot, stack), pack);
}

export const hasMandatoryViolations = (plan: Plan) =>
  plan.violations.some((violation) => violation.enforcementLevel === "mandatory");

/** The machine-readable plan: `resources` and `violations`, sorted. */
export function planJson(plan: Plan): { stack: string; resources: Plan["resources"]; violations: Violation[] } {
  return { stack: plan.stack, resources: plan.resources, violations: plan.violations };
}

/** The plan for people: per subscription, who gets what where; identities; violations. */
export function planText(plan: Plan): string {
  const lines = [`Plan for stack ${plan.stack}: ${plan.resources.length} resources`];
  lines.push(...accessLines(plan.access));
  lines.push("", plan.violations.length ? "Policy violations:" : "Policy violations: none");
  for (const violation of plan.violations) {
    lines.push(
      `  ${violation.enforcementLevel} ${violation.policy}${violation.resource ? ` on ${violation.resource.name}` : ""}: ${violation.message}`,
    );
  }
  return printableLines(lines);
}

/** Config errors surface from the program as RunError: the validator's located messages. */
export const isConfigError = (error: unknown): error is Error => error instanceof pulumi.RunError;
