/**
 * Fake Microsoft Graph directories of the managing tenant, for npm run preflight: the shipped
 * offers' principals as they should be, and a directory where most of them are wrong.
 */
export const group = (id: string, displayName: string, securityEnabled = true) => ({
  "@odata.type": "#microsoft.graph.group",
  id,
  displayName,
  securityEnabled,
});
const servicePrincipal = (id: string, displayName: string, appId: string) => ({
  "@odata.type": "#microsoft.graph.servicePrincipal",
  id,
  displayName,
  appId,
});
const application = (id: string, displayName: string, appId: string) => ({
  "@odata.type": "#microsoft.graph.application",
  id,
  displayName,
  appId,
});

/** The directory as the shipped offers expect it. */
export const DIRECTORY = [
  group("f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc", "Tier 1 Support"),
  group("0c0bd9a4-7a7c-4c5e-9d4c-64d1a3f1b2e7", "Operations engineers"),
  group("2b4d6f80-1a3c-4e5f-8a9b-0c1d2e3f4a5b", "Identity admins"),
  servicePrincipal(
    "5d7e9f10-2b3c-4d5e-9f60-718293a4b5c6",
    "Offboarding automation",
    "a1a1a1a1-0000-4000-8000-000000000001",
  ),
  group("3e0ed8c6-e902-4fc5-863c-e3ddbb2ae2a2", "Escalation engineers"),
  servicePrincipal(
    "7a1c3e5f-9b2d-4f6a-8c0e-2d4f6a8c0e1b",
    "Escalation offboarding automation",
    "a2a2a2a2-0000-4000-8000-000000000002",
  ),
  group("d9b22cd6-6407-43cc-8c60-07c56df0b51a", "Duty managers"),
];

/** The same principals gone wrong: a non-security group, an application, an app id, a renamed group, a service principal approver. */
export const BROKEN_DIRECTORY = [
  group("f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc", "Tier 1 Support", false),
  application("2b4d6f80-1a3c-4e5f-8a9b-0c1d2e3f4a5b", "Identity admins app", "b2b2b2b2-0000-4000-8000-000000000002"),
  servicePrincipal(
    "c3c3c3c3-0000-4000-8000-000000000003",
    "Identity admins app",
    "b2b2b2b2-0000-4000-8000-000000000002",
  ),
  servicePrincipal(
    "e4e4e4e4-0000-4000-8000-000000000004",
    "Offboarding automation",
    "5d7e9f10-2b3c-4d5e-9f60-718293a4b5c6",
  ),
  group("3e0ed8c6-e902-4fc5-863c-e3ddbb2ae2a2", "Escalation Engineers (EU)"),
  servicePrincipal("d9b22cd6-6407-43cc-8c60-07c56df0b51a", "Duty managers", "f5f5f5f5-0000-4000-8000-000000000005"),
];
