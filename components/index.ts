/**
 * The toolkit as a library (the package's entry): the components, and what a program needs to
 * feed them from offer files. Importing it declares nothing; the stack program is app/program.ts.
 */
export { LighthouseDelegation, type LighthouseDelegationArgs } from "./lighthouseDelegation";
export { ManagementGroupDelegation, type ManagementGroupDelegationArgs } from "./managementGroupDelegation";
export { ManagedIdentity, type FederatedCredentialArgs, type ManagedIdentityArgs } from "./managedIdentity";
export { SystemAssignedIdentityAccess, type SystemAssignedIdentityAccessArgs } from "./systemAssignedIdentityAccess";
export type { IdentityRoleAssignmentArgs } from "./roleAssignments";
export { loadOffer, parseOffer, type OfferLoadResult } from "../src/offer/load";
export type { ResolvedOffer } from "../src/offer/model";
export { formatDiagnostic, hasErrors, type Diagnostic } from "../src/diagnostics";
