import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import type { RegisteredResource } from "../offline";
import { PolicyPackError, PolicyPackServer, type PolicyPackConfig, type Violation } from "./analyzer";

/**
 * One analysis of the policy pack (PackAnalysis) driven from a worker thread. Encoding and sending
 * the Analyze requests is the engine's work, which a preview does in the engine's process beside
 * the program's; here it would take a third of the program's thread (about 2 s of 11 at 1,000
 * subscriptions), so it runs on a thread of its own and the program's thread only posts resources.
 */

/** A resource as posted: inputs and outputs as JSON, which is what the Analyze requests carry of them anyway. */
type Posted = Omit<RegisteredResource, "inputs" | "outputs"> & { inputs: string; outputs: string };
type Request = { resource: Posted } | { finish: Posted[] };
type Reply = { violations: Violation[] } | { packError: string } | { crash: string };
type Start = { analysis: { port: string; config: PolicyPackConfig } };

const posted = (resource: RegisteredResource, withOutputs: boolean): Posted => ({
  ...resource,
  inputs: JSON.stringify(resource.inputs),
  // A resource is analyzed on its inputs; its outputs (a component's come later) only at the end.
  outputs: withOutputs ? JSON.stringify(resource.outputs) : "{}",
});

const received = (resource: Posted): RegisteredResource => ({
  ...resource,
  inputs: JSON.parse(resource.inputs) as Record<string, unknown>,
  outputs: JSON.parse(resource.outputs) as Record<string, unknown>,
});

export class AnalysisThread {
  private readonly worker: Worker;
  private readonly verdict: Promise<Violation[]>;

  /** Begins the analysis (the user's config sent first) against the pack `server` serves. */
  constructor(
    private readonly server: PolicyPackServer,
    config: PolicyPackConfig = {},
  ) {
    // Under tsx (development) the worker needs tsx's loader too; compiled, it is plain JavaScript.
    const execArgv = __filename.endsWith(".ts") ? ["--import", "tsx"] : [];
    const start: Start = { analysis: { port: server.port, config } };
    this.worker = new Worker(__filename, { workerData: start, execArgv });
    this.worker.unref(); // a plan that fails before its end does not wait for the thread
    this.verdict = new Promise<Violation[]>((resolve, reject) => {
      this.worker.once("message", (reply: Reply) => {
        if ("violations" in reply) resolve(reply.violations);
        // The pack's own stderr is known here, where its process was started.
        else if ("packError" in reply)
          reject(new PolicyPackError(`${reply.packError}\n${this.server.stderr()}`.trim()));
        else reject(new Error(reply.crash));
      });
      this.worker.once("error", reject);
      this.worker.once("exit", (code) => reject(new Error(`the policy analysis thread stopped (exit ${code})`)));
    });
    this.verdict.catch(() => undefined); // awaited by finish()
  }

  /** Sends one resource's inputs, as the engine does when the program registers it. */
  resource(resource: RegisteredResource): void {
    this.worker.postMessage({ resource: posted(resource, false) } satisfies Request);
  }

  /** Every resource's analysis, then the stack's (the resources' outputs): the violations, sorted. */
  async finish(resources: RegisteredResource[]): Promise<Violation[]> {
    this.worker.postMessage({ finish: resources.map((resource) => posted(resource, true)) } satisfies Request);
    try {
      return await this.verdict;
    } finally {
      this.close();
    }
  }

  close(): void {
    void this.worker.terminate();
  }
}

const start = (workerData as Partial<Start> | undefined)?.analysis;
if (!isMainThread && start) {
  const server = PolicyPackServer.connect(start.port);
  const analysis = server.begin(start.config);
  analysis.catch(() => undefined); // reported at the end
  const reply = (message: Reply) => parentPort!.postMessage(message);
  parentPort!.on("message", (request: Request) => {
    if ("resource" in request) {
      const resource = received(request.resource);
      void analysis.then(
        (started) => started.resource(resource),
        () => undefined,
      );
      return;
    }
    analysis
      .then((started) => started.finish(request.finish.map(received)))
      .then(
        (violations) => reply({ violations }),
        (error: unknown) =>
          reply(
            error instanceof PolicyPackError
              ? { packError: error.message }
              : { crash: error instanceof Error ? (error.stack ?? error.message) : String(error) },
          ),
      )
      .finally(() => server.close());
  });
}
