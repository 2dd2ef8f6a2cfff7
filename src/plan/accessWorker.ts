import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { isConfigError, stackAccess, type StackAccess } from "./plan";

/**
 * A stack's access computed in a worker thread: the SDK's runtime state is per thread, so the
 * access review runs the base revision's program beside the working tree's, one per core.
 */

type Reply = { access: StackAccess } | { configError: string } | { crash: string };

/** The access of `stack` in `projectRoot`, computed in a worker; a configuration error rejects with its message. */
export function stackAccessInWorker(projectRoot: string, stack: string): Promise<StackAccess> {
  // Under tsx (development) the worker needs tsx's loader too; compiled, it is plain JavaScript.
  const execArgv = __filename.endsWith(".ts") ? ["--import", "tsx"] : [];
  const worker = new Worker(__filename, { workerData: { projectRoot, stack }, execArgv });
  return new Promise((resolve, reject) => {
    worker.once("message", (reply: Reply) => {
      void worker.terminate();
      if ("access" in reply) resolve(reply.access);
      else if ("configError" in reply) reject(new WorkerConfigError(reply.configError));
      else reject(new Error(reply.crash));
    });
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the access worker for ${stack} stopped (exit ${code})`)));
  });
}

/** The worker's configuration error, as the main thread sees it (the validator's located messages). */
export class WorkerConfigError extends Error {}

if (!isMainThread && workerData?.stack) {
  const { projectRoot, stack } = workerData as { projectRoot: string; stack: string };
  stackAccess(projectRoot, stack).then(
    (access) => parentPort!.postMessage({ access } satisfies Reply),
    (error: unknown) =>
      parentPort!.postMessage(
        (isConfigError(error)
          ? { configError: error.message }
          : { crash: error instanceof Error ? (error.stack ?? error.message) : String(error) }) satisfies Reply,
      ),
  );
}
