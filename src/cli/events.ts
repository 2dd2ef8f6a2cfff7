import "./compileCache";
import { ArmClient, ArmError, DEFAULT_ENDPOINT } from "../arm/client";
import { armTokenSource } from "../arm/credentials";
import { compareDiagnostics, formatDiagnostic, hasErrors } from "../diagnostics";
import { declaredDelegations, delegationEvents, eventsText, MAX_EVENT_DAYS, sinceTime } from "../events/events";
import { OfferCache } from "../offer/cache";
import { stackNames } from "../project/revision";
import { loadStack, type ResolvedStack } from "../stack/load";
import { findProjectRoot, stackFilePath } from "../project/paths";
import { printable } from "../text";
import { endpointOption } from "./endpoint";
import { oneOf, parseCommandLine, runCommand, UsageError } from "./run";

export const command = runCommand(
  "events",
  async (argv) => {
    const { values } = parseCommandLine(argv, {
      since: { type: "string" },
      format: { type: "string" },
      endpoint: { type: "string" },
    });
    if (!values.since) throw new UsageError("--since is required");
    const since = sinceTime(values.since);
    if (!since)
      throw new UsageError(`--since ${JSON.stringify(values.since)} is neither 7d, 24h, 30m nor an ISO 8601 time`);
    if (Date.now() - since.getTime() > MAX_EVENT_DAYS * 86_400_000)
      throw new UsageError(`--since goes back more than ${MAX_EVENT_DAYS} days, longer than the Activity Log keeps`);
    const format = oneOf("format", values.format, ["text", "json"] as const, "text");
    const endpoint = endpointOption(values.endpoint, DEFAULT_ENDPOINT);

    const projectRoot = findProjectRoot(process.cwd());
    const offers = new OfferCache();
    const stacks: ResolvedStack[] = [];
    const problems = [];
    for (const name of stackNames(projectRoot)) {
      const loaded = loadStack(stackFilePath(projectRoot, name), offers);
      problems.push(...loaded.diagnostics);
      if (loaded.stack) stacks.push(loaded.stack);
    }
    problems.push(...offers.diagnostics());
    if (hasErrors(problems)) {
      for (const problem of problems.sort(compareDiagnostics)) process.stderr.write(`${formatDiagnostic(problem)}\n`);
      return 2;
    }

    let events;
    try {
      events = await new ArmClient({ endpoint, token: armTokenSource(endpoint) }).listDelegationEvents(since);
    } catch (error) {
      if (!(error instanceof ArmError)) throw error;
      process.stderr.write(
        `could not read the Activity Log (nothing below is complete): ${printable(error.message)}\n`,
      );
      return 3;
    }
    const found = delegationEvents(events, declaredDelegations(stacks));
    process.stdout.write(
      `${format === "json" ? JSON.stringify({ since: since.toISOString(), events: found }, null, 2) : eventsText(found, since)}\n`,
    );
    return found.some((event) => event.alert) ? 1 : 0;
  },
  __filename,
);
