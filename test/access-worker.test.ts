import { describe, expect, it } from "vitest";
import { stackAccessInWorker, WorkerConfigError } from "../src/plan/accessWorker";
import { stackAccess } from "../src/plan/plan";
import { REPO_ROOT, tempProject } from "./helpers/project";

// The worker thread is only a transport for the review's base revision: what it answers is what
// the same computation answers in this thread, and a configuration error arrives as such.
describe("a stack's access computed in a worker thread", () => {
  it("is the access the stack's program grants", async () => {
    const inWorker = await stackAccessInWorker(REPO_ROOT, "northwind");
    expect(inWorker.customer).toBe("Northwind Traders");
    expect(inWorker).toEqual(await stackAccess(REPO_ROOT, "northwind"));
  }, 60_000);

  it("rejects with the validator's located messages for an invalid stack", async () => {
    const root = tempProject({ "stacks/Pulumi.broken.yaml": "config:\n  lighthouse:customer: 1\n" });
    const failure = await stackAccessInWorker(root, "broken").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WorkerConfigError);
    expect((failure as Error).message.split("\n")[0]).toBe("stack broken is not valid:");
  }, 60_000);
});
