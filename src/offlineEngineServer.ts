import { Server, ServerCredentials, type ServiceError, type UntypedServiceImplementation } from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { EngineService } from "@pulumi/pulumi/proto/engine_grpc_pb";
import { GetRootResourceResponse, SetRootResourceResponse } from "@pulumi/pulumi/proto/engine_pb";
import { ResourceMonitorService } from "@pulumi/pulumi/proto/resource_grpc_pb";
import { OfflineMonitor, Simulated, type RegisteredResource } from "./offline";

/**
 * The offline engine over gRPC, for a process that talks to the engine as a plugin does (a
 * component provider's Construct): Pulumi's ResourceMonitor service answered by the same monitor
 * `runOffline` uses in-process, and the Engine service's logging and root-resource calls. Other
 * methods answer UNIMPLEMENTED, as a service without them would.
 */
export interface OfflineEngineServer {
  /** `127.0.0.1:<port>`: both the monitor endpoint and the engine address. */
  address: string;
  /** Every resource registered so far, in order. */
  resources: RegisteredResource[];
  /** What was logged through the Engine service (severity and message). */
  logs: string[];
  close(): Promise<void>;
}

type Unary = (request: unknown, callback: (error: Error | null, response?: unknown) => void) => void;

/** A gRPC unary handler that hands the request to `method`, as the in-process monitor takes it. */
const unary =
  (method: Unary) => (call: { request: unknown }, callback: (error: ServiceError | null, response?: unknown) => void) =>
    method(call.request, (error, response) => callback(error as ServiceError | null, response));

export async function serveOfflineEngine(project: string, stack: string): Promise<OfflineEngineServer> {
  const monitor = new OfflineMonitor(project, stack, new Simulated());
  const logs: string[] = [];
  const server = new Server();
  const monitorMethods = [
    "registerResource",
    "readResource",
    "registerResourceOutputs",
    "invoke",
    "call",
    "supportsFeature",
  ] as const;
  server.addService(
    ResourceMonitorService,
    Object.fromEntries(
      monitorMethods.map((name) => [name, unary((monitor[name] as Unary).bind(monitor))]),
    ) as UntypedServiceImplementation,
  );
  let root = "";
  server.addService(EngineService, {
    log: unary((request, callback) => {
      const entry = request as { getSeverity(): number; getMessage(): string };
      logs.push(`${entry.getSeverity()} ${entry.getMessage()}`);
      callback(null, new Empty());
    }),
    getRootResource: unary((_request, callback) => callback(null, new GetRootResourceResponse().setUrn(root))),
    setRootResource: unary((request, callback) => {
      root = (request as { getUrn(): string }).getUrn();
      callback(null, new SetRootResourceResponse());
    }),
  } as UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    resources: monitor.resources,
    logs,
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}
