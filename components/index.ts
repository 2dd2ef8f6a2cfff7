export { LighthouseDelegation, type LighthouseDelegationArgs } from "./lighthouseDelegation";
export { ManagedIdentity, type ManagedIdentityArgs } from "./managedIdentity";
export { SystemAssignedIdentityAccess, type SystemAssignedIdentityAccessArgs } from "./systemAssignedIdentityAccess";
export type { IdentityRoleAssignmentArgs } from "./roleAssignments";
