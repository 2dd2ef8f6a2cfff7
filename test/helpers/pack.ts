import { afterAll } from "vitest";
import { PolicyPackServer, toolkitPolicyPack } from "../../src/crossguard/analyzer";

/**
 * The toolkit's policy pack as the engine runs it (its compiled entry, served by CrossGuard over
 * the Analyzer protocol): started on first use, once per test file, stopped after it.
 */
export function policyPackServer(): () => Promise<PolicyPackServer> {
  let server: Promise<PolicyPackServer> | undefined;
  afterAll(async () => {
    if (server) (await server).close();
  });
  return () => (server ??= PolicyPackServer.start(toolkitPolicyPack(true)));
}
