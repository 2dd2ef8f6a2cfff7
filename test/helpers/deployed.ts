import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./project";

/* eslint-disable @typescript-eslint/no-explicit-any -- ARM bodies, edited freely by tests */
/** What Azure holds once an example stack is deployed: literal ARM bodies (test/fixtures/deployed/generate.py). */
export interface DeployedStack {
  definitions: Array<Record<string, any>>;
  assignments: Array<Record<string, any>>;
  identities: Array<Record<string, any>>;
  federatedCredentials: Array<Record<string, any>>;
  systemIdentities: Array<Record<string, any>>;
  roleAssignments: Array<Record<string, any>>;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

export const DEPLOYED_STACKS = ["fabrikam", "northwind", "northwind-managed", "contoso-pipelines"] as const;

/** A fresh copy of the stack's deployed state, for a test to change before the fake ARM serves it. */
export function deployedFixture(stack: string): DeployedStack {
  return JSON.parse(
    readFileSync(join(REPO_ROOT, "test", "fixtures", "deployed", `${stack}.json`), "utf8"),
  ) as DeployedStack;
}
