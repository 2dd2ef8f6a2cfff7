import { afterAll, describe, expect, it } from "vitest";
import { AccessWorker, WorkerConfigError } from "../src/plan/accessWorker";
import { stackState } from "../src/plan/plan";
import { REPO_ROOT, tempProject } from "./helpers/project";

// The worker thread is only a transport for the review's base revision: what it answers is what
// the same computation answers in this thread, a configuration error arrives as such, and one
// worker answers stack after stack (requests made at once are answered one at a time, in order).
describe("stacks' access computed in a worker thread", () => {
  const worker = new AccessWorker();
  afterAll(() => worker.close());

  it("is the access each stack's program grants, stack after stack", async () => {
    const [northwind, fabrikam] = await Promise.all([
      worker.state(REPO_ROOT, "northwind"),
      worker.state(REPO_ROOT, "fabrikam"),
    ]);
    expect(northwind.customer).toBe("Northwind Traders");
    expect(fabrikam.customer).toBe("Fabrikam");
    expect(northwind).toEqual(await stackState(REPO_ROOT, "northwind"));
    expect(fabrikam).toEqual(await stackState(REPO_ROOT, "fabrikam"));
  }, 60_000);

  it("rejects with the validator's located messages for an invalid stack, and serves the next one", async () => {
    const root = tempProject({ "stacks/Pulumi.broken.yaml": "config:\n  lighthouse:customer: 1\n" });
    const failure = await worker.state(root, "broken").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WorkerConfigError);
    expect((failure as Error).message.split("\n")[0]).toBe("stack broken is not valid:");
    expect(await worker.state(root, "northwind")).toEqual(await stackState(REPO_ROOT, "northwind"));
  }, 60_000);
});
