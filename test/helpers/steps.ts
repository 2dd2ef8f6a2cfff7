import { runOffline } from "../../src/offline";
import { lighthouseProgram } from "../../app/program";
import { PROJECT_NAME } from "../../src/stack/schema";
import { predictSteps, type Step } from "../../src/plan/steps";
import { tempProject } from "./project";

/** The resources the stack program registers in a copy of the project with `files` changed. */
export async function registered(stack: string, files: Record<string, string> = {}) {
  const projectRoot = tempProject(files);
  return (await runOffline(PROJECT_NAME, stack, () => lighthouseProgram({ projectRoot, stackName: stack }))).resources;
}

/** The step plan from the project with `base` files to the project with `head` files. */
export async function stepsBetween(stack: string, base: Record<string, string>, head: Record<string, string>) {
  return predictSteps(await registered(stack, base), await registered(stack, head));
}

/** A step as a line: op, logical name (the URN's last part), and what fails or is unknown. */
export const stepLine = (step: Step) =>
  `${step.op} ${step.urn.split("::").slice(3).join("::")}${step.fails ? " FAILS" : ""}${step.unknown ? " UNKNOWN" : ""}`;
