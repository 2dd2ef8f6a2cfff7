import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { isConfigError, stackState, type StackState } from "./plan";

/**
 * Stacks' access computed in a worker thread: the SDK's runtime state is per thread, so the
 * access review runs the base revision's programs beside the working tree's, one per core. One
 * worker serves all the stacks of a review, one after another (loading the SDK costs about a
 * second per thread).
 */

type Request = { projectRoot: string; stack: string };
type Reply = { state: StackState } | { configError: string } | { crash: string };

/** The worker's configuration error, as the main thread sees it (the validator's located messages). */
export class WorkerConfigError extends Error {}

export class AccessWorker {
  private readonly worker: Worker;
  /** The request being answered: a worker runs one program at a time. */
  private pending: Promise<unknown> = Promise.resolve();

  constructor() {
    // Under tsx (development) the worker needs tsx's loader too; compiled, it is plain JavaScript.
    const execArgv = __filename.endsWith(".ts") ? ["--import", "tsx"] : [];
    this.worker = new Worker(__filename, { workerData: { serve: true }, execArgv });
  }

  /** The state of `stack` in `projectRoot`; a configuration error rejects with its message. */
  state(projectRoot: string, stack: string): Promise<StackState> {
    const answer = this.pending.then(
      () =>
        new Promise<StackState>((resolve, reject) => {
          const stopped = (code: number) => reject(new Error(`the access worker for ${stack} stopped (exit ${code})`));
          const settle = () => {
            this.worker.off("error", reject);
            this.worker.off("exit", stopped);
          };
          this.worker.once("message", (reply: Reply) => {
            settle();
            if ("state" in reply) resolve(reply.state);
            else if ("configError" in reply) reject(new WorkerConfigError(reply.configError));
            else reject(new Error(reply.crash));
          });
          this.worker.once("error", reject);
          this.worker.once("exit", stopped);
          this.worker.postMessage({ projectRoot, stack } satisfies Request);
        }),
    );
    this.pending = answer.catch(() => undefined);
    return answer;
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}

if (!isMainThread && (workerData as { serve?: boolean } | undefined)?.serve) {
  parentPort!.on("message", ({ projectRoot, stack }: Request) => {
    stackState(projectRoot, stack).then(
      (state) => parentPort!.postMessage({ state } satisfies Reply),
      (error: unknown) =>
        parentPort!.postMessage(
          (isConfigError(error)
            ? { configError: error.message }
            : { crash: error instanceof Error ? (error.stack ?? error.message) : String(error) }) satisfies Reply,
        ),
    );
  });
}
