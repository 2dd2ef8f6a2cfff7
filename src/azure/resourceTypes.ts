/** The Pulumi type tokens the toolkit registers, reads back (plan, access view) and polices. */
export const TYPES = {
  provider: "pulumi:providers:azure-native",
  definition: "azure-native:managedservices:RegistrationDefinition",
  assignment: "azure-native:managedservices:RegistrationAssignment",
  roleAssignment: "azure-native:authorization:RoleAssignment",
  userAssignedIdentity: "azure-native:managedidentity:UserAssignedIdentity",
  federatedCredential: "azure-native:managedidentity:FederatedIdentityCredential",
  /** Generic ARM resource: user-assigned identities with isolationScope are deployed as one. */
  genericResource: "azure-native:resources:Resource",
  systemIdentityAccess: "lighthouse:identity:SystemAssignedIdentityAccess",
  /** Management-group onboarding (components/managementGroupDelegation.ts). */
  policyDefinition: "azure-native:authorization:PolicyDefinitionAtManagementGroup",
  policyAssignment: "azure-native:authorization:PolicyAssignment",
  remediation: "azure-native:policyinsights:RemediationAtManagementGroup",
} as const;

/** A user-assigned identity, typed or deployed as a generic resource (API 2024-11-30). */
export function isUserAssignedIdentity(type: string, inputs: Record<string, unknown>): boolean {
  return (
    type === TYPES.userAssignedIdentity ||
    (type === TYPES.genericResource &&
      inputs.resourceProviderNamespace === "Microsoft.ManagedIdentity" &&
      inputs.resourceType === "userAssignedIdentities")
  );
}
