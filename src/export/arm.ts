import { definitionProperties, type ResolvedOffer } from "../offer/model";

/**
 * The offer as Microsoft's Azure Lighthouse onboarding template (the layout of the
 * Azure-Lighthouse-samples: subscription-level deployment, parameters mspOfferName,
 * mspOfferDescription, managedByTenantId, authorizations, eligibleAuthorizations, resource
 * groups through nested deployments), at API 2022-10-01 and with the toolkit's names:
 *   definition  guid(toLower(managedByTenantId), mspOfferName)
 *   assignment  guid(definition, toLower(subscription().id)[/resourceGroups/<name>])
 * so a customer who deploys it and later moves to the Pulumi stack sees no change.
 */

export const MANAGED_SERVICES_API_VERSION = "2022-10-01";
const DEPLOYMENTS_API_VERSION = "2022-09-01";
const DEFINITION_TYPE = "Microsoft.ManagedServices/registrationDefinitions";
const ASSIGNMENT_TYPE = "Microsoft.ManagedServices/registrationAssignments";
const definitionResourceId = `[subscriptionResourceId('${DEFINITION_TYPE}', variables('mspRegistrationName'))]`;

export function armTemplate(offer: ResolvedOffer, options: { resourceGroups?: string[] } = {}) {
  const byResourceGroup = (options.resourceGroups?.length ?? 0) > 0;
  const assignment = byResourceGroup
    ? {
        type: "Microsoft.Resources/deployments",
        apiVersion: DEPLOYMENTS_API_VERSION,
        name: "[concat('lighthouse-', guid(variables('mspRegistrationName'), parameters('resourceGroups')[copyIndex()].rgName))]",
        resourceGroup: "[parameters('resourceGroups')[copyIndex()].rgName]",
        copy: { name: "resourceGroupAssignments", count: "[length(parameters('resourceGroups'))]" },
        dependsOn: [definitionResourceId],
        properties: {
          mode: "Incremental",
          expressionEvaluationOptions: { scope: "inner" },
          parameters: {
            registrationDefinitionId: { value: definitionResourceId },
            registrationDefinitionGuid: { value: "[variables('mspRegistrationName')]" },
            scope: { value: "[concat(toLower(subscription().id), '/resourceGroups/', parameters('resourceGroups')[copyIndex()].rgName)]" },
          },
          template: {
            $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            contentVersion: "1.0.0.0",
            parameters: {
              registrationDefinitionId: { type: "string" },
              registrationDefinitionGuid: { type: "string" },
              scope: { type: "string" },
            },
            resources: [
              {
                type: ASSIGNMENT_TYPE,
                apiVersion: MANAGED_SERVICES_API_VERSION,
                name: "[guid(parameters('registrationDefinitionGuid'), parameters('scope'))]",
                properties: { registrationDefinitionId: "[parameters('registrationDefinitionId')]" },
              },
            ],
          },
        },
      }
    : {
        type: ASSIGNMENT_TYPE,
        apiVersion: MANAGED_SERVICES_API_VERSION,
        name: "[guid(variables('mspRegistrationName'), toLower(subscription().id))]",
        dependsOn: [definitionResourceId],
        properties: { registrationDefinitionId: definitionResourceId },
      };

  return {
    $schema: "https://schema.management.azure.com/schemas/2019-08-01/subscriptionDeploymentTemplate.json#",
    contentVersion: "1.0.0.0",
    metadata: { description: `Azure Lighthouse onboarding for the offer '${offer.name}', generated from ${offer.file}` },
    parameters: {
      mspOfferName: { type: "string", metadata: { description: "The offer's name (registrationDefinitionName); its GUID derives from it." } },
      mspOfferDescription: { type: "string", defaultValue: "", metadata: { description: "What the offer is for." } },
      managedByTenantId: { type: "string", metadata: { description: "The managing (service provider's) tenant id." } },
      authorizations: { type: "array", metadata: { description: "Permanent authorizations: principalId, principalIdDisplayName, roleDefinitionId." } },
      eligibleAuthorizations: { type: "array", defaultValue: [], metadata: { description: "Just-in-time authorizations." } },
      ...(offer.plan ? { mspPlan: { type: "object", metadata: { description: "Azure Marketplace plan: name, product, publisher, version." } } } : {}),
      ...(byResourceGroup ? { resourceGroups: { type: "array", metadata: { description: "Resource groups to delegate: [{\"rgName\": \"...\"}]." } } } : {}),
    },
    variables: {
      mspRegistrationName: "[guid(toLower(parameters('managedByTenantId')), parameters('mspOfferName'))]",
    },
    resources: [
      {
        type: DEFINITION_TYPE,
        apiVersion: MANAGED_SERVICES_API_VERSION,
        name: "[variables('mspRegistrationName')]",
        ...(offer.plan ? { plan: "[parameters('mspPlan')]" } : {}),
        // Generated per offer: what the offer leaves out, the body leaves out too, exactly as the
        // Pulumi component sends it. Change the offer and export again rather than the parameters.
        properties: {
          registrationDefinitionName: "[parameters('mspOfferName')]",
          ...(offer.description !== undefined ? { description: "[parameters('mspOfferDescription')]" } : {}),
          managedByTenantId: "[parameters('managedByTenantId')]",
          authorizations: "[parameters('authorizations')]",
          ...(offer.eligibleAuthorizations.length > 0 ? { eligibleAuthorizations: "[parameters('eligibleAuthorizations')]" } : {}),
        },
      },
      assignment,
    ],
    outputs: {
      mspOfferName: { type: "string", value: "[concat('Managed by ', parameters('mspOfferName'))]" },
      registrationDefinitionId: { type: "string", value: definitionResourceId },
    },
  };
}

/** The matching `*.parameters.json`: roles resolved to ids, display names kept. */
export function armParameters(offer: ResolvedOffer, options: { resourceGroups?: string[] } = {}) {
  const properties = definitionProperties(offer);
  return {
    $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
    contentVersion: "1.0.0.0",
    parameters: {
      mspOfferName: { value: offer.name },
      mspOfferDescription: { value: offer.description ?? "" },
      managedByTenantId: { value: offer.managedByTenantId },
      authorizations: { value: properties.authorizations },
      eligibleAuthorizations: { value: properties.eligibleAuthorizations ?? [] },
      ...(offer.plan ? { mspPlan: { value: offer.plan } } : {}),
      ...(options.resourceGroups?.length ? { resourceGroups: { value: options.resourceGroups.map((rgName) => ({ rgName })) } } : {}),
    },
  };
}
