import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import type { RegisteredResource } from "../offline";
import { PackAnalysis, PolicyPackError, PolicyPackServer, type PolicyPackConfig, type Violation } from "./analyzer";

/**
 * The policy pack's analyses (PackAnalysis) driven from a worker thread. Encoding and sending
 * the Analyze requests is the engine's work, which a preview does in the engine's process beside
 * the program's; here it would take a third of the program's thread (about 2 s of 11 at 1,000
 * subscriptions), so it runs on a thread of its own and the program's thread only posts resources.
 *
 * One thread per pack serves every stack a process plans, one analysis after another (the pack
 * holds one config at a time): a thread per stack cost about 0.13 s each in starting, loading the
 * analyzer's modules and connecting (fleet measurement of 2026-12-04), ten times the program's own
 * work for a small stack.
 */

/** A resource as posted: inputs and outputs as JSON, which is what the Analyze requests carry of them anyway. */
type Posted = Omit<RegisteredResource, "inputs" | "outputs"> & { inputs: string; outputs: string };
type Request =
  { id: number; begin: PolicyPackConfig } | { id: number; finish: Posted[] } | { id: number; abandon: true };
type Reply = { id: number } & ({ violations: Violation[] } | { packError: string } | { crash: string });
type Start = { analysis: { port: string } };

const posted = (resource: RegisteredResource): Posted => ({
  ...resource,
  inputs: JSON.stringify(resource.inputs),
  outputs: JSON.stringify(resource.outputs),
});

const received = (resource: Posted): RegisteredResource => ({
  ...resource,
  inputs: JSON.parse(resource.inputs) as Record<string, unknown>,
  outputs: JSON.parse(resource.outputs) as Record<string, unknown>,
});

/** The thread that analyzes for one pack: started at its first analysis, kept for the process's life. */
class AnalysisWorker {
  private readonly worker: Worker;
  private readonly waiting = new Map<
    number,
    { resolve: (violations: Violation[]) => void; reject: (error: Error) => void }
  >();
  private next = 1;
  private stopped: Error | undefined;

  constructor(private readonly server: PolicyPackServer) {
    // Under tsx (development) the worker needs tsx's loader too; compiled, it is plain JavaScript.
    const execArgv = __filename.endsWith(".ts") ? ["--import", "tsx"] : [];
    this.worker = new Worker(__filename, { workerData: { analysis: { port: server.port } } satisfies Start, execArgv });
    this.worker.unref(); // kept alive by the analyses in flight only (see `hold`)
    this.worker.on("message", (reply: Reply) => {
      const waiting = this.waiting.get(reply.id);
      if (!waiting) return;
      this.settle(reply.id);
      if ("violations" in reply) waiting.resolve(reply.violations);
      // The pack's own stderr is known here, where its process was started.
      else if ("packError" in reply)
        waiting.reject(new PolicyPackError(`${reply.packError}\n${this.server.stderr()}`.trim()));
      else waiting.reject(new Error(reply.crash));
    });
    const stop = (error: Error) => {
      this.stopped = error;
      for (const [id, waiting] of this.waiting) {
        this.settle(id);
        waiting.reject(error);
      }
    };
    this.worker.on("error", stop);
    this.worker.on("exit", (code) => stop(new Error(`the policy analysis thread stopped (exit ${code})`)));
  }

  /** Begins an analysis, the user's config sent first. */
  begin(config: PolicyPackConfig): AnalysisThread {
    const id = this.next++;
    const verdict = new Promise<Violation[]>((resolve, reject) => {
      if (this.stopped) return reject(this.stopped);
      this.waiting.set(id, { resolve, reject });
      if (this.waiting.size === 1) this.worker.ref(); // an analysis in flight keeps the process waiting for it
      this.post({ id, begin: config });
    });
    verdict.catch(() => undefined); // awaited by finish()
    return new AnalysisThread(this, id, verdict);
  }

  post(request: Request): void {
    if (!this.stopped) this.worker.postMessage(request);
  }

  /** Forgets an analysis: its answer, if one comes, is dropped. */
  settle(id: number): void {
    this.waiting.delete(id);
    if (this.waiting.size === 0) this.worker.unref();
  }
}

const workers = new WeakMap<PolicyPackServer, AnalysisWorker>();

/** One analysis of a stack against the pack, on the pack's analysis thread. */
export class AnalysisThread {
  /** Begins the analysis (the user's config sent first) against the pack `server` serves. */
  static begin(server: PolicyPackServer, config: PolicyPackConfig = {}): AnalysisThread {
    let worker = workers.get(server);
    if (!worker) workers.set(server, (worker = new AnalysisWorker(server)));
    return worker.begin(config);
  }

  constructor(
    private readonly worker: AnalysisWorker,
    private readonly id: number,
    private readonly verdict: Promise<Violation[]>,
  ) {}

  /**
   * Every resource's analysis (its inputs, in the order registered), then the stack's (the
   * resources' outputs): the violations, sorted. One message for the stack.
   */
  finish(resources: RegisteredResource[]): Promise<Violation[]> {
    this.worker.post({ id: this.id, finish: resources.map(posted) });
    return this.verdict;
  }

  /** Abandons the analysis (its program failed): the thread drops it and serves the next. */
  close(): void {
    this.worker.post({ id: this.id, abandon: true });
    this.worker.settle(this.id);
  }
}

const start = (workerData as Partial<Start> | undefined)?.analysis;
if (!isMainThread && start) {
  const server = PolicyPackServer.connect(start.port);
  const reply = (message: Reply) => parentPort!.postMessage(message);
  // The pack holds one config at a time: each analysis begins after the previous one ended.
  let previous: Promise<unknown> = Promise.resolve();
  const analyses = new Map<number, Promise<PackAnalysis>>();
  parentPort!.on("message", (request: Request) => {
    const { id } = request;
    if ("begin" in request) {
      const analysis = previous.then(() => server.begin(request.begin));
      analysis.catch(() => undefined); // reported at the end
      analyses.set(id, analysis);
      previous = analysis.catch(() => undefined);
      return;
    }
    const analysis = analyses.get(id);
    if (!analysis) return;
    analyses.delete(id);
    if ("abandon" in request) {
      previous = analysis.then(
        (started) => started.settled(),
        () => undefined,
      );
      return;
    }
    const finished = analysis.then((started) => {
      const resources = request.finish.map(received);
      for (const resource of resources) started.resource(resource);
      return started.finish(resources);
    });
    previous = finished.catch(() => undefined);
    finished.then(
      (violations) => reply({ id, violations }),
      (error: unknown) =>
        reply(
          error instanceof PolicyPackError
            ? { id, packError: error.message }
            : { id, crash: error instanceof Error ? (error.stack ?? error.message) : String(error) },
        ),
    );
  });
}
