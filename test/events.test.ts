import { afterEach, describe, expect, it } from "vitest";
import { sinceTime } from "../src/events/events";
import { startFakeArm, type FakeArm } from "../scripts/fake-arm/server";
import { runCommandInProcess } from "./helpers/project";
import { blockAfter, page, shownIn } from "./helpers/docs";
import { command as eventsCommand } from "../src/cli/events";

/**
 * npm run events against the fake tenant-level Activity Log. The assignment GUID of fabrikam's
 * operations offer in its first subscription (guid(guid(tenant, name), scope)) was computed with
 * Python's uuid.uuid5 under ARM's namespace.
 */
const SUB = "0afefe50-734e-4610-8a82-a144a2f49dea";
const OPERATIONS_ASSIGNMENT = "90d73afe-e48b-550b-93fa-a0677ff1cf9d";
const event = (
  time: string,
  operation: string,
  scope: string,
  status = "Succeeded",
  caller = "admin@fabrikam.example",
) => ({
  eventTimestamp: time,
  caller,
  operationName: { value: operation, localizedValue: operation },
  status: { value: status },
  authorization: { action: operation, scope },
  resourceProviderName: { value: "Microsoft.ManagedServices" },
});
const DELETE = "Microsoft.ManagedServices/registrationAssignments/delete";
const WRITE = "Microsoft.ManagedServices/registrationAssignments/write";

let fake: FakeArm | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe("npm run events", () => {
  it("lists additions and removals, newest first; a removal a stack still declares is an alert (exit 1)", async () => {
    fake = await startFakeArm({
      pageSize: 2,
      events: [
        event(
          "2026-11-20T10:00:00Z",
          DELETE,
          `/subscriptions/${SUB}/providers/Microsoft.ManagedServices/registrationAssignments/${OPERATIONS_ASSIGNMENT}`,
        ),
        event(
          "2026-11-20T09:59:00Z",
          DELETE,
          `/subscriptions/${SUB}/providers/Microsoft.ManagedServices/registrationAssignments/${OPERATIONS_ASSIGNMENT}`,
          "Started",
        ),
        event(
          "2026-11-19T08:00:00Z",
          WRITE,
          "/subscriptions/11111111-2222-4333-8444-555555555555/providers/Microsoft.ManagedServices/registrationAssignments/aaaaaaaa-0000-4000-8000-000000000001",
          "Succeeded",
          "someone@other.example",
        ),
        event(
          "2026-11-18T08:00:00Z",
          "Microsoft.ManagedServices/registrationDefinitions/write",
          `/subscriptions/${SUB}`,
        ),
        event(
          "2026-11-18T07:00:00Z",
          DELETE,
          "/subscriptions/11111111-2222-4333-8444-555555555555/providers/Microsoft.ManagedServices/registrationAssignments/aaaaaaaa-0000-4000-8000-000000000002",
        ),
        event(
          "2026-11-01T00:00:00Z",
          DELETE,
          `/subscriptions/${SUB}/providers/Microsoft.ManagedServices/registrationAssignments/${OPERATIONS_ASSIGNMENT}`,
        ),
      ],
    });
    const result = await runCommandInProcess(
      eventsCommand,
      ["--since", "2026-11-17T00:00:00Z", "--endpoint", fake.url],
      {
        AZURE_ACCESS_TOKEN: "fake-token",
      },
    );
    expect(result.stdout).toBe(
      [
        "Delegation events since 2026-11-17T00:00:00.000Z: 3 (1 alert)",
        `  2026-11-20T10:00:00Z  removed  /subscriptions/${SUB} by admin@fabrikam.example  (stack fabrikam, "Contoso Managed Operations")  ALERT: stack fabrikam still declares "Contoso Managed Operations" here; run pulumi up to restore it, or remove it from the stack`,
        "  2026-11-19T08:00:00Z  added    /subscriptions/11111111-2222-4333-8444-555555555555 by someone@other.example  (in no stack)",
        "  2026-11-18T07:00:00Z  removed  /subscriptions/11111111-2222-4333-8444-555555555555 by admin@fabrikam.example  (in no stack)",
        "",
      ].join("\n"),
    );
    // The page shows this run's output.
    expect(shownIn(blockAfter(page("operations.md"), "### Delegation events"), result.stdout)).toEqual([]);
    expect(result.status).toBe(1);
    expect(fake.requests.map((request) => request.query.get("$filter"))).toEqual(
      Array(3).fill("eventTimestamp ge '2026-11-17T00:00:00.000Z' and resourceProvider eq 'Microsoft.ManagedServices'"),
    );
  });

  it("no alert: exit 0; --since beyond the Activity Log's 90 days or unreadable: exit 2; a failed read: exit 3", async () => {
    fake = await startFakeArm({ events: [event("2026-11-19T08:00:00Z", WRITE, `/subscriptions/${SUB}`)] });
    const quiet = await runCommandInProcess(
      eventsCommand,
      ["--since", "2026-11-17", "--endpoint", fake.url, "--format", "json"],
      {
        AZURE_ACCESS_TOKEN: "fake-token",
      },
    );
    expect(JSON.parse(quiet.stdout).events).toEqual([
      {
        time: "2026-11-19T08:00:00Z",
        change: "added",
        scope: `/subscriptions/${SUB}`,
        caller: "admin@fabrikam.example",
        declared: {
          stack: "fabrikam",
          offer: "Contoso Managed Operations",
          scope: `/subscriptions/${SUB}`,
          assignmentGuid: OPERATIONS_ASSIGNMENT,
        },
        alert: false,
      },
    ]);
    expect(quiet.status).toBe(0);
    expect(await runCommandInProcess(eventsCommand, ["--since", "100d"])).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/^error: --since goes back more than 90 days/),
    });
    expect(await runCommandInProcess(eventsCommand, ["--since", "last week"])).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/^error: --since "last week" is neither/),
    });
    fake.faults.push({ kind: "error", status: 403 });
    expect(
      await runCommandInProcess(eventsCommand, ["--since", "1d", "--endpoint", fake.url], {
        AZURE_ACCESS_TOKEN: "fake-token",
      }),
    ).toMatchObject({
      status: 3,
      stderr:
        "could not read the Activity Log (nothing below is complete): BadRequest: injected failure (HTTP 403) in GET /providers/microsoft.insights/eventtypes/management/values\n",
    });
  });

  it("reads relative windows", () => {
    const now = new Date("2026-11-24T12:00:00Z");
    expect(sinceTime("7d", now)?.toISOString()).toBe("2026-11-17T12:00:00.000Z");
    expect(sinceTime("24h", now)?.toISOString()).toBe("2026-11-23T12:00:00.000Z");
    expect(sinceTime("30m", now)?.toISOString()).toBe("2026-11-24T11:30:00.000Z");
    expect(sinceTime("7 days", now)).toBeUndefined();
  });
});
